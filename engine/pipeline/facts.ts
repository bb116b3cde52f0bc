// Facts in: the JSON Schema a product's facts must satisfy (generated from its fact
// declarations), validation with errors that name the field by JSON pointer, and normalization
// of pamphlet-style strings ("9,000万円", "90%", "45 days") into exact runtime values.
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from './ajv.js';
import type { Condition, Expr, FieldDecl, Product, TypeRef } from '../../dsl/ir.js';
import { closest } from '../../dsl/diagnostics.js';
import {
  isIsoDate,
  isTime,
  parseDuration,
  parseJapaneseNumber,
  parseMoney,
  parsePercent,
  parsePlainNumber,
  literalText,
  wellGrouped,
} from '../../dsl/literals.js';
import { Money, Duration, dec } from './money.js';
import { literalValue } from './values.js';
import { equals } from './operators.js';
import type { FactError } from './decision-types.js';

const DECIMAL = '^-?[0-9][0-9,]*(\\.[0-9]+)?$';
const MONEY = '^((USD|JPY|EUR) ?)?-?[0-9][0-9,.億万千]*(円|ドル)?$';
const RATE = '^-?[0-9][0-9,]*(\\.[0-9]+)?[%％]?$';
const DATE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
const TIME = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const DURATION = '^[0-9]+ ?(days?|months?|years?|日|か月|カ月|ヶ月|ヵ月|箇月|年)$';

const TIME_EXPECTED = 'a time of day HH:MM (24-hour clock), e.g. "16:00"';

// Amounts, rates and counts in facts are not negative unless the fact is declared `signed`.
const unsigned = (pattern: string) => pattern.replace('-?', '');
// The largest whole number a JSON number holds exactly.
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

// ---- bounds on the input of one decision
// Reading a fact is linear in its size within these bounds; beyond them the facts are refused
// with an error naming the field. Set through the environment (YAKKAN_MAX_NUMBER_LENGTH, ...) or
// setInputLimits; docs/limits.md lists them.
export interface InputLimits {
  // Characters in one amount, rate or number written as a string ("1億7,370万円" is 9).
  maxNumberLength: number;
  // Characters in one text.
  maxTextLength: number;
  // Items in one list.
  maxListItems: number;
  // Bytes of one facts document (a facts file, a batch line).
  maxInputBytes: number;
}

export const DEFAULT_LIMITS: Readonly<InputLimits> = {
  maxNumberLength: 40,
  maxTextLength: 10_000,
  maxListItems: 1_000,
  maxInputBytes: 1_000_000,
};

const ENV: Record<keyof InputLimits, string> = {
  maxNumberLength: 'YAKKAN_MAX_NUMBER_LENGTH',
  maxTextLength: 'YAKKAN_MAX_TEXT_LENGTH',
  maxListItems: 'YAKKAN_MAX_LIST_ITEMS',
  maxInputBytes: 'YAKKAN_MAX_INPUT_BYTES',
};

function limitsFromEnv(): InputLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(ENV) as (keyof InputLimits)[]) {
    const v = process.env[ENV[k]];
    if (v !== undefined && /^\d+$/.test(v.trim()) && Number(v) > 0) out[k] = Number(v);
  }
  return out;
}

let limits: InputLimits = limitsFromEnv();

export function inputLimits(): Readonly<InputLimits> {
  return limits;
}

// For programs that embed the engine; the command line reads the environment.
export function setInputLimits(l: Partial<InputLimits>): void {
  limits = { ...limits, ...l };
}

type Schema = Record<string, unknown>;

function typeSchema(t: TypeRef, label?: string): Schema {
  const d = label ? { description: label } : {};
  switch (t.kind) {
    case 'boolean':
      return { type: 'boolean', ...d };
    case 'integer':
      return { type: 'integer', minimum: t.signed ? -MAX_INTEGER : 0, maximum: MAX_INTEGER, ...d };
    case 'decimal':
      return { type: 'string', pattern: t.signed ? DECIMAL : unsigned(DECIMAL), ...d };
    case 'rate':
      return { type: 'string', pattern: t.signed ? RATE : unsigned(RATE), ...d };
    case 'money':
      return { type: 'string', pattern: t.signed ? MONEY : unsigned(MONEY), ...d, 'x-currency': t.currency };
    case 'date':
      return { type: 'string', pattern: DATE, ...d };
    case 'time':
      return { type: 'string', pattern: TIME, ...d };
    case 'duration':
      return {
        type: ['integer', 'string'],
        minimum: 0,
        maximum: MAX_INTEGER,
        pattern: DURATION,
        ...d,
        'x-unit': t.unit,
      };
    case 'enum':
      return { enum: [...new Set(t.values)], ...d, ...(t.labels ? { 'x-labels': t.labels } : {}) };
    case 'text':
      return { type: 'string', ...d };
    case 'list':
      return { type: 'array', items: typeSchema(t.of), ...d };
    case 'record':
      return objectSchema(
        t.fields.map((f) => [f.name.split('.'), f]),
        d,
      );
  }
}

