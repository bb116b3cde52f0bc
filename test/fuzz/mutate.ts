// Mutations of product text and of product JSON. A mutation is three small integers, so that
// fast-check can shrink a failing list of them towards the fewest, simplest edits.
import fc from 'fast-check';

export interface Mutation {
  op: number;
  at: number;
  arg: number;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.nat(31),
  at: fc.nat(1 << 20),
  arg: fc.nat(1 << 20),
});
export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

// Tokens a product manager mistypes, misplaces or pastes in; and values that break arithmetic.
export const DICTIONARY = [
  '100円',
  '1/0',
  '0/0',
  '00/000',
  '-',
  '- -',
  '(',
  ')',
  '((',
  '))',
  'if',
  'then',
  'else',
  '"',
  '\\',
  '§',
  '§1',
  '=>',
  '|',
  '..',
  '0',
  '-1',
  '0.5',
  '9'.repeat(45),
  '1e309',
  '2025-13-45',
  '2024-02-30',
  '0000-01-01',
  '9999-12-31',
  '25:00',
  '09:00',
  'any',
  'for each item in claim.items',
  'for each x in',
  'item.amount',
  'item',
  'sum(',
  'count(',
  'round(',
  'round(x, down, 0)',
  'min(',
  'max()',
  'abs(',
  'days_between(',
  'add_months(',
  'weekday(',
  'next_business_day(',
  'nope(',
  '×',
  '÷',
  '*',
  '/',
  '+',
  '=',
  '≠',
  '<',
  '≤',
  '≥',
  '>',
  'in',
  'not in',
  'not',
  'and',
  'or',
  'true',
  'false',
  'cite §1 "x"',
  'cite',
  'note "n"',
  'row',
  'row any =>',
  'else =>',
  'given',
  'returns',
  'returns r: integer',
  'hit first',
  'hit unique',
  'hit some',
  'table',
  'formula',
  'define',
  'fact',
  'amount',
  'start',
  'add',
  'subtract',
  'deductible',
  'coinsurance',
  'multiply',
  'total',
  'limit',
  'aggregate',
  'used',
  'floor',
  'round down',
  'shared',
  'payable',
  'when',
  'unless',
  'require',
  'cover',
  'exclude',
  'eligibility',
  'ineligible',
  'condition',
  'constraint',
  'product',
  'revision',
  'in force from',
  'until',
  'chosen by',
  'currency',
  'source',
  'money JPY',
  'money USD',
  'money',
  'integer',
  'decimal',
  'rate',
  'date',
  'time',
  'duration days',
  'duration months',
  'text',
  'boolean',
  'enum(a, b)',
  'enum()',
  'list of',
  'list of list of integer',
  '{ a: integer }',
  '{',
  '}',
  'one of (1, 2)',
  'default',
  'default -1',
  'signed',
  '\uFEFF',
  '\u0000',
  '\r',
  '、',
  '１',
  '\u3000',
  '90%',
  '-90%',
  '200%',
  'USD 5',
  'EUR 5',
  '1億円',
  '1億7,370万円',
  '45 days',
  '9カ月',
  '0 days',
  '\n',
  '#',
  ':',
  ',',
  '.',
  '1,2,3円',
  '1,,0',
  'ｶﾞ',
  'が',
  'ガ',
  'x.y.z',
  'policy',
  'claim',
  '$x.1',
];

// Source text as chunks that join back to it: strings, names, numbers, whitespace, single characters.
const CHUNK = /"(?:[^"\\\n]|\\.)*"?|\s+|[A-Za-z_\u00C0-\uFFEF][\w\u00C0-\uFFEF-]*|\d[\d,.]*|./gsu;

export function chunks(text: string): string[] {
  return text.match(CHUNK) ?? [];
}

const isSpace = (s: string) => /^\s+$/.test(s);

