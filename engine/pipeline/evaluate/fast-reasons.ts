// The fast path's reasons: those trace: false keeps (see reference.ts withoutTrace), built from
// what the claim rules (fast-claim.ts) and items found, each equal to the reference's.
import type { Check, Reason } from '../decision-types.js';
import { generatedRules } from '../codegen/rules.js';
import { shownSlot } from './shown.js';
import { type Compiled, type Scope, COVER_LEVEL, itemScope } from './compiled.js';
import { Unknown } from './unknown.js';
import { type ItemResult, type Settled, evalWithChecks, reason } from './outcome.js';
import { type ClaimTruths, FIRED, UNKNOWN, fired } from './fast-claim.js';

export function leanReasons(
  c: Compiled,
  s: Scope,
  claim: ClaimTruths,
  settled: Settled,
  items: Record<string, unknown>[] | undefined,
  itemResults: ItemResult[][] | undefined,
): Reason[] {
  // The reasons trace: false keeps (see reference.ts): the rules that decided, those waiting for
  // facts and, when nothing pays, the cover rules; in source order.
  const reasons: Reason[] = [];
  const notCovered = settled.outcome === 'not-covered';
  // Both lists ascend (claim indices in source order), so one walk finds the deciding ones
  // without a Set per decision.
  const dec = settled.decidingClaim;
  let d = 0;
  const decided = (i: number): boolean => {
    while (d < dec.length && dec[d]! < i) d++;
    return d < dec.length && dec[d] === i;
  };
  let shown = settled.decidingClaim;
  if (claim.unknownRules.length > 0 || notCovered) {
    shown = shown.concat(claim.unknownRules, notCovered ? c.claimLevels[COVER_LEVEL]! : []).sort((a, b) => a - b);
  }
  const generated = generatedRules(c);
  const useGenerated = generated.for === c.claimRules;
  const bitOf = c.fast.bitOf;
  for (let k = 0; k < shown.length; k++) {
    const i = shown[k]!;
    if (k > 0 && shown[k - 1] === i) continue;
    const cr = c.claimRules[i]!;
    const template = c.fast.firedChecks[i];
    if (template !== undefined && fired(claim, i)) {
      // Fired, so every fact it reads is present and every leaf has its known result.
      const checks: Check[] = new Array(template.length);
      for (let j = 0; j < template.length; j++) {
        const t = template[j]!;
        checks[j] = {
          part: 'when',
          text: t.text,
          fact: t.fact,
          operator: t.operator,
          actual: shownSlot(c, s, t.slot),
          required: t.required,
          result: t.result,
        };
      }
      reasons.push(reason(cr, true, checks, undefined, decided(i)));
      continue;
    }
    // The rule's generated check builder; the closures when it is unknown (for its Unknown).
    const bit = bitOf[i]!;
    if (useGenerated && bit >= 0) {
      const checks: Check[] = [];
      let v = 2;
      if (claim.complete) {
        claim.codes ??= generated.prep(s.slots);
        v = generated.checkBools[bit >>> 5]!(s.slots, claim.exact, checks, s, bit & 31, claim.codes);
      }
      if (v === 2) v = generated.checkWords[bit >>> 5]!(s.slots, claim.exact, checks, s, bit & 31);
      if (v !== UNKNOWN) {
        reasons.push(reason(cr, v === FIRED, checks, undefined, decided(i)));
        continue;
      }
    }
    const { fires, checks } = evalWithChecks(cr, s);
    reasons.push(reason(cr, fires, checks, undefined, decided(i)));
  }
  if (itemResults !== undefined) {
    for (const rs of itemResults) {
      for (const r of rs) {
        const deciding = settled.decidingItems.has(r);
        if (deciding || r.fires instanceof Unknown || (notCovered && r.cr.level === COVER_LEVEL)) {
          const { fires, checks } = evalWithChecks(r.cr, itemScope(s, items![r.item]!, r.item, c.itemList!));
          reasons.push(reason(r.cr, fires, checks, r.item, deciding));
        }
      }
    }
  }
  return reasons;
}