function objectSchema(entries: [string[], FieldDecl][], extra: Schema = {}): Schema {
  const props: Record<string, [string[], FieldDecl][]> = {};
  const leaves: Record<string, FieldDecl> = {};
  for (const [path, f] of entries) {
    if (path.length === 1) leaves[path[0]!] = f;
    else (props[path[0]!] ??= []).push([path.slice(1), f]);
  }
  const properties: Record<string, Schema> = {};
  for (const k of Object.keys({ ...leaves, ...props }).sort()) {
    properties[k] = leaves[k] ? typeSchema(leaves[k]!.type, leaves[k]!.label) : objectSchema(props[k]!);
  }
  return { type: 'object', properties, additionalProperties: false, ...extra };
}

export function factsSchema(p: Product): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `yakkan:facts:${p.id}@${p.revision}`,
    title: `Facts for ${p.id} (${p.revision})`,
    ...objectSchema(p.facts.map((f) => [f.name.split('.'), f])),
  };
}

// Only invalid input (or a product the fast reader cannot read) needs Ajv: loaded on first use.
let ajv: Ajv | undefined;
const validators = new WeakMap<Product, ValidateFunction>();

function validator(p: Product): ValidateFunction {
  let v = validators.get(p);
  if (!v) {
    // Without $id: two compiles of one revision (a reload) must not collide in ajv's registry.
    const { $id: _id, ...schema } = factsSchema(p);
    ajv ??= newAjv({ allErrors: true, strict: false, verbose: true });
    v = ajv.compile(schema);
    validators.set(p, v);
  }
  return v;
}

export interface ReadFacts {
  values: Map<string, unknown>;
  errors: FactError[];
}

// The facts as the evaluator reads them: one slot per declared fact, in p.facts order.
export interface FactSlots {
  slots: unknown[];
  errors: FactError[];
}

// Per product, once: each fact's path split into keys and its JSON pointer.
interface FactPlan {
  f: FieldDecl;
  path: string[];
  pointer: string;
  dflt: unknown;
  needs: string[] | undefined;
}
const plans = new WeakMap<Product, FactPlan[]>();

function plan(p: Product) {
  let pl = plans.get(p);
  if (!pl) {
    const needs = defaultsNeed(p);
    pl = p.facts.map((f, i) => {
      const path = f.name.split('.');
      return {
        f,
        path,
        pointer: '/' + path.join('/'),
        dflt: f.default ? literalValue(f.default) : undefined,
        needs: needs[i],
      };
    });
    plans.set(p, pl);
  }
  return pl;
}

// A default stands for what a described section leaves unsaid (no surgery, unless the claim says
// so), not for a section that is not there at all. When the object holding a defaulted fact also
// holds a fact without a default that a cover rule reads (the claim's kind), the default applies
// only if that object is in the input: a claim with no claim section is undetermined, not a claim
// for nothing. Other sections keep their defaults when left out: no guidance from the authority
// (its date then unasked), no premium discount. For each fact: the path of that object, or
// undefined when its default always applies.
export function defaultsNeed(p: Product): (string[] | undefined)[] {
  const read = factsCoverReads(p);
  return p.facts.map((f) => {
    if (!f.default) return undefined;
    const parent = f.name.split('.').slice(0, -1);
    if (parent.length === 0) return undefined;
    const prefix = parent.join('.') + '.';
    return p.facts.some((g) => !g.default && g.name.startsWith(prefix) && read.has(g.name)) ? parent : undefined;
  });
}

// The facts the cover rules read, directly or through formulas, defines, tables and hoisted operands.
function factsCoverReads(p: Product): Set<string> {
  const named = new Map<string, Expr[]>();
  for (const f of p.formulas) named.set(f.name, [f.expr]);
  for (const d of p.derived) named.set(d.name, [d.expr]);
  for (const t of p.tables) for (const o of t.outputs) named.set(`${t.name}.${o.name}`, t.inputs);
  const facts = new Set(p.facts.map((f) => f.name));
  const out = new Set<string>();
  const seen = new Set<string>();
  const names: string[] = [];
  const leaves = (c: Condition | undefined): void => {
    if (!c) return;
    if ('all' in c) c.all.forEach(leaves);
    else if ('any' in c) c.any.forEach(leaves);
    else if ('not' in c) leaves(c.not);
    else {
      names.push(c.fact);
      if (c.value !== null && typeof c.value === 'object' && !Array.isArray(c.value)) names.push(c.value.fact);
    }
  };
  for (const r of p.rules) {
    if (r.kind !== 'cover') continue;
    [r.when, r.unless, r.require].forEach(leaves);
    if (r.forEach) names.push(r.forEach);
  }
  const exprs: Expr[] = [];
  while (names.length || exprs.length) {
    const e = exprs.pop();
    if (e) {
      if ('ref' in e) names.push(e.ref);
      else if ('args' in e) exprs.push(...e.args);
      continue;
    }
    const n = names.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (facts.has(n)) out.add(n);
    else if (named.has(n)) exprs.push(...named.get(n)!);
    else if (n.startsWith('item.')) continue;
    else {
      // A list's field (claim.items.amount) is read through its list.
      const list = [...facts].find((f) => n.startsWith(f + '.'));
      if (list) out.add(list);
    }
  }
  return out;
}

