// The fast path's plan, built once at compile time (fast.ts runs it).
//
// A claim rule is "plain" when it reads only input facts (no formulas, tables, derived values,
// items): it has no side effects (memo, lookups) and it is unknown exactly when a fact it reads
// is missing and the rest cannot settle it. Plain rules are evaluated level by level of the
// outcome ladder; past the level that decides, a plain rule whose facts are all present cannot
// be unknown, so it is not evaluated at all. A plain rule whose `when` has a conjunct
// `fact = value` (or `in`, `not`) on an enum or boolean fact is false whenever that fact holds
// another value, and one with a threshold conjunct (`fact > literal` and the like) on a money or
// number fact is false on the other side of it: indexes from values to the rules they make false
// skip those rules without evaluating anything.
import type { Condition, Leaf } from '../../../dsl/ir.js';
import { comparator, isNumeric, type VType } from '../operators.js';
import { isDec, isMoney, type Dec } from '../money.js';
import { leafValue } from '../values.js';
import type { ShownValue } from '../decision-types.js';
import type { CompiledRule } from './compiled.js';
import type { Compiler } from './compile.js';

export interface FastPlan {
  // Claim rules that are not plain, in source order, and per level: evaluated as the reference
  // evaluates them.
  sideEffecting: number[];
  sideByLevel: number[][];
  // Per claim rule, the slots of the facts it reads; undefined: not plain.
  factsOf: (Int32Array | undefined)[];
  // Every slot a plain rule reads.
  plainSlots: Int32Array;
  // Bits number the plain rules in ladder order (level by level, source order within a level):
  // bitOf[claim index], ruleAt[bit]; per level, the mask of its plain rules and its word range.
  words: number;
  bitOf: Int32Array;
  ruleAt: Int32Array;
  levelMask: Uint32Array[];
  levelWords: [number, number][];
  // Every kill bitset, `words` words each, in one array (cache-friendly): the indexes below give
  // offsets into it.
  pool: Uint32Array;
  index: { slot: number; kill: Map<unknown, number> }[];
  ranges: RangeIndex[];
  // 1: a rule the indexes decide alone (every conjunct of its `when` indexed, nothing else to
  // it): not killed, with all its facts present, it fired.
  full: Uint8Array;
  // The same by bit, a word per 32 plain rules.
  fullMask: Uint32Array;
  // Per full rule, its checks when it fires, but for the actual values (see firedChecks).
  firedChecks: (FiredCheck[] | undefined)[];
  // Per slot: how a Pending value of the fact's type shows without converting it (see fast.ts).
  rawShow: (string | 0 | undefined)[];
}

export interface FiredCheck extends PlainLeafShown {
  // true, or false for a leaf under `not`.
  result: boolean;
}
interface PlainLeafShown {
  text: string;
  fact: string;
  operator: string;
  required: ShownValue;
  slot: number;
}

// Threshold conjuncts on one fact and comparison: the literals sorted, and for each position the
// rules that the fact's value makes false when it lies on the killing side of that literal.
export interface RangeIndex {
  slot: number;
  // gt: fact > X, killed when X >= v; ge: killed when X > v; lt: fact < X, killed when X <= v; le: killed when X < v.
  op: 'gt' | 'ge' | 'lt' | 'le';
  // The literals' decimals (an amount's amount), and whether the fact's value is an amount.
  xs: Dec[];
  money: boolean;
  // The same literals as JS numbers, when all are integers a double holds exactly.
  xn: Float64Array | undefined;
  // gt/ge: killed[k] = rules of positions k..end; lt/le: positions 0..k (offsets into the pool).
  killed: Int32Array;
}

const FLIP = { gt: 'le', ge: 'lt', lt: 'ge', le: 'gt' } as const;
const OPS: Record<string, RangeIndex['op']> = {
  greaterThan: 'gt',
  greaterThanInclusive: 'ge',
  lessThan: 'lt',
  lessThanInclusive: 'le',
};

