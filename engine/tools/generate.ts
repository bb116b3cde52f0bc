// A corpus derived from the rules themselves: start from an example claim and vary one thing at a
// time — each threshold a condition names and the values just either side of it, each enum
// value, each table row, each in-force boundary, each fact left out. Past those, random mixes
// of several variations fill up to --count. Seeded, so the same seed gives the same corpus.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Cell, Condition, Expr, FieldDecl, Product, TypeRef } from '../../dsl/ir.js';
import { literalText } from '../../dsl/literals.js';
import { forEachLeaf } from '../pipeline/check.js';
import { namedValues, type Compiled } from '../pipeline/evaluate/index.js';
import { readYaml } from './cases.js';
import { Fraction, isOrdered, minuteToTime, timeToMinute } from '../pipeline/operators.js';
import { addDuration, Duration, isDec, isDuration, isMoney, dec } from '../pipeline/money.js';
import { leafValue, literalValue, numericValue } from '../pipeline/values.js';
import type { Revision } from '../loading/load.js';

// mulberry32: small, fast, and the same sequence on every platform for a given seed.
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Facts = Record<string, unknown>;

export interface Variation {
  why: string;
  path: string[];
  value: unknown;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

function setPath(o: Facts, path: string[], value: unknown): void {
  let cur: Record<string, unknown> = o;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const next = cur[k];
    if (next === null || typeof next !== 'object') {
      // Leaving out a fact whose parent is absent leaves the facts as they are.
      if (value === undefined) return;
      cur[k] = /^\d+$/.test(path[i + 1]!) ? [] : {};
    }
    cur = cur[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(cur)) return;
    delete cur[last];
  } else cur[last] = value;
}

// A value of a declared type as a facts file writes it (money and rates as strings).
function sample(t: TypeRef, p: Product): unknown {
  switch (t.kind) {
    case 'boolean':
      return false;
    case 'integer':
      return 1;
    case 'decimal':
      return '1';
    case 'rate':
      return '0.5';
    case 'money':
      return '1000000';
    case 'date':
      return p.inForce.from ?? '2025-04-01';
    case 'time':
      return '12:00';
    case 'duration':
      return 30;
    case 'enum':
      return t.values[0];
    case 'text':
      return 'text';
    case 'list':
      return [sample(t.of, p)];
    case 'record': {
      const o: Facts = {};
      for (const f of t.fields) setPath(o, f.name.split('.'), sample(f.type, p));
      return o;
    }
  }
}

export function synthesizedFacts(p: Product): Facts {
  const o: Facts = {};
  for (const f of p.facts) if (!f.default) setPath(o, f.name.split('.'), sample(f.type, p));
  return o;
}

// The example claim beside the product, when there is one: variations of a realistic claim
// reach far more rules than variations of made-up values.
export function exampleFacts(productPath: string, p: Product): Facts {
  const dir = existsSync(productPath) && statSync(productPath).isDirectory() ? productPath : dirname(productPath);
  // Without an example, the first case file will do.
  for (const sub of ['examples', 'cases']) {
    const ex = join(dir, sub);
    if (!existsSync(ex)) continue;
    for (const f of readdirSync(ex).sort()) {
      if (!/\.(ya?ml|json)$/.test(f)) continue;
      const text = readFileSync(join(ex, f), 'utf8');
      const data = (f.endsWith('.json') ? JSON.parse(text) : readYaml(text)) as Facts;
      if (data && typeof data === 'object')
        return 'facts' in data && 'expect' in data ? (data['facts'] as Facts) : data;
    }
  }
  return synthesizedFacts(p);
}

// ---- values around a threshold, written as facts files write them

type Step = 'below' | 'at' | 'above';

function shift(t: TypeRef, v: unknown, by: -1 | 0 | 1): unknown {
  if (t.kind === 'date' && typeof v === 'string')
    return by === 0 ? v : addDuration(v, new Duration(1, 'days'), by === 1 ? 1 : -1);
  if (t.kind === 'time' && typeof v === 'string') return minuteToTime(timeToMinute(v) + by);
  if (t.kind === 'duration') {
    const n = isDuration(v) ? v.n : Number(v);
    return Math.max(0, n + by);
  }
  const amount = isMoney(v) ? v.amount : isDec(v) || v instanceof Fraction ? numericValue(v) : dec(String(v));
  const delta = t.kind === 'rate' || t.kind === 'decimal' ? dec('0.01') : dec(1);
  const x = amount.plus(delta.mul(by));
  if (t.kind === 'integer') return x.toNumber();
  return x.toString();
}

interface Ctx {
  p: Product;
  c: Compiled;
  base: Facts;
  out: Variation[];
  types: Map<string, TypeRef>;
}

function around(x: Ctx, fact: string, t: TypeRef, v: unknown, what: string): void {
  const path = factPath(x, fact);
  if (!path) return;
  const steps: [Step, -1 | 0 | 1][] = [
    ['below', -1],
    ['at', 0],
    ['above', 1],
  ];
  for (const [name, by] of steps) x.out.push({ why: `${fact} ${name} ${what}`, path, value: shift(t, v, by) });
}