// Facts refused before they are read: values beyond the input limits, and numbers that are not
// finite (JSON 1e309, YAML .inf), anywhere in the input. Walked without recursion.
function limitErrors(p: Product, input: unknown): FactError[] {
  const errors: FactError[] = [];
  const fail = (pointer: string, message: string, expected: string) => errors.push({ pointer, message, expected });
  const numeric = numericPointers(p);
  const stack: [unknown, string][] = [[input, '']];
  while (stack.length && errors.length < 100) {
    const [v, ptr] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(ptr, `${v} is not a finite number`, 'a finite number');
    } else if (typeof v === 'string') {
      const kind = numeric(ptr);
      if (kind && v.length > limits.maxNumberLength) {
        const max = limits.maxNumberLength;
        fail(
          ptr,
          `this ${kind} is ${v.length} characters long; at most ${max} are read`,
          `a ${kind} of at most ${max} characters`,
        );
      } else if (v.length > limits.maxTextLength) {
        const max = limits.maxTextLength;
        fail(
          ptr,
          `this text is ${v.length} characters long; at most ${max} are read`,
          `text of at most ${max} characters`,
        );
      }
    } else if (Array.isArray(v)) {
      if (v.length > limits.maxListItems) {
        const max = limits.maxListItems;
        fail(ptr, `this list has ${v.length} items; at most ${max} are read`, `a list of at most ${max} items`);
        continue;
      }
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${ptr}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push([(v as Record<string, unknown>)[keys[i]!], `${ptr}/${escapePointer(keys[i]!)}`]);
      }
    }
  }
  return errors;
}

function escapePointer(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

// A dotted fact name as a JSON pointer: claim.kind -> /claim/kind.
function pointerOf(name: string): string {
  return '/' + name.split('.').map(escapePointer).join('/');
}

// Which input positions hold an amount, a rate or a number: by pointer, list indices read as `*`.
const numericByProduct = new WeakMap<Product, Map<string, string>>();
function numericPointers(p: Product): (ptr: string) => string | undefined {
  let m = numericByProduct.get(p);
  if (!m) {
    m = new Map();
    const add = (ptr: string, t: TypeRef): void => {
      if (t.kind === 'money') m!.set(ptr, 'amount');
      else if (t.kind === 'rate') m!.set(ptr, 'rate');
      else if (t.kind === 'decimal' || t.kind === 'duration') m!.set(ptr, 'number');
      else if (t.kind === 'list') add(`${ptr}/*`, t.of);
      else if (t.kind === 'record') for (const f of t.fields) add(`${ptr}${pointerOf(f.name)}`, f.type);
    };
    for (const f of p.facts) add(pointerOf(f.name), f.type);
    numericByProduct.set(p, m);
  }
  const map = m;
  return (ptr) => (map.size ? map.get(ptr.replace(/\/\d+(?=\/|$)/g, '/*')) : undefined);
}

// The facts must be an object, and so must every object on the way to the fact at `path` (the
// date that chooses a revision, read before the facts are): anything else is an error at its
// pointer, never a fact taken as missing.
export function factsShapeError(input: unknown, path?: string): FactError | undefined {
  const keys = path ? path.split('.').slice(0, -1) : [];
  let cur = input;
  let pointer = '';
  for (let i = 0; i <= keys.length; i++) {
    if (cur === undefined && i > 0) return undefined;
    if (!isObject(cur)) {
      const what = Array.isArray(cur) ? 'a list' : cur === null ? 'null' : `a ${typeof cur}`;
      const name = i === 0 ? 'the facts are' : `${keys.slice(0, i).join('.')} is`;
      const expected = 'an object (a YAML mapping or a JSON object) of facts';
      return { pointer, message: `${name} ${what}, not an object of facts`, expected };
    }
    if (i < keys.length) {
      cur = cur[keys[i]!];
      pointer += `/${escapePointer(keys[i]!)}`;
    }
  }
  return undefined;
}

// A facts document's text, if it is within the size limit (a YAML one is read by its reader).
export function checkFactsSize(text: string): string {
  if (text.length > limits.maxInputBytes && Buffer.byteLength(text) > limits.maxInputBytes) {
    const bytes = Buffer.byteLength(text);
    throw new SyntaxError(
      `the facts are ${bytes} bytes; at most ${limits.maxInputBytes} are read (YAKKAN_MAX_INPUT_BYTES)`,
    );
  }
  return text;
}

// A facts document written as JSON. JSON.parse keeps the last of two equal keys silently (YAML
// refuses them); here a repeated key is an error naming it, and so is a document over the size
// limit. Errors are thrown as SyntaxError, like JSON.parse's own.
export function parseFactsJson(text: string): unknown {
  const value: unknown = JSON.parse(checkFactsSize(text));
  const dup = repeatedKey(text);
  if (dup) {
    throw new SyntaxError(
      `key ${JSON.stringify(dup.key)} appears twice in one object (at ${dup.pointer}): give each fact once`,
    );
  }
  return value;
}

// The first key repeated within one object of a JSON text already known to be valid JSON.
function repeatedKey(text: string): { key: string; pointer: string } | undefined {
  // Per open object or array: its keys so far (objects) and the key or index being read.
  const stack: { keys: Set<string> | undefined; at: string | number; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) stack.push({ keys: new Set(), at: '', expectKey: true });
    else if (c === 91 /* [ */) stack.push({ keys: undefined, at: 0, expectKey: false });
    else if (c === 125 /* } */ || c === 93 /* ] */) stack.pop();
    else if (c === 44 /* , */) {
      const top = stack[stack.length - 1]!;
      if (top.keys) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    } else if (c === 34 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 92) {
          escaped = true;
          j++;
        } else if (d === 34) break;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const raw = text.slice(i + 1, j);
        const key = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
        top.at = key;
        top.expectKey = false;
        if (top.keys.has(key)) return { key, pointer: stack.map((f) => `/${escapePointer(String(f.at))}`).join('') };
        top.keys.add(key);
      }
      i = j;
    }
  }
  return undefined;
}

