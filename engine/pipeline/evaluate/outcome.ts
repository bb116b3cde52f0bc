// From rules to an outcome, shared by the reference and the fast path: a rule's truth value, the
// one outcome ladder, the claim and item outcomes it gives, and the one reason builder.
import type { Check, Eligibility, ItemDecision, Outcome, Reason } from '../decision-types.js';
import {
  type Compiled,
  type CompiledRule,
  type Scope,
  COVER_LEVEL,
  ELIGIBILITY_LEVEL,
  EXCLUSION_LEVEL,
  LEVELS,
  itemScope,
} from './compiled.js';
import { Unknown, mergeUnknown } from './unknown.js';

// A rule's truth value: true when it takes effect. The caller sets s.checks to collect the
// checks or leaves it null.
export function evalRule(cr: CompiledRule, s: Scope): boolean | Unknown {
  const w = whenOf(cr, s);
  return w === false ? false : afterWhen(cr, s, w);
}

// A rule's `when`, true when it has none. A rule whose `when` is false does not apply.
function whenOf(cr: CompiledRule, s: Scope): boolean | Unknown {
  if (!cr.when) return true;
  s.part = 'when';
  return cr.when(s);
}

// The rest of a rule whose `when` (w) is not false.
function afterWhen(cr: CompiledRule, s: Scope, w: true | Unknown): boolean | Unknown {
  let violated: boolean | Unknown = true;
  if (cr.requires) {
    // No requirement: nothing to violate.
    if (!cr.require) return false;
    s.part = 'require';
    const r = cr.require(s);
    violated = r instanceof Unknown ? r : !r;
  }
  let notUnless: boolean | Unknown = true;
  if (violated !== false && cr.unless) {
    s.part = 'unless';
    const u = cr.unless(s);
    notUnless = u instanceof Unknown ? u : !u;
  }
  // Kleene and of the three.
  if (violated === false || notUnless === false) return false;
  if (w === true)
    return violated === true ? notUnless : notUnless === true ? violated : mergeUnknown([violated, notUnless]);
  if (violated === true && notUnless === true) return w;
  return mergeUnknown([w, violated, notUnless]);
}

export interface Evaluated {
  fires: boolean | Unknown;
  checks: Check[];
}

export function evalWithChecks(cr: CompiledRule, s: Scope): Evaluated {
  const checks: Check[] = [];
  s.checks = checks;
  const fires = evalRule(cr, s);
  s.checks = null;
  return { fires, checks };
}

// A per-item rule's result for one element of the list (rule: its index in itemRules).
export interface ItemResult extends Evaluated {
  // Whether the rule applies to the item: its `when` is not false for it.
  applies: boolean;
  cr: CompiledRule;
  rule: number;
  item: number;
}

const NO_CHECKS: Check[] = Object.freeze([]) as unknown as Check[];

// Every per-item rule, once per element of its list; with their checks or without.
export function evalItems(
  c: Compiled,
  s: Scope,
  items: Record<string, unknown>[],
  withChecks: boolean,
): ItemResult[][] {
  return items.map((it, i) => {
    const is = itemScope(s, it, i, c.itemList!);
    return c.itemRules.map((cr, rule): ItemResult => evalItemRule(is, cr, rule, i, withChecks));
  });
}

// One per-item rule on one element (is: the element's scope), through its closures.
export function evalItemRule(is: Scope, cr: CompiledRule, rule: number, item: number, withChecks: boolean): ItemResult {
  // Without checks, every result shares one empty list (frozen: nothing may add to it).
  const checks: Check[] = withChecks ? [] : NO_CHECKS;
  is.checks = withChecks ? checks : null;
  const w = whenOf(cr, is);
  const fires = w === false ? false : afterWhen(cr, is, w);
  is.checks = null;
  return { fires, checks, applies: w !== false, cr, rule, item };
}

// A result the generated code decided (fast-items.ts), with no checks.
export function itemResult(cr: CompiledRule, rule: number, item: number, fires: boolean, applies: boolean): ItemResult {
  return { fires, checks: NO_CHECKS, applies, cr, rule, item };
}