// An input fact's path in the facts file; inside `for each`, the first element's field.
function factPath(x: Ctx, fact: string, list?: string): string[] | undefined {
  if (fact.startsWith('item.') && list) return [...list.split('.'), '0', fact.slice(5)];
  return x.types.has(fact) ? fact.split('.') : undefined;
}

function typeOf(x: Ctx, fact: string, list?: string): TypeRef | undefined {
  if (fact.startsWith('item.') && list) {
    const lt = x.types.get(list);
    if (lt?.kind === 'list' && lt.of.kind === 'record') return lt.of.fields.find((f) => f.name === fact.slice(5))?.type;
    return undefined;
  }
  return x.types.get(fact);
}

function conditionVariations(x: Ctx, c: Condition | undefined, list: string | undefined): void {
  if (!c) return;
  forEachLeaf(c, (l) => {
    const t = typeOf(x, l.fact, list);
    if (!t || !isOrdered(t)) return;
    const path = factPath(x, l.fact, list);
    if (!path) return;
    if (typeof l.value === 'object' && !Array.isArray(l.value)) {
      // A moving threshold (`loss.known_date + 45 days`): its value for the example claim.
      const right = l.value.fact;
      const v = namedValues(x.c, x.base, [right], list ? 0 : undefined).get(right);
      const derived = x.p.derived.find((d) => d.name === right);
      if (v !== undefined) {
        const shown = derived ? exprShort(derived.expr) : right;
        const p = path;
        for (const [name, by] of [
          ['below', -1],
          ['at', 0],
          ['above', 1],
        ] as const) {
          x.out.push({ why: `${l.fact} ${name} ${shown}`, path: p, value: shift(t, v, by) });
        }
      }
      return;
    }
    if (Array.isArray(l.value)) return;
    const v = leafValue(l.value, t);
    const fakeFact = path.join('.');
    for (const [name, by] of [
      ['below', -1],
      ['at', 0],
      ['above', 1],
    ] as const) {
      x.out.push({ why: `${fakeFact} ${name} ${String(l.value)}`, path, value: shift(t, v, by) });
    }
  });
}

function exprShort(e: Expr): string {
  if ('ref' in e) return e.ref;
  if ('lit' in e) return literalText(e.lit);
  if ('op' in e && e.args.length === 2)
    return `${exprShort(e.args[0]!)} ${e.op === 'add' ? '+' : e.op === 'sub' ? '-' : e.op} ${exprShort(e.args[1]!)}`;
  return '(expression)';
}