export function readFacts(p: Product, input: unknown): ReadFacts {
  const fast = readFast(p, input);
  if (fast) {
    const values = new Map<string, unknown>();
    p.facts.forEach((f, i) => {
      if (fast[i] !== undefined) values.set(f.name, factValue(fast, i));
    });
    return { values, errors: [] };
  }
  return readChecked(p, input);
}

// A number or amount the fast reader has validated but not yet converted: most facts of a
// decision are never read (premium inputs, when no premium is computed), and converting a
// string to a decimal is most of the cost of reading one. Conversion cannot fail once the
// string has passed the reader's check; it happens on first read, through factValue.
export class Pending {
  // The newest one, kept alive: V8 holds the shape (map) of Pending objects only while one lives,
  // so a full GC between decisions dropped it and deoptimised every function that reads slots
  // (the readers, the generated rules, factValue), each GC costing a warm-up (issue 17).
  static newest: Pending | undefined;
  constructor(
    readonly raw: string | number,
    readonly convert: (raw: never) => unknown,
  ) {
    Pending.newest = this;
  }
}

// Slot i's value, converting (once) a pending one.
export function factValue(slots: unknown[], i: number): unknown {
  const v = slots[i];
  if (v instanceof Pending) return (slots[i] = (v.convert as (raw: string | number) => unknown)(v.raw));
  return v;
}

// The evaluator's reader: valid input through the product's specialised reader, anything else
// through JSON Schema validation, which gives the exact errors. Slots may hold Pending values:
// read them with factValue.
export function readFactSlots(p: Product, input: unknown): FactSlots {
  const fast = readFast(p, input);
  if (fast) return { slots: fast, errors: [] };
  const { values, errors } = readChecked(p, input);
  return { slots: p.facts.map((f) => values.get(f.name)), errors };
}

// The two readers apart, for the test that holds them equal (test/robustness-facts.test.ts): the
// fast reader's values (undefined when it gives up) and the reference path's values and errors.
export function readFactsBothWays(p: Product, input: unknown): { fast?: Map<string, unknown>; reference: ReadFacts } {
  const slots = readFast(p, input);
  const reference = readChecked(p, input);
  if (!slots) return { reference };
  const fast = new Map<string, unknown>();
  p.facts.forEach((f, i) => {
    if (slots[i] !== undefined) fast.set(f.name, factValue(slots, i));
  });
  return { fast, reference };
}