// The list the item rules run over, as the facts give it (undefined: missing).
export function itemsOf(c: Compiled, slots: unknown[]): Record<string, unknown>[] | undefined {
  const slot = c.itemList === undefined ? undefined : c.slotOf.get(c.itemList);
  return (slot === undefined ? undefined : slots[slot]) as Record<string, unknown>[] | undefined;
}

// Per ladder level: the rules that fired there (source order) and the unknown truth values.
export interface Truths<R> {
  fired: (R[] | undefined)[];
  unknown: (Unknown[] | undefined)[];
}

export function truthsByLevel<R>(
  levels: number[][],
  fires: readonly (boolean | Unknown | undefined)[],
  rule: (i: number) => R,
): Truths<R> {
  const t: Truths<R> = { fired: [], unknown: [] };
  levels.forEach((idx, level) => {
    for (const i of idx) {
      const f = fires[i];
      if (f === true) (t.fired[level] ??= []).push(rule(i));
      else if (f instanceof Unknown) (t.unknown[level] ??= []).push(f);
    }
  });
  return t;
}

export interface LadderResult<R, O extends string> {
  outcome: O | 'undetermined';
  deciding: readonly R[];
  missing: string[];
}

// The outcome ladder over LEVELS[from..to): the first level at which a rule fires decides,
// unless a rule at an earlier level is unknown (then the decision waits for the facts that rule
// needs); no rule fires: `otherwise`.
export function ladder<R, O extends string>(
  t: Truths<R>,
  from: number,
  to: number,
  otherwise: O,
): LadderResult<R, Outcome | O> {
  let missing: Set<string> | undefined;
  for (let level = from; level < to; level++) {
    const f = t.fired[level];
    if (f !== undefined && f.length > 0) {
      if (missing !== undefined) return { outcome: 'undetermined', deciding: [], missing: [...missing].sort() };
      return { outcome: LEVELS[level]!.effect, deciding: f, missing: [] };
    }
    const u = t.unknown[level];
    if (u !== undefined) for (const x of u) for (const fact of x.facts) (missing ??= new Set()).add(fact);
  }
  if (missing !== undefined) return { outcome: 'undetermined', deciding: [], missing: [...missing].sort() };
  return { outcome: otherwise, deciding: [], missing: [] };
}

export interface Settled {
  outcome: Outcome;
  eligibility: Eligibility;
  // The rule ids that decided; the claim rules (indices into claimRules) and item results among them.
  deciding: string[];
  decidingClaim: readonly number[];
  decidingItems: ReadonlySet<ItemResult>;
  missing: string[];
  items: ItemDecision[];
}

const NO_RESULTS: ReadonlySet<ItemResult> = new Set();
// When items disagree, the claim's outcome is the first of these that some item has.
const ITEM_PRECEDENCE: Outcome[] = [
  'undetermined',
  'covered',
  'excluded',
  'refused',
  'invalid',
  'ineligible',
  'not-covered',
];
const BLOCKING: Outcome[] = ['invalid', 'ineligible', 'excluded', 'refused'];

