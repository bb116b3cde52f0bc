// The fast path's claim-level rules: the plain rules level by level through the plan's kill
// indexes (fast-plan.ts) and their generated functions (codegen/rules.ts), the rest through their
// closures. Part of the fast path (fast.ts); the same truth values as the reference.
import { cmpDec, type Dec, type Money } from '../money.js';
import { Fraction } from '../operators.js';
import { factValue, Pending } from '../facts.js';
import { type Compiled, type Scope, EXCLUSION_LEVEL, LEVELS } from './compiled.js';
import { Unknown } from './unknown.js';
import type { RangeIndex } from './fast-plan.js';
import { type Truths, evalRule } from './outcome.js';
import { generatedRules, type RuleFn } from '../codegen/rules.js';

const NO_FUNCTIONS: (RuleFn | undefined)[] = [];

export interface ClaimTruths extends Truths<number> {
  // The truth value of each claim rule evaluated (a rule not evaluated cannot change the
  // decision). A map, not an array per decision: most rules of a large product are skipped.
  fires: Map<number, boolean | Unknown>;
  // The rules found unknown, in the order they were evaluated.
  unknownRules: number[];
}

// The claim-level rules: those with side effects in source order, as the reference evaluates
// them; then the plain ones level by level, skipping what the indexes make false.
export function evalClaim(c: Compiled, s: Scope): ClaimTruths {
  const rules = c.claimRules;
  const plan = c.fast;
  // Plain rules compiled to JavaScript (codegen/rules.ts), unless a caller swapped the rules.
  const generated = generatedRules(c);
  const gen = generated.for === rules ? generated.fns : NO_FUNCTIONS;
  const exactValues: (number | undefined)[] = new Array(s.slots.length);
  const fires = new Map<number, boolean | Unknown>();
  const t: ClaimTruths = { fires, fired: [], unknown: [], unknownRules: [] };
  const settledFires = (i: number, f: boolean | Unknown): void => {
    fires.set(i, f);
    if (f instanceof Unknown) {
      t.unknownRules.push(i);
      (t.unknown[rules[i]!.level] ??= []).push(f);
    }
  };
  for (const i of plan.sideEffecting) settledFires(i, evalRule(rules[i]!, s));
  const slots = s.slots;
  // The kill sets that this decision's facts select (offsets into the pool).
  const kills: number[] = [];
  let exact = true;
  for (const ix of plan.index) {
    const v = slots[ix.slot];
    if (v === undefined) continue;
    const off = ix.kill.get(v);
    if (off !== undefined) kills.push(off);
    else exact = false; // a value the index does not know: evaluate every survivor
  }
  for (const r of plan.ranges) {
    let v = slots[r.slot];
    if (v === undefined) continue;
    // Not converted yet: a digit string of at most 15 digits or an integer is exactly a double.
    if (v instanceof Pending)
      v = r.xn !== undefined && (typeof v.raw === 'number' || r.money) ? Number(v.raw) : factValue(slots, r.slot);
    const off = rangeKills(r, v);
    if (off >= 0) kills.push(off);
  }
  let anyMissing = false;
  for (const slot of plan.plainSlots)
    if (slots[slot] === undefined) {
      anyMissing = true;
      break;
    }
  const pool = plan.pool;
  let decided = false;
  for (let level = 0; level < LEVELS.length; level++) {
    // Past the deciding level, only an unknown rule changes the decision (its missing facts are
    // shown); eligibility is always decided in full.
    const lazy = decided && level >= EXCLUSION_LEVEL;
    if (lazy && !anyMissing) break;
    // The level's plain rules that no kill set makes false (killed ones stay undefined: as good
    // as false here), in source order.
    const firedPlain: number[] = [];
    const mask = plan.levelMask[level]!;
    const [from, to] = plan.levelWords[level]!;
    for (let w = from; w < to; w++) {
      let k = mask[w]!;
      for (let j = 0; j < kills.length && k !== 0; j++) k &= ~pool[kills[j]! + w]!;
      while (k !== 0) {
        const low = k & -k;
        k ^= low;
        const i = plan.ruleAt[(w << 5) + 31 - Math.clz32(low)]!;
        if (lazy && allPresent(plan.factsOf[i]!, slots)) continue;
        if (exact && plan.full[i] === 1 && (!anyMissing || allPresent(plan.factsOf[i]!, slots))) {
          fires.set(i, true);
          firedPlain.push(i);
          continue;
        }
        // The rule's generated function when it has one; its closures for the exact Unknown.
        const g = gen[i];
        const v = g === undefined ? 2 : g(slots, exactValues);
        const f = v === 1 ? true : v === 0 ? false : evalRule(rules[i]!, s);
        settledFires(i, f);
        if (f === true) firedPlain.push(i);
      }
    }
    // With side-effecting rules at this level, the fired ones in source order among all.
    const side = plan.sideByLevel[level]!;
    const fired = side.length === 0 ? firedPlain : c.claimLevels[level]!.filter((i) => fires.get(i) === true);
    if (fired.length > 0) {
      t.fired[level] = fired;
      decided = true;
    }
  }
  return t;
}

// The rules a threshold index makes false for the value v (an offset into the pool), or -1.
function rangeKills(r: RangeIndex, value: unknown): number {
  const xs = r.xs;
  // lo = first position whose literal is > v (strict: ge, lt) or >= v (gt, le).
  const strict = r.op === 'ge' || r.op === 'lt';
  let lo = 0;
  let hi = xs.length;
  if (typeof value === 'number' && r.xn !== undefined) {
    const xn = r.xn;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (strict ? xn[m]! <= value : xn[m]! < value) lo = m + 1;
      else hi = m;
    }
  } else {
    const v = r.money ? (value as Money).amount : value instanceof Fraction ? value.value() : (value as Dec);
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const c = cmpDec(xs[m]!, v);
      if (strict ? c <= 0 : c < 0) lo = m + 1;
      else hi = m;
    }
  }
  if (r.op === 'gt' || r.op === 'ge') return lo < xs.length ? r.killed[lo]! : -1;
  return lo > 0 ? r.killed[lo - 1]! : -1;
}

function allPresent(facts: Int32Array, slots: unknown[]): boolean {
  for (let k = 0; k < facts.length; k++) if (slots[facts[k]!] === undefined) return false;
  return true;
}