// The reference path: Ajv validation (every error, by JSON pointer), then normalization.
function readChecked(p: Product, input: unknown): ReadFacts {
  const errors: FactError[] = [];
  const values = new Map<string, unknown>();
  const shape = factsShapeError(input);
  if (shape) return { values, errors: [shape] };
  const over = limitErrors(p, input);
  if (over.length) return { values, errors: over };
  const v = validator(p);
  if (!v(input)) {
    for (const e of v.errors ?? []) errors.push(ajvError(p, e));
    return { values, errors: dedupe(errors) };
  }
  for (const { f, path, pointer, dflt, needs } of plan(p)) {
    const raw = getPath(input, path);
    if (raw === undefined) {
      if (dflt !== undefined && (!needs || isObject(getPath(input, needs)))) values.set(f.name, dflt);
      continue;
    }
    const val = normalize(f.type, raw, pointer, errors);
    if (val !== undefined && f.oneOf) checkOneOf(f, val, pointer, errors);
    if (val !== undefined) values.set(f.name, val);
  }
  return { values, errors };
}

// ---- the fast reader: plain closures over the product's facts, generated once per product.
// It accepts only what the JSON Schema accepts and normalization turns into a value without an
// error (a strict subset: whatever it is unsure of, it gives up on), and produces the very values
// readChecked does; on anything else it returns undefined and readChecked runs instead.
const FAIL: unique symbol = Symbol('fail');
type FastLeaf = (raw: unknown) => unknown; // the value, or FAIL
// One shape for inner nodes (keys) and fact leaves (slot, fn), so that the walk reads monomorphic fields.
// `seen`: the read that last walked into this object (see defaultsNeed).
interface FastNode {
  keys: Map<string, FastNode> | undefined;
  slot: number;
  fn: FastLeaf | undefined;
  seen: number;
}
interface FastReader {
  root: FastNode;
  size: number;
  // Slot, default value, and the object that must be in the input for it to apply (defaultsNeed).
  defaults: [number, unknown, FastNode | undefined][];
  oneOf: [number, FieldDecl][];
}
let reading = 0;

const fastReaders = new WeakMap<Product, FastReader | null>();

const DECIMAL_RE = new RegExp(DECIMAL);
const MONEY_RE = new RegExp(MONEY);
const RATE_RE = new RegExp(RATE);
const UNSIGNED_DECIMAL_RE = new RegExp(unsigned(DECIMAL));
const UNSIGNED_MONEY_RE = new RegExp(unsigned(MONEY));
const UNSIGNED_RATE_RE = new RegExp(unsigned(RATE));
const DURATION_RE = new RegExp(DURATION);
const PLAIN_RE = /^\d{1,30}(\.\d{1,30})?$/;
const PERCENT_RE = /^(\d{1,30})(?:\.(\d{1,30}))?%$/;