// The claim's outcome from its rules' truth values and, when it has a list, every item's.
// items: undefined when the list is missing (or there is none: c.itemList undefined).
export function settle(c: Compiled, claim: Truths<number>, items: ItemResult[][] | undefined): Settled {
  const elig = ladder(claim, ELIGIBILITY_LEVEL, EXCLUSION_LEVEL, 'eligible');
  const eligibility = elig.outcome === 'ineligible' || elig.outcome === 'undetermined' ? elig.outcome : 'eligible';
  const { hasItemCover, hasClaimCover } = c;
  // With cover only per item, a claim is covered through its items.
  const top = ladder(claim, 0, hasItemCover && !hasClaimCover ? COVER_LEVEL : LEVELS.length, 'not-covered');
  const rules = c.claimRules;
  let outcome = top.outcome;
  let decidingClaim = top.deciding;
  let decidingItems = NO_RESULTS;
  let missing = top.missing;
  const decisions: ItemDecision[] = [];
  const claimBlocks = BLOCKING.includes(top.outcome) || (hasClaimCover && top.outcome === 'not-covered');
  if (c.itemList !== undefined && !claimBlocks) {
    if (items === undefined) {
      outcome = 'undetermined';
      missing = [...new Set([...top.missing, c.itemList])].sort();
    } else {
      const claimIds = top.deciding.map((i) => rules[i]!.rule.id);
      items.forEach((rs, i) => {
        // An item is covered when the claim is within cover and nothing refuses the item: with
        // per-item cover rules, one of them must pay the item; without, the claim's cover does.
        const l = ladder(
          truthsByLevel(
            c.itemLevels,
            rs.map((r) => r.fires),
            (k) => rs[k]!,
          ),
          0,
          hasItemCover ? LEVELS.length : COVER_LEVEL,
          hasItemCover ? 'not-covered' : top.outcome,
        );
        let o = l.outcome;
        const m = new Set(l.missing);
        if (top.outcome === 'undetermined' && (o === 'covered' || o === 'not-covered' || o === 'undetermined')) {
          o = 'undetermined';
          for (const f of top.missing) m.add(f);
        }
        const ids = !hasItemCover && o === 'covered' ? claimIds : l.deciding.map((r) => r.cr.rule.id);
        decisions.push({ index: i, outcome: o, deciding: [...new Set(ids)], missing: [...m].sort() });
      });
      const outs = decisions.map((d) => d.outcome);
      // No items: the claim-level decision stands (a claim may be covered with nothing itemised).
      if (outs.length === 0) outcome = hasItemCover && !hasClaimCover ? 'not-covered' : top.outcome;
      else {
        outcome = ITEM_PRECEDENCE.find((o) => outs.includes(o))!;
        missing = [...new Set(decisions.flatMap((d) => d.missing))].sort();
      }
      // The overall outcome is decided by the rules that decided the items sharing it; the
      // rules that refused other items are in those items' own decisions.
      decidingClaim = top.outcome === 'covered' && (outcome === 'covered' || outs.length === 0) ? top.deciding : [];
      const dec = new Set<ItemResult>();
      for (const rs of items) {
        for (const r of rs) {
          const item = decisions[r.item]!;
          if (item.outcome === outcome && r.fires === true && item.deciding.includes(r.cr.rule.id)) dec.add(r);
        }
      }
      decidingItems = dec;
    }
  }
  const ids = decidingClaim.map((i) => rules[i]!.rule.id);
  let deciding = ids;
  if (decidingItems.size > 0 || !c.uniqueClaimIds) {
    for (const r of decidingItems) ids.push(r.cr.rule.id);
    deciding = [...new Set(ids)];
  }
  return {
    outcome,
    eligibility,
    deciding,
    decidingClaim,
    decidingItems,
    items: decisions,
    missing: outcome === 'undetermined' ? missing : [],
  };
}

// Whether claim rule i decided, without a linear search per rule when many did.
export function decidedBy(s: Settled): (i: number) => boolean {
  const d = s.decidingClaim;
  if (d.length <= 16) return (i) => d.includes(i);
  const set = new Set(d);
  return (i) => set.has(i);
}

// A rule's reason; keys in the decision schema's order, label and item only when there is one.
export function reason(
  cr: CompiledRule,
  fires: boolean | Unknown,
  checks: Check[],
  item: number | undefined,
  deciding: boolean,
): Reason {
  const result = fires === true ? 'fired' : fires === false ? 'not-fired' : 'unknown';
  const missing = fires instanceof Unknown ? fires.sorted() : [];
  const { id, kind, label, cite } = cr.rule;
  const effect = cr.effect;
  if (item === undefined) {
    return label
      ? { rule: id, kind, label, result, effect, deciding, cite, checks, missing }
      : { rule: id, kind, result, effect, deciding, cite, checks, missing };
  }
  return label
    ? { rule: id, kind, label, item, result, effect, deciding, cite, checks, missing }
    : { rule: id, kind, item, result, effect, deciding, cite, checks, missing };
}
