// The shown value of an input fact, once per decision, shared by the fast path's reasons
// (fast-reasons.ts) and the generated check builders (codegen/rules.ts).
import type { ShownValue } from '../decision-types.js';
import { showValue } from '../values.js';
import { factValue, Pending } from '../facts.js';
import type { Compiled, Scope } from './compiled.js';

// An enum, text or boolean shows as itself; an amount or integer not converted yet shows as its
// digits (no decimal needed). The same JSON as showValue of the converted value.
export function shownSlot(c: Compiled, s: Scope, slot: number): ShownValue {
  return shownRaw(s, slot, c.fast.rawShow[slot]);
}

// The same, given how the fact's Pending values show (FastPlan.rawShow), for code compiled
// before the plan exists (tables.ts).
export function shownRaw(s: Scope, slot: number, how: string | 0 | undefined): ShownValue {
  const cached = s.shown[slot];
  if (cached !== undefined) return cached;
  const v = s.slots[slot];
  const shown =
    typeof v === 'string' || typeof v === 'boolean'
      ? v
      : v instanceof Pending
        ? (showPending(v, how) ?? showValue(factValue(s.slots, slot)))
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