// Comparisons of a fact with a constant inside formulas (`if loss.amount > 1億円 then ...`).
function exprVariations(x: Ctx, e: Expr | undefined): void {
  if (!e || 'lit' in e || 'ref' in e) return;
  if ('op' in e && ['lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(e.op)) {
    const [a, b] = e.args;
    if (a && b && 'ref' in a && 'lit' in b) {
      const t = x.types.get(a.ref);
      if (t && isOrdered(t)) around(x, a.ref, t, literalValue(b.lit), literalText(b.lit));
    }
  }
  for (const arg of e.args) exprVariations(x, arg);
}

function cellValues(cell: Cell, t: TypeRef): { what: string; value: unknown }[] {
  if ('any' in cell) return [];
  if ('in' in cell) return cell.in.slice(0, 1).map((l) => ({ what: literalText(l), value: literalValue(l) }));
  if ('range' in cell) return cell.range.map((l) => ({ what: literalText(l), value: literalValue(l) }));
  const by = cell.cmp === 'lt' ? -1 : cell.cmp === 'gt' ? 1 : 0;
  return [
    {
      what: `${cell.cmp} ${literalText(cell.value)}`,
      value: isOrdered(t) ? shift(t, literalValue(cell.value), by) : literalValue(cell.value),
    },
  ];
}

// A value as a facts file writes it.
function written(t: TypeRef, v: unknown): unknown {
  if (isMoney(v)) return v.amount.toString();
  if (isDuration(v)) return v.n;
  if (isDec(v) || v instanceof Fraction) {
    const d = numericValue(v);
    return t.kind === 'integer' ? d.toNumber() : d.toString();
  }
  return v;
}

export function variations(rev: Revision & { compiled: Compiled }, base: Facts): Variation[] {
  const p = rev.checked.product;
  const types = new Map<string, TypeRef>(p.facts.map((f: FieldDecl) => [f.name, f.type]));
  const x: Ctx = { p, c: rev.compiled, base, out: [], types };
  // Each fact left out (the decision must name it as missing), each enum value, both booleans.
  for (const f of p.facts) {
    const path = f.name.split('.');
    if (!f.default) x.out.push({ why: `${f.name} missing`, path, value: undefined });
    if (f.type.kind === 'enum') for (const v of f.type.values) x.out.push({ why: `${f.name} = ${v}`, path, value: v });
    if (f.type.kind === 'boolean')
      for (const v of [true, false]) x.out.push({ why: `${f.name} = ${v}`, path, value: v });
    if (f.type.kind === 'list' && f.type.of.kind === 'record') {
      for (const fld of f.type.of.fields) {
        const ip = [...path, '0', ...fld.name.split('.')];
        if (fld.type.kind === 'enum')
          for (const v of fld.type.values) x.out.push({ why: `${f.name}[0].${fld.name} = ${v}`, path: ip, value: v });
        if (fld.type.kind === 'boolean')
          for (const v of [true, false]) x.out.push({ why: `${f.name}[0].${fld.name} = ${v}`, path: ip, value: v });
      }
    }
    for (const o of f.oneOf ?? [])
      x.out.push({ why: `${f.name} = ${literalText(o)} (one of)`, path, value: written(f.type, literalValue(o)) });
  }
  for (const r of p.rules) for (const c of [r.when, r.unless, r.require]) conditionVariations(x, c, r.forEach);
  for (const a of p.amounts) {
    for (const st of a.steps) {
      conditionVariations(x, st.when, a.forEach);
      exprVariations(x, st.expr);
    }
  }
  for (const f of p.formulas) exprVariations(x, f.expr);
  for (const d of p.derived) exprVariations(x, d.expr);
  // One case per table row: every plain-fact input set to a value the row matches.
  for (const t of p.tables) {
    t.rows.forEach((row, i) => {
      const sets: { path: string[]; value: unknown; what: string }[] = [];
      row.cells.forEach((cell, j) => {
        const input = t.inputs[j]!;
        if (!('ref' in input)) return;
        const ft = types.get(input.ref);
        if (!ft) return;
        const v = cellValues(cell, ft)[0];
        if (v) sets.push({ path: input.ref.split('.'), value: written(ft, v.value), what: `${input.ref} ${v.what}` });
      });
      if (sets.length === 1)
        x.out.push({
          why: `table ${t.name} row ${i + 1} (${sets[0]!.what})`,
          path: sets[0]!.path,
          value: sets[0]!.value,
        });
      else if (sets.length > 1) {
        // Several inputs: chain them as one variation list entry per input, tagged with the row.
        for (const s of sets)
          x.out.push({ why: `table ${t.name} row ${i + 1} (${s.what})`, path: s.path, value: s.value });
      }
    });
  }
  // The revision's in-force period, at and either side of each end.
  if (p.chosenBy && types.get(p.chosenBy)?.kind === 'date') {
    const t = types.get(p.chosenBy)!;
    if (p.inForce.from) around(x, p.chosenBy, t, p.inForce.from, `in force from ${p.inForce.from}`);
    if (p.inForce.until) around(x, p.chosenBy, t, p.inForce.until, `in force until ${p.inForce.until}`);
  }
  return x.out.map((v) => ({
    ...v,
    value: v.value === undefined ? undefined : written(typeOfPath(types, v.path), v.value),
  }));
}

function typeOfPath(types: Map<string, TypeRef>, path: string[]): TypeRef {
  return types.get(path.join('.')) ?? { kind: 'text' };
}

export interface Generated {
  why: string;
  facts: Facts;
}

// The derived cases first (the example claim, then one variation each, duplicates dropped),
// then random mixes of 2 to 4 variations up to `count`. Streams: a million cases are produced
// one at a time.
export function* generate(
  revs: (Revision & { compiled: Compiled })[],
  base: Facts,
  opts: { seed: number; count?: number },
): Generator<Generated> {
  const all: Variation[] = [];
  const seenWhy = new Set<string>();
  for (const rev of revs) {
    for (const v of variations(rev, base)) {
      const key = `${v.path.join('.')}=${JSON.stringify(v.value)}`;
      if (seenWhy.has(key)) continue;
      seenWhy.add(key);
      all.push(v);
    }
  }
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  let n = 0;
  const seen = new Set<string>();
  const emit = (why: string, facts: Facts): Generated | undefined => {
    const key = JSON.stringify(facts);
    if (seen.has(key)) return undefined;
    seen.add(key);
    return { why, facts };
  };
  const first = emit('example claim', clone(base));
  if (first && n < limit) {
    n++;
    yield first;
  }
  for (const v of all) {
    if (n >= limit) return;
    const f = clone(base);
    setPath(f, v.path, v.value);
    const g = emit(v.why, f);
    if (g) {
      n++;
      yield g;
    }
  }
  seen.clear();
  if (all.length === 0 || opts.count === undefined) return;
  const rand = prng(opts.seed);
  while (n < limit) {
    const k = 2 + Math.floor(rand() * 3);
    const f = clone(base);
    const whys: string[] = [];
    for (let i = 0; i < k; i++) {
      const v = all[Math.floor(rand() * all.length)]!;
      setPath(f, v.path, v.value);
      whys.push(v.why);
    }
    n++;
    yield { why: whys.join('; '), facts: f };
  }
}
