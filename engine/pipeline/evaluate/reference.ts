// The reference semantics: every rule evaluated with its checks, in source order (claim rules,
// then each item's rules), then the outcome ladder, the reasons (every claim rule's; per item,
// those of the rules that apply to it), the amounts and every formula with its arithmetic. This
// is the full trace (trace: true). A decision without the trace is this one with parts left
// out, as withoutTrace says and schemas/decision.schema.json documents; the fast path (fast.ts)
// must give exactly that.
import type { Decision, FormulaResult, Reason } from '../decision-types.js';
import { type Compiled, COVER_LEVEL, newScope } from './compiled.js';
import { decidedBy, evalItems, evalWithChecks, itemsOf, reason, settle, truthsByLevel } from './outcome.js';
import { formulaResult, settleAmounts } from './amounts.js';
import { decisionOf } from './decision.js';

export function decideReference(c: Compiled, slots: unknown[], trace: boolean): Decision {
  const s = newScope(slots, true, c.itemList);
  const claim = c.claimRules.map((cr) => evalWithChecks(cr, s));
  const items = itemsOf(c, slots);
  const itemResults = items === undefined ? undefined : evalItems(c, s, items, true);
  const byRules = settle(
    c,
    truthsByLevel(
      c.claimLevels,
      claim.map((r) => r.fires),
      (i) => i,
    ),
    itemResults,
  );
  // The amounts before the reasons: an amount that cannot be computed can change the outcome.
  const { settled, amounts } = settleAmounts(c, s, byRules, items);

  const reasons: Reason[] = [];
  const decided = decidedBy(settled);
  claim.forEach((r, i) => reasons.push(reason(c.claimRules[i]!, r.fires, r.checks, undefined, decided(i))));
  // Per item, the rules that apply to it, and for an item not covered every cover rule (why none
  // paid): a reason per rule and item would make a decision grow by every rule for every item.
  for (const rs of itemResults ?? []) {
    for (const r of rs) {
      // (No item decisions when the claim-level rules decided alone: the claim's outcome then.)
      const outcome = settled.items[r.item]?.outcome ?? settled.outcome;
      const uncovered = outcome === 'not-covered' && r.cr.level === COVER_LEVEL;
      if (r.applies || uncovered) reasons.push(reason(r.cr, r.fires, r.checks, r.item, settled.decidingItems.has(r)));
    }
  }
  // What the rules and amounts computed, before the formula list computes the rest.
  // (Only a decision without the trace needs them.)
  const used = trace ? undefined : new Set(c.formulas.filter((f) => s.memo.has(f.name)).map((f) => f.name));
  const lookups = s.lookups.length;
  const formulas = c.formulas.map((f) => formulaResult(f, s));
  const d = decisionOf(c, settled, reasons, s.lookups, amounts, formulas);
  return used === undefined ? d : withoutTrace(d, used, lookups);
}

// What trace: false leaves out of a decision (schemas/decision.schema.json says the same):
// - reasons: only those of the rules that decided, of the rules waiting for facts (unknown) and,
//   when the outcome is not-covered, of the cover rules; each as the full trace shows it;
// - lookups: only those the rules and amounts made (the full trace goes on with the lookups of
//   formulas that no rule or amount used), so a prefix of the full trace's;
// - amounts: every amount, its value, missing facts and items, without its steps;
// - formulas: only those a rule or an amount used, without their steps.
// Outcome, eligibility, deciding, missing, errors and items are the same.
function withoutTrace(d: Decision, used: ReadonlySet<string>, lookups: number): Decision {
  const notCovered = d.outcome === 'not-covered';
  const kept = (r: Reason) => r.deciding || r.result === 'unknown' || (notCovered && r.kind === 'cover');
  const bare = (f: FormulaResult): FormulaResult => ({ ...f, steps: [] });
  return {
    ...d,
    reasons: d.reasons.filter(kept),
    lookups: d.lookups.slice(0, lookups),
    amounts: d.amounts.map((a) => ({ ...a, steps: [] })),
    formulas: d.formulas.filter((f) => used.has(f.name)).map(bare),
  };
}