export function planFast(rules: CompiledRule[], claimLevels: number[][], cx: Compiler): FastPlan {
  const facts = cx.product.facts;
  const words = Math.ceil(rules.length / 32) || 1;
  // The facts each plain rule reads (undefined: the rule is not plain).
  const slotsOf = rules.map((cr) => {
    const slots = new Set<number>();
    const conds = [cr.rule.when, cr.rule.unless, cr.rule.require];
    return conds.every((cnd) => cnd === undefined || plainFacts(cnd, cx.plainSlot, slots)) ? slots : undefined;
  });
  // Ladder order of the plain rules; computed before the kill sets, which use it.
  const bitOf = new Int32Array(rules.length).fill(-1);
  const ruleAt: number[] = [];
  for (const idx of claimLevels)
    for (const i of idx)
      if (slotsOf[i]) {
        bitOf[i] = ruleAt.length;
        ruleAt.push(i);
      }
  const factsOf = slotsOf.map((slots) => (slots ? Int32Array.from(slots) : undefined));
  const kills = new Map<number, Map<unknown, Uint32Array>>();
  const full = new Uint8Array(rules.length);
  const firedChecks: FastPlan['firedChecks'] = new Array(rules.length).fill(undefined);
  const thresholds = new Map<
    string,
    { slot: number; op: RangeIndex['op']; t: VType; at: { x: unknown; rule: number }[] }
  >();
  const domain = (slot: number): unknown[] | undefined => {
    const t = facts[slot]!.type;
    return t.kind === 'enum' ? t.values : t.kind === 'boolean' ? [true, false] : undefined;
  };
  rules.forEach((cr, i) => {
    if (!slotsOf[i]) return;
    const w = cr.rule.when;
    const conjuncts = w === undefined ? [] : 'all' in w ? w.all : [w];
    let indexed = 0;
    for (const k of conjuncts) {
      const neg = 'not' in k;
      const l = (neg ? (k as { not: Condition }).not : k) as Leaf;
      if (!('fact' in l)) continue;
      const slot = cx.plainSlot(l.fact);
      if (slot === undefined) continue;
      const t = facts[slot]!.type;
      if (
        OPS[l.operator] &&
        (t.kind === 'money' || isNumeric(t)) &&
        (typeof l.value === 'string' || typeof l.value === 'number')
      ) {
        // A present fact makes `not (a > x)` exactly `a <= x`.
        const op = neg ? FLIP[OPS[l.operator]!] : OPS[l.operator]!;
        const x = leafValue(l.value, t);
        if (!(t.kind === 'money' ? isMoney(x) : isDec(x))) continue;
        const key = `${slot} ${op}`;
        let g = thresholds.get(key);
        if (!g) thresholds.set(key, (g = { slot, op, t, at: [] }));
        g.at.push({ x, rule: i });
        indexed++;
        continue;
      }
      if (!['equal', 'notEqual', 'in', 'notIn'].includes(l.operator)) continue;
      const dom = domain(slot);
      if (!dom) continue;
      const isArr = Array.isArray(l.value);
      if (
        (l.operator === 'in' || l.operator === 'notIn') !== isArr ||
        (typeof l.value === 'object' && l.value !== null && !isArr)
      )
        continue;
      const lits = (isArr ? l.value : [l.value]) as unknown[];
      const positive = (l.operator === 'equal' || l.operator === 'in') !== neg;
      let m = kills.get(slot);
      if (!m) kills.set(slot, (m = new Map(dom.map((v) => [v, new Uint32Array(words)]))));
      const b = bitOf[i]!;
      for (const v of dom) if (lits.includes(v) !== positive) m.get(v)![b >>> 5]! |= 1 << (b & 31);
      indexed++;
    }
    if (w !== undefined && indexed === conjuncts.length && !cr.requires && !cr.rule.unless) {
      full[i] = 1;
      // Fired, every conjunct is true: its leaf checked true (false under a `not`), one check
      // per leaf in source order, as evaluating the rule with its checks records them.
      const checks: FiredCheck[] = [];
      for (const k of conjuncts) {
        const neg = 'not' in k;
        const shown = cx.plainLeaves.get((neg ? (k as { not: Condition }).not : k) as Leaf);
        if (shown === undefined) break;
        // Spelled out: V8 reads objects made by spread slowly here.
        const { text, fact, operator, required, slot } = shown;
        checks.push({ text, fact, operator, required, slot, result: !neg });
      }
      if (checks.length === conjuncts.length) firedChecks[i] = checks;
    }
  });
  // The pool: each distinct bitset once.
  const pooled: Uint32Array[] = [];
  const pooledAt = new Map<Uint32Array, number>();
  const intern = (bits: Uint32Array): number => {
    let k = pooledAt.get(bits);
    if (k === undefined) {
      pooledAt.set(bits, (k = pooled.length));
      pooled.push(bits);
    }
    return k * words;
  };
  const ranges: RangeIndex[] = [...thresholds.values()].map(({ slot, op, t, at }) => {
    const cmp = comparator(t);
    at.sort((a, b) => cmp(a.x, b.x));
    const killed = at.map(() => new Uint32Array(words));
    const order = op === 'gt' || op === 'ge' ? at.map((_, k) => at.length - 1 - k) : at.map((_, k) => k);
    let acc = new Uint32Array(words);
    for (const k of order) {
      acc = acc.slice();
      const b = bitOf[at[k]!.rule]!;
      acc[b >>> 5]! |= 1 << (b & 31);
      killed[k] = acc;
    }
    const xs = at.map((a) => (isMoney(a.x) ? a.x.amount : (a.x as Dec)));
    const exact = xs.every((x) => x.isInteger() && x.abs().lte(Number.MAX_SAFE_INTEGER));
    return {
      slot,
      op,
      xs,
      money: t.kind === 'money',
      killed: Int32Array.from(killed, intern),
      xn: exact ? Float64Array.from(xs, (x) => x.toNumber()) : undefined,
    };
  });
  const index = [...kills].map(([slot, kill]) => ({
    slot,
    kill: new Map([...kill].map(([v, bits]) => [v, intern(bits)])),
  }));
  const pool = new Uint32Array(pooled.length * words);
  pooled.forEach((bits, k) => pool.set(bits, k * words));
  const plainByLevel = claimLevels.map((idx) => idx.filter((i) => factsOf[i] !== undefined));
  const levelMask = plainByLevel.map((idx) => {
    const m = new Uint32Array(words);
    for (const i of idx) m[bitOf[i]! >>> 5]! |= 1 << (bitOf[i]! & 31);
    return m;
  });
  const levelWords = plainByLevel.map((idx): [number, number] =>
    idx.length ? [bitOf[idx[0]!]! >>> 5, (bitOf[idx[idx.length - 1]!]! >>> 5) + 1] : [0, 0],
  );
  const plainSlots = new Set<number>();
  for (const slots of slotsOf) if (slots) for (const x of slots) plainSlots.add(x);
  return {
    sideEffecting: rules.flatMap((_, i) => (factsOf[i] === undefined ? [i] : [])),
    sideByLevel: claimLevels.map((idx) => idx.filter((i) => factsOf[i] === undefined)),
    factsOf,
    plainSlots: Int32Array.from(plainSlots),
    words,
    bitOf,
    ruleAt: Int32Array.from(ruleAt),
    levelMask,
    levelWords,
    pool,
    index,
    ranges,
    full,
    fullMask: (() => {
      const m = new Uint32Array(words);
      full.forEach((x, i) => {
        if (x === 1) m[bitOf[i]! >>> 5]! |= 1 << (bitOf[i]! & 31);
      });
      return m;
    })(),
    firedChecks,
    rawShow: facts.map((f) => (f.type.kind === 'money' ? f.type.currency : f.type.kind === 'integer' ? 0 : undefined)),
  };
}

// Whether a condition reads only plain input facts and literals; collects their slots.
function plainFacts(cnd: Condition, plainSlot: (n: string) => number | undefined, slots: Set<number>): boolean {
  if ('all' in cnd) return cnd.all.every((x) => plainFacts(x, plainSlot, slots));
  if ('any' in cnd) return cnd.any.every((x) => plainFacts(x, plainSlot, slots));
  if ('not' in cnd) return plainFacts(cnd.not, plainSlot, slots);
  const slot = plainSlot(cnd.fact);
  if (slot === undefined) return false;
  slots.add(slot);
  if (typeof cnd.value === 'object' && cnd.value !== null && !Array.isArray(cnd.value)) {
    const r = plainSlot(cnd.value.fact);
    if (r === undefined) return false;
    slots.add(r);
  }
  return true;
}