// 1 to 15 ASCII digits (an amount a double holds exactly), without a regex.
function isDigits15(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

// The slow normalizer as a leaf: FAIL when it reports an error.
function viaNormalize(t: TypeRef): FastLeaf {
  return (raw) => {
    const errors: FactError[] = [];
    const v = normalize(t, raw, '', errors);
    return errors.length || v === undefined ? FAIL : v;
  };
}

function fastLeaf(t: TypeRef): FastLeaf | undefined {
  switch (t.kind) {
    case 'boolean':
      return (raw) => (typeof raw === 'boolean' ? raw : FAIL);
    case 'text':
      return (raw) => (typeof raw === 'string' && raw.length <= limits.maxTextLength ? raw : FAIL);
    case 'enum': {
      const allowed = new Set<unknown>(t.values);
      return (raw) => (typeof raw === 'string' && allowed.has(raw) ? raw : FAIL);
    }
    case 'integer': {
      const min = t.signed ? -MAX_INTEGER : 0;
      return (raw) => (Number.isSafeInteger(raw) && (raw as number) >= min ? new Pending(raw as number, dec) : FAIL);
    }
    case 'decimal':
    case 'rate': {
      // Once the pattern matched and the digits are well grouped, normalize cannot fail
      // (parsePlainNumber and parsePercent accept exactly these strings). A plain non-negative
      // decimal converts directly: the same value.
      const re =
        t.kind === 'decimal' ? (t.signed ? DECIMAL_RE : UNSIGNED_DECIMAL_RE) : t.signed ? RATE_RE : UNSIGNED_RATE_RE;
      const convert = (raw: string) => {
        if (PLAIN_RE.test(raw)) return dec(raw);
        // "95%" is 95e-2: the same decimal parsePercent gives, without its BigInt arithmetic.
        const pct = t.kind === 'rate' ? PERCENT_RE.exec(raw) : null;
        if (pct) return dec(`${pct[1]}${pct[2] ?? ''}e-${(pct[2]?.length ?? 0) + 2}`);
        return normalize(t, raw, '', []);
      };
      const ok = (raw: unknown): raw is string =>
        typeof raw === 'string' && raw.length <= limits.maxNumberLength && re.test(raw) && wellGrouped(raw);
      return (raw) => (ok(raw) ? new Pending(raw, convert) : FAIL);
    }
    case 'money': {
      const slow = viaNormalize(t);
      const currency = t.currency;
      const convert = (raw: string) => new Money(dec(raw), currency);
      const re = t.signed ? MONEY_RE : UNSIGNED_MONEY_RE;
      return (raw) => {
        if (typeof raw !== 'string') return FAIL;
        if (isDigits15(raw)) return new Pending(raw, convert);
        return raw.length <= limits.maxNumberLength && re.test(raw) ? slow(raw) : FAIL;
      };
    }
    case 'date':
      return (raw) => (typeof raw === 'string' && isIsoDate(raw) ? raw : FAIL);
    case 'time':
      return (raw) => (typeof raw === 'string' && isTime(raw) ? raw : FAIL);
    case 'duration': {
      const slow = viaNormalize(t);
      const unit = t.unit;
      return (raw) => {
        if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? new Duration(raw, unit) : FAIL;
        return typeof raw === 'string' && DURATION_RE.test(raw) ? slow(raw) : FAIL;
      };
    }
    case 'list': {
      const of = eager(fastLeaf(t.of));
      if (!of) return undefined;
      return (raw) => {
        if (!Array.isArray(raw) || raw.length > limits.maxListItems) return FAIL;
        const out: unknown[] = new Array(raw.length);
        for (let i = 0; i < raw.length; i++) {
          const v = of(raw[i]);
          if (v === FAIL) return FAIL;
          out[i] = v;
        }
        return out;
      };
    }
    case 'record': {
      // A dotted field name would be a nested object in the schema: leave those to the slow path.
      if (t.fields.some((f) => f.name.includes('.'))) return undefined;
      const fields = t.fields.map((f) => ({ f, fn: eager(fastLeaf(f.type)), dflt: f.default ? f.default : undefined }));
      if (fields.some((x) => !x.fn)) return undefined;
      const names = new Set(t.fields.map((f) => f.name));
      return (raw) => {
        if (!isObject(raw)) return FAIL;
        for (const k in raw) if (!names.has(k)) return FAIL;
        const out: Record<string, unknown> = {};
        for (const { f, fn, dflt } of fields) {
          const x = raw[f.name];
          if (x === undefined) {
            if (dflt) out[f.name] = literalValue(dflt);
            continue;
          }
          const v = fn!(x);
          if (v === FAIL) return FAIL;
          if (f.oneOf && !oneOfHolds(f, v)) return FAIL;
          out[f.name] = v;
        }
        return out;
      };
    }
  }
}

// Inside lists and records values are read directly: convert at once.
function eager(fn: FastLeaf | undefined): FastLeaf | undefined {
  if (!fn) return undefined;
  return (raw) => {
    const v = fn(raw);
    return v instanceof Pending ? (v.convert as (raw: string | number) => unknown)(v.raw) : v;
  };
}

// Per field, its equality and its allowed values as values: made once, not per fact read.
const allowed = new WeakMap<FieldDecl, { eq: (a: unknown, b: unknown) => boolean; values: unknown[] }>();
function oneOfHolds(f: FieldDecl, val: unknown): boolean {
  let a = allowed.get(f);
  if (!a) allowed.set(f, (a = { eq: equals(f.type), values: f.oneOf!.map(literalValue) }));
  for (const v of a.values) if (a.eq(v, val)) return true;
  return false;
}

function fastReader(p: Product): FastReader | null {
  let r = fastReaders.get(p);
  if (r !== undefined) return r;
  r = buildFastReader(p);
  fastReaders.set(p, r);
  return r;
}

function buildFastReader(p: Product): FastReader | null {
  const root: FastNode = { keys: new Map(), slot: -1, fn: undefined, seen: 0 };
  const defaults: [number, unknown, FastNode | undefined][] = [];
  const oneOf: [number, FieldDecl][] = [];
  const needs = defaultsNeed(p);
  for (let i = 0; i < p.facts.length; i++) {
    const f = p.facts[i]!;
    const fn = fastLeaf(f.type);
    if (!fn) return null;
    const path = f.name.split('.');
    let node = root;
    for (const k of path.slice(0, -1)) {
      let next = node.keys!.get(k);
      if (next === undefined) node.keys!.set(k, (next = { keys: new Map(), slot: -1, fn: undefined, seen: 0 }));
      if (next.keys === undefined) return null; // a fact that is also a prefix of another: slow path
      node = next;
    }
    const last = path[path.length - 1]!;
    if (node.keys!.has(last)) return null;
    node.keys!.set(last, { keys: undefined, slot: i, fn, seen: 0 });
    if (f.default) defaults.push([i, literalValue(f.default), needs[i] ? node : undefined]);
    if (f.oneOf) oneOf.push([i, f]);
  }
  return { root, size: p.facts.length, defaults, oneOf };
}

function walkFast(node: FastNode, obj: unknown, slots: unknown[]): boolean {
  if (!isObject(obj)) return false;
  node.seen = reading;
  for (const k in obj) {
    const ch = node.keys!.get(k);
    if (ch === undefined) return false;
    const raw = obj[k];
    if (raw === undefined) continue;
    if (ch.keys !== undefined) {
      if (!walkFast(ch, raw, slots)) return false;
    } else {
      const v = ch.fn!(raw);
      if (v === FAIL) return false;
      slots[ch.slot] = v;
    }
  }
  return true;
}

function readFast(p: Product, input: unknown): unknown[] | undefined {
  const r = fastReader(p);
  if (!r) return undefined;
  const slots: unknown[] = new Array(r.size);
  reading++;
  if (!walkFast(r.root, input, slots)) return undefined;
  for (const [i, f] of r.oneOf) if (slots[i] !== undefined && !oneOfHolds(f, factValue(slots, i))) return undefined;
  for (const [i, d, parent] of r.defaults) {
    if (slots[i] === undefined && (!parent || parent.seen === reading)) slots[i] = d;
  }
  return slots;
}

function checkOneOf(f: FieldDecl, val: unknown, pointer: string, errors: FactError[]): void {
  if (!oneOfHolds(f, val)) {
    errors.push({
      pointer,
      message: `${f.label ?? f.name}: this value is not one of the options`,
      expected: `one of ${f.oneOf!.map(literalText).join(', ')}`,
    });
  }
}

function getPath(o: unknown, path: string[]): unknown {
  let cur = o;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function normalize(t: TypeRef, raw: unknown, pointer: string, errors: FactError[]): unknown {
  const fail = (expected: string, message = 'invalid value') => {
    errors.push({ pointer, message, expected });
    return undefined;
  };
  switch (t.kind) {
    case 'boolean':
    case 'text':
    case 'enum':
      return raw;
    case 'integer':
      return dec(raw as number);
    case 'decimal': {
      const s = parsePlainNumber(raw as string);
      return s === undefined ? fail('a decimal number as a string, e.g. "0.45"') : dec(s);
    }
    case 'rate': {
      const s = String(raw).match(/[%％]$/) ? parsePercent(raw as string) : parsePlainNumber(raw as string);
      return s === undefined ? fail('a rate as a string, e.g. "0.9" or "90%"') : dec(s);
    }
    case 'money': {
      // Most amounts are plain digits: skip the pamphlet-notation parser for them.
      if (typeof raw === 'string' && /^\d{1,15}$/.test(raw)) return new Money(dec(raw), t.currency);
      const s = String(raw).trim();
      const m =
        parseMoney(s) ??
        (parsePlainNumber(s) !== undefined ? { amount: parsePlainNumber(s)!, currency: t.currency } : undefined) ??
        (parseJapaneseNumber(s) !== undefined ? { amount: parseJapaneseNumber(s)!, currency: t.currency } : undefined);
      if (!m) return fail(`an amount in ${t.currency} as a string, e.g. "90000000" or "9,000万円"`);
      if (m.currency !== t.currency)
        return fail(`an amount in ${t.currency}`, `amount is in ${m.currency}, not ${t.currency}`);
      return new Money(dec(m.amount), m.currency);
    }
    case 'date':
      return isIsoDate(raw as string)
        ? raw
        : fail('a calendar date YYYY-MM-DD', `${String(raw)} is not a calendar date`);
    case 'time':
      return isTime(raw as string) ? raw : fail(TIME_EXPECTED, `${String(raw)} is not a time of day`);
    case 'duration': {
      if (typeof raw === 'number') return new Duration(raw, t.unit);
      const d = parseDuration(raw as string);
      if (!d) return fail(`a duration in ${t.unit}, e.g. 45 or "45 days"`);
      if (d.unit !== t.unit) return fail(`a duration in ${t.unit}`, `duration is in ${d.unit}, not ${t.unit}`);
      return new Duration(d.value, d.unit);
    }
    case 'list': {
      const out: unknown[] = [];
      (raw as unknown[]).forEach((x, i) => {
        const v = normalize(t.of, x, `${pointer}/${i}`, errors);
        out.push(v);
      });
      return out;
    }
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const f of t.fields) {
        const x = (raw as Record<string, unknown>)[f.name];
        if (x === undefined) {
          if (f.default) out[f.name] = literalValue(f.default);
          continue;
        }
        const v = normalize(f.type, x, `${pointer}/${f.name}`, errors);
        if (v !== undefined && f.oneOf) checkOneOf(f, v, `${pointer}/${f.name}`, errors);
        if (v !== undefined) out[f.name] = v;
      }
      return out;
    }
  }
}

