// Stage 5, evaluation: checked model -> closures (compile, once per revision), then closures +
// facts -> decision (decide). Two ways to decide, one meaning:
//   reference.ts  the reference semantics, and the full trace (trace: true);
//   fast.ts       the fast path (trace: false), proven equal to the reference without the trace
//                 by test/equivalence.test.ts; a faster implementation (e.g. code generated per
//                 product) replaces what stands behind decideFast and is held to the same test.
// The rest is shared: compile.ts (with tables.ts, conditions.ts, fast-plan.ts), outcome.ts (the
// ladder, item outcomes, reasons), amounts.ts, decision.ts. Nothing here is module state:
// decide() may run inside another decide() (a formula never does, but a caller may).
import { readFactSlots, factValue } from '../facts.js';
import type { Decision } from '../decision-types.js';
import { type Compiled, newScope } from './compiled.js';
import { isUnknown } from './unknown.js';
import { decideReference } from './reference.js';
import { decideFast } from './fast.js';
import { errorDecision } from './decision.js';
import { readSlots } from '../codegen/reader.js';

export { compile } from './compile.js';
export type { Compiled } from './compiled.js';

export interface DecideOptions {
  // false: leave out what schemas/decision.schema.json says a decision without the trace leaves out.
  trace?: boolean;
}

export function decide(c: Compiled, input: unknown, opts: DecideOptions = {}): Decision {
  // The product's generated reader (codegen/reader.ts); decideByReference reads without it.
  const { slots, errors } = readSlots(c.product, input);
  if (errors.length) return errorDecision(c.product, errors);
  return opts.trace === false ? decideFast(c, slots) : decideReference(c, slots, true);
}

// The reference semantics, for the equivalence test and for tools that want to compare with it.
export function decideByReference(c: Compiled, input: unknown, opts: DecideOptions = {}): Decision {
  const { slots, errors } = readFactSlots(c.product, input);
  if (errors.length) return errorDecision(c.product, errors);
  return decideReference(c, slots, opts.trace !== false);
}

// The values of named facts (input facts, formulas, table outputs, derived values) as the
// engine computes them, for the json-rules-engine reference run: Unknown becomes undefined.
export function namedValues(c: Compiled, input: unknown, names: string[], itemIndex?: number): Map<string, unknown> {
  const { slots } = readFactSlots(c.product, input);
  const list = c.itemList;
  const listSlot = list ? c.slotOf.get(list) : undefined;
  const items = listSlot !== undefined ? (slots[listSlot] as Record<string, unknown>[] | undefined) : undefined;
  const s = newScope(slots, false, list);
  s.item = itemIndex !== undefined ? items?.[itemIndex] : undefined;
  s.itemIndex = itemIndex ?? -1;
  const out = new Map<string, unknown>();
  for (const n of names) {
    let v: unknown;
    if (n.startsWith('item.')) v = s.item?.[n.slice(5)];
    else if (c.named.has(n)) v = c.named.get(n)!(s);
    else v = c.slotOf.has(n) ? factValue(slots, c.slotOf.get(n)!) : undefined;
    if (v !== undefined && !isUnknown(v)) out.set(n, v);
  }
  return out;
}
