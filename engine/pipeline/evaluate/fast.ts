// The fast path: a decision without the trace (trace: false), equal to what the reference gives
// for trace: false (test/equivalence.test.ts holds them equal). It evaluates only the rules that
// can change the decision, using the plan (fast-plan.ts), and builds only the reasons that
// trace: false keeps.
import type { Decision, FormulaResult } from '../decision-types.js';
import { type Compiled, newScope } from './compiled.js';
import { itemsOf, settle } from './outcome.js';
import { evalItemsFast } from './fast-items.js';
import { formulaResult, settleAmounts } from './amounts.js';
import { decisionOf } from './decision.js';
import { evalClaim } from './fast-claim.js';
import { leanReasons } from './fast-reasons.js';

export function decideFast(c: Compiled, slots: unknown[]): Decision {
  const s = newScope(slots, false, c.itemList);
  const claim = evalClaim(c, s);
  const items = itemsOf(c, slots);
  const itemResults = items === undefined ? undefined : evalItemsFast(c, s, items, claim.exact);
  const byRules = settle(c, claim, itemResults);
  // The amounts before the reasons: an amount that cannot be computed can change the outcome.
  const { settled, amounts } = settleAmounts(c, s, byRules, items);

  const reasons = leanReasons(c, s, claim, settled, items, itemResults);
  // Only the formulas the decision computed.
  // (Reading a computed formula again is a memo hit: it computes nothing new.)
  const formulas: FormulaResult[] = [];
  for (const f of c.formulas) if (s.memo.has(f.name)) formulas.push(formulaResult(f, s));
  return decisionOf(c, settled, reasons, s.lookups, amounts, formulas);
}