function expectedFor(p: Product, pointer: string): { decl?: FieldDecl; expected: string } {
  const segs = pointer
    .split('/')
    .slice(1)
    .filter((s) => !/^\d+$/.test(s));
  const name = segs.join('.');
  const decl = p.facts.find((f) => f.name === name);
  if (decl) return { decl, expected: expectedText(decl.type) };
  for (const f of p.facts) {
    if (f.type.kind === 'list' && f.type.of.kind === 'record' && name.startsWith(f.name + '.')) {
      const fd = f.type.of.fields.find((x) => x.name === name.slice(f.name.length + 1));
      if (fd) return { decl: fd, expected: expectedText(fd.type) };
    }
  }
  return { expected: 'a declared fact' };
}

export function expectedText(t: TypeRef): string {
  switch (t.kind) {
    case 'boolean':
      return 'true or false';
    case 'integer':
      return 'a whole number';
    case 'decimal':
      return 'a decimal number as a string, e.g. "0.45"';
    case 'rate':
      return 'a rate as a string, e.g. "0.9" or "90%"';
    case 'money':
      return `an amount in ${t.currency} as a string, e.g. "90000000" or "9,000万円"`;
    case 'date':
      return 'a date YYYY-MM-DD';
    case 'time':
      return TIME_EXPECTED;
    case 'duration':
      return `a duration in ${t.unit}, e.g. 45`;
    case 'enum':
      return `one of ${t.values.join(', ')}`;
    case 'text':
      return 'text';
    case 'list':
      return `a list of ${expectedText(t.of)}`;
    case 'record':
      return `an object with ${t.fields.map((f) => f.name).join(', ')}`;
  }
}

