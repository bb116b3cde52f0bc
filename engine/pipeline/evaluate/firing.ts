// What a decision does without saying why: every rule's result (as the full trace's reasons give
// it), the table rows looked up, the amounts, the outcome, its deciding rules and the items'
// outcomes; no reasons, checks, formula steps or shown values are built. For tools that compare
// decisions in volume (engine/tools/diff.ts): one pass per revision tells both whether a case
// changed and, when it did, which rules changed it. The same evaluation as the reference
// (reference.ts), in the same order, so the same lookups and amounts; test/firing.test.ts holds
// it equal to the full trace on every case file and a generated corpus.
import type { AmountResult, Decision, FactError, ItemDecision, Outcome, Reason } from '../decision-types.js';
import { readSlots } from '../codegen/reader.js';
import { type Compiled, COVER_LEVEL, newScope } from './compiled.js';
import { evalRule, itemsOf, settle, truthsByLevel } from './outcome.js';
import { evalItemsFast } from './fast-items.js';
import { settleAmounts } from './amounts.js';
import type { Unknown } from './unknown.js';

export interface Firing {
  outcome: Outcome;
  deciding: string[];
  errors: FactError[];
  items: ItemDecision[];
  // Each rule's result, keyed `rule` or `rule[item]` (the order of the full trace's reasons).
  results: Map<string, Reason['result']>;
  // Per table looked up, the row (or 'else', or 'null' when none matched), in lookup order.
  rows: Map<string, string>;
  amounts: AmountResult[];
}

const result = (f: boolean | Unknown): Reason['result'] =>
  f === true ? 'fired' : f === false ? 'not-fired' : 'unknown';

export function decideFiring(c: Compiled, input: unknown): Firing {
  const { slots, errors } = readSlots(c.product, input);
  return errors.length ? errorFiring(errors) : firingOfSlots(c, slots);
}

export function errorFiring(errors: FactError[]): Firing {
  return { outcome: 'error', deciding: [], errors, items: [], results: new Map(), rows: new Map(), amounts: [] };
}

// decideFiring once the facts are read (engine/tools/diff.ts reads them once for both revisions).
export function firingOfSlots(c: Compiled, slots: unknown[]): Firing {
  const s = newScope(slots, false, c.itemList);
  const claim = c.claimRules.map((cr) => evalRule(cr, s));
  const items = itemsOf(c, slots);
  const itemResults = items === undefined ? undefined : evalItemsFast(c, s, items);
  const byRules = settle(
    c,
    truthsByLevel(c.claimLevels, claim, (i) => i),
    itemResults,
  );
  // An amount that cannot be computed can change the outcome (amounts.ts).
  const { settled, amounts } = settleAmounts(c, s, byRules, items);
  const results = new Map<string, Reason['result']>();
  claim.forEach((f, i) => results.set(c.claimRules[i]!.rule.id, result(f)));
  // Per item, the rules the full trace gives a reason: those that apply to it and, for an item
  // not covered, every cover rule (reference.ts).
  for (const rs of itemResults ?? []) {
    for (const r of rs) {
      const outcome = settled.items[r.item]?.outcome ?? settled.outcome;
      if (r.applies || (outcome === 'not-covered' && r.cr.level === COVER_LEVEL))
        results.set(itemKey(c, r.cr.rule.id, r.item), result(r.fires));
    }
  }
  // The full trace computes every formula, and with them their tables' lookups: only when asked
  // (a diff asks for the rows of a changed case whose rules' firing did not change), as nothing
  // else of the decision depends on them and the scope keeps what the rules and amounts computed.
  let rows: Map<string, string> | undefined;
  return {
    outcome: settled.outcome,
    deciding: settled.deciding,
    errors: [],
    items: settled.items,
    results,
    get rows() {
      if (rows === undefined) {
        for (const f of c.formulas) f.fn(s);
        rows = new Map(s.lookups.map((l) => [l.table, String(l.row)]));
      }
      return rows;
    },
    amounts,
  };
}

// `rule[item]`, one string per compiled product, rule id and item for every case: maps keyed by
// them hash each once, and a diff's two revisions mostly share the strings.
const itemKeys = new WeakMap<Compiled, Map<string, string[]>>();
function itemKey(c: Compiled, rule: string, item: number): string {
  let byRule = itemKeys.get(c);
  if (!byRule) itemKeys.set(c, (byRule = new Map()));
  let ks = byRule.get(rule);
  if (!ks) byRule.set(rule, (ks = []));
  return (ks[item] ??= `${rule}[${item}]`);
}

// The same view of a decision made with the full trace (for the test, and for callers that hold one).
export function firingOf(d: Decision): Firing {
  const results = new Map<string, Reason['result']>();
  for (const r of d.reasons) results.set(r.item === undefined ? r.rule : `${r.rule}[${r.item}]`, r.result);
  return {
    outcome: d.outcome,
    deciding: d.deciding,
    errors: d.errors,
    items: d.items,
    results,
    rows: new Map(d.lookups.map((l) => [l.table, String(l.row)])),
    amounts: d.amounts,
  };
}
