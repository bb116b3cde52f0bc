// The fast path's reasons: those trace: false keeps (see reference.ts withoutTrace), built from
// what the claim rules (fast-claim.ts) and items found, each equal to the reference's.
import type { Check, Reason, ShownValue } from '../decision-types.js';
import { showValue } from '../values.js';
import { factValue, Pending } from '../facts.js';
import { type Compiled, type Scope, COVER_LEVEL, itemScope } from './compiled.js';
import { Unknown } from './unknown.js';
import { type ItemResult, type Settled, decidedBy, evalWithChecks, reason } from './outcome.js';
import type { ClaimTruths } from './fast-claim.js';

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
  const decided = decidedBy(settled);
  let shown = settled.decidingClaim;
  if (claim.unknownRules.length > 0 || notCovered) {
    shown = shown.concat(claim.unknownRules, notCovered ? c.claimLevels[COVER_LEVEL]! : []).sort((a, b) => a - b);
  }
  for (let k = 0; k < shown.length; k++) {
    const i = shown[k]!;
    if (k > 0 && shown[k - 1] === i) continue;
    const cr = c.claimRules[i]!;
    const template = c.fast.firedChecks[i];
    if (template !== undefined && claim.fires.get(i) === true) {
      // Fired, so every fact it reads is present and every leaf has its known result.
      const checks: Check[] = template.map((t) => ({
        part: 'when',
        text: t.text,
        fact: t.fact,
        operator: t.operator,
        actual: shownSlot(c, s, t.slot),
        required: t.required,
        result: t.result,
      }));
      reasons.push(reason(cr, true, checks, undefined, decided(i)));
    } else {
      const { fires, checks } = evalWithChecks(cr, s);
      reasons.push(reason(cr, fires, checks, undefined, decided(i)));
    }
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

// The shown value of an input fact, once per decision. An enum, text or boolean shows as itself;
// an amount or integer not converted yet shows as its digits (no decimal needed).
function shownSlot(c: Compiled, s: Scope, slot: number): ShownValue {
  const cached = s.shown[slot];
  if (cached !== undefined) return cached;
  const v = s.slots[slot];
  const shown =
    typeof v === 'string' || typeof v === 'boolean'
      ? v
      : v instanceof Pending
        ? (showPending(v, c.fast.rawShow[slot]) ?? showValue(factValue(s.slots, slot)))
        : showValue(v);
  return (s.shown[slot] = shown);
}

// The shown value of a Pending amount (raw: 1 to 15 digits, see facts.ts; `how` is its currency)
// or integer (`how` 0), as showValue shows the converted decimal: digits without leading zeros,
// a safe integer as String() writes it. undefined: convert and show.
function showPending(v: Pending, how: string | 0 | undefined): ShownValue | undefined {
  const raw = v.raw;
  if (how === 0) return typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : undefined;
  if (how === undefined || typeof raw !== 'string' || raw.length === 0 || raw.length > 15) return undefined;
  let z = 0;
  for (let k = 0; k < raw.length; k++) {
    const ch = raw.charCodeAt(k);
    if (ch < 48 || ch > 57) return undefined;
    if (ch === 48 && z === k && k < raw.length - 1) z++;
  }
  return { amount: z === 0 ? raw : raw.slice(z), currency: how };
}