export function mutateText(text: string, ms: Mutation[]): string {
  let cs = chunks(text);
  for (const m of ms) {
    const solid = cs.map((c, i) => (isSpace(c) ? -1 : i)).filter((i) => i >= 0);
    if (solid.length === 0) {
      cs = [DICTIONARY[m.arg % DICTIONARY.length]!];
      continue;
    }
    const i = solid[m.at % solid.length]!;
    const j = solid[m.arg % solid.length]!;
    const word = DICTIONARY[m.arg % DICTIONARY.length]!;
    const lines = cs.join('').split('\n');
    const li = m.at % lines.length;
    const lj = m.arg % lines.length;
    switch (m.op % 16) {
      case 0:
        cs.splice(i, 1);
        break;
      case 1:
        cs.splice(i, 0, cs[i]!);
        break;
      case 2:
        [cs[i], cs[j]] = [cs[j]!, cs[i]!];
        break;
      case 3:
        cs[i] = cs[j]!;
        break;
      case 4:
      case 5:
        cs[i] = word;
        break;
      case 6:
      case 7:
        cs.splice(i, 0, word, ' ');
        break;
      case 8:
        lines.splice(li, 1);
        cs = chunks(lines.join('\n'));
        break;
      case 9:
        lines.splice(li, 0, lines[lj]!);
        cs = chunks(lines.join('\n'));
        break;
      case 10:
        [lines[li], lines[lj]] = [lines[lj]!, lines[li]!];
        cs = chunks(lines.join('\n'));
        break;
      case 11:
        cs = cs.slice(0, i);
        break;
      case 12: {
        // A name replaced everywhere by another of the file's names: cycles, clashes, type errors.
        const from = cs[i]!;
        const to = cs[j]!;
        cs = cs.map((c) => (c === from ? to : c));
        break;
      }
      case 13:
        cs[i] = cs[i]!.slice(0, m.arg % Math.max(1, cs[i]!.length));
        break;
      case 14: {
        // One character of a chunk replaced: a digit, a quote, a full-width form.
        const c = cs[i]!;
        const k = m.arg % Math.max(1, c.length);
        const ch = '0-9"§.:,|(){}\u3000１ー'[m.arg % 14]!;
        cs[i] = c.slice(0, k) + ch + c.slice(k + 1);
        break;
      }
      default:
        lines[li] = '  '.repeat(m.arg % 3) + lines[li]!.trim();
        cs = chunks(lines.join('\n'));
        break;
    }
  }
  return cs.join('');
}

// ---- JSON products
export const JSON_VALUES: unknown[] = [
  'abc',
  '-1',
  -1,
  0,
  1.5,
  '1/0',
  '2025-13-45',
  '',
  null,
  true,
  false,
  [],
  {},
  'x'.repeat(300),
  { fact: 'loss.amount' },
  { fact: '$nope.1' },
  { ref: 'nope' },
  { ref: 'item.amount' },
  { lit: { type: 'number', value: '1' } },
  { lit: { type: 'money', amount: '1', currency: 'USD' } },
  { lit: { type: 'date', value: '2025-02-29' } },
  { op: 'add', args: [] },
  { op: 'if', args: [{ lit: { type: 'boolean', value: true } }] },
  { call: 'nope', args: [] },
  { call: 'round', args: [{ ref: 'x' }], mode: 'down' },
  'lessThan',
  'contains',
  'in',
  'bogus',
  { all: [] },
  { any: [] },
  { not: {} },
  'item.amount',
  '$x.1',
  ['a', 'b'],
  [1, 2],
  { kind: 'list', of: { kind: 'record', fields: [] } },
  { kind: 'money', currency: 'USD' },
  { kind: 'enum', values: ['x'] },
  { any: true },
  { in: [] },
  { cmp: 'lt', value: { type: 'text', value: 'x' } },
  {
    range: [
      { type: 'number', value: '2' },
      { type: 'number', value: '1' },
    ],
  },
  'first',
  'unique',
  'total',
  'start',
];

type Json = unknown;

// Every node of a JSON tree, in pre-order, with a way to replace or delete it.
function nodes(root: Json): { get: () => Json; set: (v: Json) => void; del: () => void }[] {
  const out: { get: () => Json; set: (v: Json) => void; del: () => void }[] = [];
  const walk = (holder: Record<string, Json> | Json[], key: string | number): void => {
    const h = holder as Record<string | number, Json>;
    out.push({
      get: () => h[key],
      set: (v) => {
        h[key] = v;
      },
      del: () => {
        if (Array.isArray(holder)) holder.splice(key as number, 1);
        else delete h[key];
      },
    });
    const v = h[key];
    if (Array.isArray(v)) v.forEach((_, i) => walk(v, i));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) walk(v as Record<string, Json>, k);
  };
  const box = { root };
  walk(box as Record<string, Json>, 'root');
  return out.slice(1);
}

export function mutateJson(text: string, ms: Mutation[]): string {
  const box = { root: JSON.parse(text) as Json };
  for (const m of ms) {
    const ns = nodes(box.root);
    if (ns.length === 0) break;
    const n = ns[m.at % ns.length]!;
    const other = ns[m.arg % ns.length]!;
    switch (m.op % 5) {
      case 0:
      case 1:
        n.set(structuredClone(JSON_VALUES[m.arg % JSON_VALUES.length]));
        break;
      case 2:
        n.del();
        break;
      case 3:
        n.set(structuredClone(other.get()));
        break;
      default: {
        const v = n.get();
        if (Array.isArray(v) && v.length) v.push(structuredClone(v[m.arg % v.length]));
        else if (typeof v === 'string') n.set(v + String(JSON_VALUES[m.arg % JSON_VALUES.length]));
        else n.set(structuredClone(other.get()));
      }
    }
  }
  return JSON.stringify(box.root, null, 1);
}
