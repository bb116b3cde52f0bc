// The claim form, generated from a revision's facts JSON Schema (GET /v1/products/{id}): one
// field per fact, grouped by the first part of its path, typed by the schema (enums as choices
// with their Japanese labels, money as the pamphlet writes it, lists of items as repeatable
// groups). The form keeps the facts as they will be sent; an empty field is a fact not given.
import { parseMoney, parsePlainNumber } from '../../dsl/literals.js';

export type Kind =
  | 'boolean'
  | 'enum'
  | 'money'
  | 'rate'
  | 'decimal'
  | 'integer'
  | 'date'
  | 'time'
  | 'duration'
  | 'text'
  | 'list'
  | 'group';

export interface Field {
  key: string;
  // Dotted, without list indexes: claim.items.amount (how `missing` names facts).
  path: string;
  label?: string;
  kind: Kind;
  choices?: { value: string; label?: string }[];
  currency?: string;
  unit?: string;
  // A group's fields, or the fields of each element of a list of records.
  children?: Field[];
  // A list of plain values: the kind of each element.
  element?: Field;
}

type Schema = {
  type?: string | string[];
  pattern?: string;
  enum?: string[];
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  'x-labels'?: Record<string, string>;
  'x-currency'?: string;
  'x-unit'?: string;
};

// The schema names types by pattern (engine/pipeline/facts.ts); one it does not know is text.
function kindOf(s: Schema): Kind {
  if (s.enum) return 'enum';
  if (s['x-currency']) return 'money';
  if (s['x-unit']) return 'duration';
  if (s.type === 'boolean') return 'boolean';
  if (s.type === 'integer') return 'integer';
  if (s.type === 'array') return 'list';
  if (s.type === 'object' || s.properties) return 'group';
  const p = s.pattern ?? '';
  if (p.includes('{4}-')) return 'date';
  if (p.startsWith('^([01]')) return 'time';
  if (p.includes('%')) return 'rate';
  if (p.startsWith('^-?[0-9]')) return 'decimal';
  return 'text';
}

function field(key: string, path: string, s: Schema): Field {
  const kind = kindOf(s);
  const f: Field = { key, path, kind, ...(s.description ? { label: s.description } : {}) };
  if (kind === 'enum')
    f.choices = s.enum!.map((v) => ({ value: v, ...(s['x-labels']?.[v] ? { label: s['x-labels'][v] } : {}) }));
  if (kind === 'money') f.currency = s['x-currency']!;
  if (kind === 'duration') f.unit = s['x-unit']!;
  if (kind === 'group') f.children = children(s, path);
  if (kind === 'list' && s.items) {
    if (kindOf(s.items) === 'group') f.children = children(s.items, path);
    else f.element = field('', path, s.items);
  }
  return f;
}

function children(s: Schema, path: string): Field[] {
  return Object.entries(s.properties ?? {}).map(([k, v]) => field(k, path ? `${path}.${k}` : k, v));
}

export function fieldsOf(schema: unknown): Field[] {
  return children(schema as Schema, '');
}

export function countLeaves(fs: Field[]): number {
  return fs.reduce((n, f) => n + (f.kind === 'group' ? countLeaves(f.children ?? []) : 1), 0);
}

export type Facts = Record<string, unknown>;

export function getAt(facts: unknown, keys: (string | number)[]): unknown {
  let cur = facts;
  for (const k of keys) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

// A copy of the facts with the value at `keys` set (undefined: removed, and emptied groups with it).
export function setAt(facts: Facts, keys: (string | number)[], value: unknown): Facts {
  const copy = (x: unknown, i: number): unknown => {
    const k = keys[i]!;
    const base: Record<string | number, unknown> = Array.isArray(x) ? ([...x] as never) : { ...((x as object) ?? {}) };
    if (i === keys.length - 1) {
      if (value === undefined && !Array.isArray(base)) delete base[k];
      else base[k] = value;
    } else {
      const next = copy(base[k] ?? (typeof keys[i + 1] === 'number' ? [] : {}), i + 1);
      if (!Array.isArray(base) && isEmptyObject(next)) delete base[k];
      else base[k] = next;
    }
    return base;
  };
  return copy(facts, 0) as Facts;
}

function isEmptyObject(x: unknown): boolean {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0;
}

// What an input's text becomes in the facts.
export function inputValue(f: Field, text: string): unknown {
  if (text === '') return undefined;
  switch (f.kind) {
    case 'boolean':
      return text === 'true';
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'duration':
      return /^\d+$/.test(text) ? Number(text) : text;
    default:
      return text;
  }
}

export function textOf(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

// An amount as the pamphlets write it (1億2,000万円, 5,000万, 300000000) in yen, for the preview
// beside a money field; undefined when it is not one.
export function moneyPreview(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const m = parseMoney(t) ?? parseMoney(`${t}円`);
  const amount = m?.amount ?? parsePlainNumber(t);
  if (amount === undefined) return undefined;
  const [int, frac] = amount.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped}${frac ? `.${frac}` : ''}${m?.currency === 'USD' ? ' USD' : '円'}`;
}

// JSON pointer of a fact by its keys: the decision's `errors` name facts this way.
export function pointerOf(keys: (string | number)[]): string {
  return keys.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
