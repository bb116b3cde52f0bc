// The fast path's per-item rules: each rule on each element of its list through its generated
// function (codegen/rules.ts, built on first use), the closures for a rule it lacks and for an
// unknown result (which the closures give exactly, missing facts and all). The same results as
// evalItems (outcome.ts) without checks: test/codegen.test.ts (rule by rule, item by item),
// test/equivalence.test.ts and test/firing.test.ts (whole decisions).
import { generatedRules, ITEM_NOT_APPLIES } from '../codegen/rules.js';
import { type Compiled, type Scope, itemScope } from './compiled.js';
import { type ItemResult, evalItemRule, evalItems, itemResult } from './outcome.js';

// exact: the per-slot exact integers the claim rules' generated code filled (fast-claim.ts),
// shared, as both are generated with the same scales; a new cache when there is none.
export function evalItemsFast(
  c: Compiled,
  s: Scope,
  items: Record<string, unknown>[],
  exact: (number | undefined)[] = new Array(s.slots.length).fill(undefined),
): ItemResult[][] {
  const all = generatedRules(c);
  // Unless a caller swapped the rules (as the tests of the closures do).
  if (all.forItems !== c.itemRules) return evalItems(c, s, items, false);
  const fns = all.items;
  const slots = s.slots;
  const rules = c.itemRules;
  const out: ItemResult[][] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    let is: Scope | undefined;
    const rs: ItemResult[] = new Array(rules.length);
    for (let r = 0; r < rules.length; r++) {
      const fn = fns[r];
      const code = fn === undefined ? 2 : fn(slots, exact, it);
      if (code === 2) {
        is ??= itemScope(s, it, i, c.itemList!);
        rs[r] = evalItemRule(is, rules[r]!, r, i, false);
      } else rs[r] = itemResult(rules[r]!, r, i, code === 1, code !== ITEM_NOT_APPLIES);
    }
    out[i] = rs;
  }
  return out;
}
