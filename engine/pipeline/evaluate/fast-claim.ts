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
import { generatedRules } from '../codegen/rules.js';

export interface ClaimTruths extends Truths<number> {
  // The claim rules that fired, a bit each (by claim index, 32 to a number; see fired()): a Map
  // entry per evaluated rule cost more than the rules of a product with hundreds, and an array
  // per rule costs a product whose index leaves few to evaluate.
  fires: number[];
  // Per slot, the exact integers the generated code computed (codegen/rules.ts), for the reasons.
  exact: (number | undefined)[];
  // Every fact a plain rule reads is present (the two-valued generated code applies), and the
  // enum positions that code reads, once computed.
  complete: boolean;
  codes: number[] | undefined;
  // The rules found unknown, in the order they were evaluated.
  unknownRules: number[];
}
// Where a three-valued word leaves its unknown bits. Shared: read right after the call, and
// nothing a word calls decides anything.
const OUT = new Int32Array(1);

// What the generated code returns for a rule that fired, or is unknown.
export const FIRED = 1;
export const UNKNOWN = 2;

// Whether claim rule i fired (evaluated and true, or fired through the indexes).
export function fired(t: ClaimTruths, i: number): boolean {
  return (t.fires[i >>> 5]! & (1 << (i & 31))) !== 0;
}

// The claim-level rules: those with side effects in source order, as the reference evaluates
// them; then the plain ones level by level, skipping what the indexes make false.
export function evalClaim(c: Compiled, s: Scope): ClaimTruths {
  const rules = c.claimRules;
  const plan = c.fast;
  // Plain rules compiled to JavaScript (codegen/rules.ts), unless a caller swapped the rules.
  const all = generatedRules(c);
  const generated = all.for === rules ? all : undefined;
  // One elements kind for every decision (generic), so the generated code sees one array map.
  const exactValues: (number | undefined)[] = new Array(s.slots.length).fill(undefined);
  const fires: number[] = new Array((rules.length + 31) >>> 5).fill(0);
  const t: ClaimTruths = {
    fires,
    exact: exactValues,
    complete: false,
    codes: undefined,
    fired: [],
    unknown: [],
    unknownRules: [],
  };
  for (const i of plan.sideEffecting) settle1(t, rules, i, evalRule(rules[i]!, s));
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
  t.complete = !anyMissing;
  const pool = plan.pool;
  const full = plan.fullMask;
  let codes: number[] | undefined;
  let decided = false;
  for (let level = 0; level < LEVELS.length; level++) {
    // Past the deciding level, only an unknown rule changes the decision (its missing facts are
    // shown); eligibility is always decided in full.
    const lazy = decided && level >= EXCLUSION_LEVEL;
    if (lazy && !anyMissing) break;
    // The level's plain rules that no kill set makes false (killed ones stay 0: as good as false
    // here), in source order.
    const firedPlain: number[] = [];
    const mask = plan.levelMask[level]!;
    const [from, to] = plan.levelWords[level]!;
    for (let w = from; w < to; w++) {
      let k = mask[w]!;
      for (let j = 0; j < kills.length && k !== 0; j++) k &= ~pool[kills[j]! + w]!;
      if (k === 0) continue;
      if (lazy) {
        // Only rules that may be unknown: those missing a fact.
        for (let b = k; b !== 0; b &= b - 1) {
          const low = b & -b;
          if (allPresent(plan.factsOf[plan.ruleAt[(w << 5) + 31 - Math.clz32(low)]!]!, slots)) k &= ~low;
        }
      }
      // Rules the indexes decide alone fire without evaluation when their facts are present.
      let firedBits = 0;
      const fk = exact ? k & full[w]! : 0;
      if (fk !== 0) {
        if (!anyMissing) firedBits = fk;
        else
          for (let b = fk; b !== 0; b &= b - 1) {
            const low = b & -b;
            if (allPresent(plan.factsOf[plan.ruleAt[(w << 5) + 31 - Math.clz32(low)]!]!, slots)) firedBits |= low;
          }
        k &= ~firedBits;
      }
      // The generated word function; the closures for the exact Unknown and for rules it lacks.
      let ask = k;
      if (generated !== undefined && k !== 0) {
        if (!anyMissing) {
          codes ??= generated.prep(slots);
          firedBits |= generated.bools[w]!(slots, exactValues, k, codes);
          ask = k & generated.closures[w]!;
        } else {
          firedBits |= generated.words[w]!(slots, exactValues, k, OUT);
          ask = OUT[0]!;
        }
      }
      for (let b = ask; b !== 0; b &= b - 1) {
        const low = b & -b;
        const i = plan.ruleAt[(w << 5) + 31 - Math.clz32(low)]!;
        const f = evalRule(rules[i]!, s);
        if (f === true) firedBits |= low;
        else if (f instanceof Unknown) settle1(t, rules, i, f);
      }
      // Bits in ladder order: source order within the level.
      for (let b = firedBits; b !== 0; b &= b - 1) {
        const i = plan.ruleAt[(w << 5) + 31 - Math.clz32(b & -b)]!;
        fires[i >>> 5]! |= 1 << (i & 31);
        firedPlain.push(i);
      }
    }
    // With side-effecting rules at this level, the fired ones in source order among all.
    const side = plan.sideByLevel[level]!;
    const atLevel = side.length === 0 ? firedPlain : c.claimLevels[level]!.filter((i) => fired(t, i));
    if (atLevel.length > 0) {
      t.fired[level] = atLevel;
      decided = true;
    }
  }
  t.codes = codes;
  return t;
}

function settle1(t: ClaimTruths, rules: Compiled['claimRules'], i: number, f: boolean | Unknown): void {
  if (f === true) t.fires[i >>> 5]! |= 1 << (i & 31);
  else if (f instanceof Unknown) {
    t.unknownRules.push(i);
    (t.unknown[rules[i]!.level] ??= []).push(f);
  }
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