function ajvError(p: Product, e: ErrorObject): FactError {
  if (e.keyword === 'additionalProperties') {
    const prop = (e.params as { additionalProperty: string }).additionalProperty;
    const pointer = `${e.instancePath}/${prop}`;
    const prefix = e.instancePath
      .split('/')
      .slice(1)
      .filter((s) => !/^\d+$/.test(s))
      .join('.');
    const siblings = new Set<string>();
    for (const f of p.facts) {
      const full = f.name;
      if (prefix === '' || full.startsWith(prefix + '.'))
        siblings.add(full.slice(prefix ? prefix.length + 1 : 0).split('.')[0]!);
      if (f.type.kind === 'list' && f.type.of.kind === 'record' && prefix === f.name)
        for (const fd of f.type.of.fields) siblings.add(fd.name);
    }
    const guess = closest(prop, siblings);
    return {
      pointer,
      message: `unknown fact${guess ? ` (did you mean ${guess}?)` : ''}`,
      expected: `one of ${[...siblings].sort().join(', ')}`,
    };
  }
  const { decl, expected } = expectedFor(p, e.instancePath);
  const what = decl?.label ? `${decl.label}: ` : '';
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues?.map(String) ?? [];
    const given = e.data;
    const guess = typeof given === 'string' ? closest(given, allowed) : undefined;
    return {
      pointer: e.instancePath,
      message: `${what}${JSON.stringify(given)} is not one of the allowed values${guess ? ` (did you mean ${guess}?)` : ''}`,
      expected,
    };
  }
  if (
    e.keyword === 'type' &&
    typeof e.data === 'number' &&
    decl &&
    ['money', 'decimal', 'rate'].includes(decl.type.kind)
  ) {
    return {
      pointer: e.instancePath,
      message: `${what}${e.data} is a JSON number; amounts, rates and decimals are written as strings so that no precision is lost`,
      expected,
    };
  }
  const data = JSON.stringify(e.data);
  const negative =
    (typeof e.data === 'number' && e.data < 0) || (typeof e.data === 'string' && /^\s*(USD|JPY|EUR)?\s*-/.test(e.data));
  const signed = decl && 'signed' in decl.type && decl.type.signed;
  if ((e.keyword === 'minimum' || e.keyword === 'pattern') && negative && decl && !signed) {
    const message = `${what}${data} is negative: amounts, rates and counts are not, unless the fact is declared signed`;
    return { pointer: e.instancePath, message, expected: `${expected}, not negative` };
  }
  if (e.keyword === 'maximum' || e.keyword === 'minimum') {
    const message = `${what}${data} is beyond the whole numbers JSON holds exactly`;
    return { pointer: e.instancePath, message, expected: `${expected} between ${-MAX_INTEGER} and ${MAX_INTEGER}` };
  }
  if (e.keyword === 'type' || e.keyword === 'pattern')
    return { pointer: e.instancePath, message: `${what}invalid value`, expected };
  return { pointer: e.instancePath, message: `${what}${e.message ?? 'invalid'}`, expected };
}

function dedupe(errors: FactError[]): FactError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (seen.has(e.pointer)) return false;
    seen.add(e.pointer);
    return true;
  });
}
