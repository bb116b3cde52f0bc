// Amounts (payouts, premiums) step by step once the outcome is known, and the formulas a decision
// shows. Shared by the reference and the fast path; s.trace says whether steps are recorded.
import type { Amount } from '../../../dsl/ir.js';
import type { AmountResult, AmountStep, FormulaResult, ItemDecision, Outcome } from '../decision-types.js';
import { Money, cmpDec, isMoney, roundTo, ZERO, type Dec } from '../money.js';
import { numericValue, showValue } from '../values.js';
import { type Compiled, type CompiledAmount, type CompiledFormula, type Scope, itemScope } from './compiled.js';
import { Unknown, isUnknown, mergeUnknown } from './unknown.js';
import type { Settled } from './outcome.js';

type Items = Record<string, unknown>[] | undefined;

// The amounts, and the outcome they leave. An amount that is paid (`payable`) is required: when it
// cannot be computed for a covered claim or item, that claim or item is undetermined, missing the
// facts the amount needs, like a rule waiting for a fact; the amounts are then computed again for
// that outcome (each round leaves more undetermined, so this ends).
export function settleAmounts(
  c: Compiled,
  s: Scope,
  settled: Settled,
  items: Items,
): { settled: Settled; amounts: AmountResult[] } {
  for (;;) {
    const computed = computeAll(c, s, settled, items);
    const next = undeterminedBy(c, settled, computed);
    if (next === undefined) return { settled, amounts: computed.map((x) => x.result) };
    settled = next;
  }
}

// Every amount in declaration order; each is a named value for the amounts after it.
function computeAll(c: Compiled, s: Scope, settled: Settled, items: Items): Computed[] {
  return c.amounts.map((a) => {
    const computed = computeAmount(a, s, settled.outcome, settled.missing, settled.items, items);
    const v = computed.value;
    // Later steps read the amount as shown (a zero shows as 0, whatever its sign).
    // (-0 shows as 0: ZERO is +0.)
    if (isMoney(v)) s.memo.set(a.memoKey, v.amount.isZero() ? new Money(ZERO, v.currency) : v);
    else s.memo.delete(a.memoKey);
    return computed;
  });
}

// The settlement with the claim or items a required amount could not be computed for
// undetermined; undefined when there are none.
function undeterminedBy(c: Compiled, settled: Settled, computed: Computed[]): Settled | undefined {
  // Usually every payable amount is known: nothing to collect.
  let anyUnknown = false;
  for (let k = 0; k < computed.length; k++)
    if (c.amounts[k]!.amount.payable && computed[k]!.value instanceof Unknown) anyUnknown = true;
  if (!anyUnknown) return undefined;
  const claim = new Set<string>();
  const byItem = new Map<number, Set<string>>();
  c.amounts.forEach((ca, k) => {
    const { value, perItem } = computed[k]!;
    if (!ca.amount.payable || !isUnknown(value)) return;
    let itemsKnown = true;
    perItem?.forEach((v, i) => {
      if (!isUnknown(v)) return;
      itemsKnown = false;
      if (settled.items[i]?.outcome !== 'covered') return;
      const m = byItem.get(i) ?? new Set<string>();
      for (const f of v.facts) m.add(f);
      byItem.set(i, m);
    });
    // Unknown past the items (or with no items): the claim's amount.
    if (itemsKnown && settled.outcome === 'covered') for (const f of value.facts) claim.add(f);
  });
  if (claim.size === 0 && byItem.size === 0) return undefined;
  const items = settled.items.map((d): ItemDecision => {
    const m = byItem.get(d.index);
    return m ? { index: d.index, outcome: 'undetermined', deciding: [], missing: [...m].sort() } : d;
  });
  const missing = new Set([...claim, ...items.flatMap((d) => d.missing)]);
  return {
    outcome: 'undetermined',
    eligibility: settled.eligibility,
    deciding: [],
    decidingClaim: [],
    decidingItems: new Set(),
    missing: [...missing].sort(),
    items,
  };
}

interface Computed {
  result: AmountResult;
  value: unknown;
  // Per item, for an amount `for each` item.
  perItem?: unknown[];
}

export function formulaResult(f: CompiledFormula, s: Scope): FormulaResult {
  const steps = s.trace ? [] : null;
  s.steps = steps;
  const v = f.fn(s);
  s.steps = null;
  const decl = f.decl;
  // A formula first computed just now recorded its steps under its own key; one computed
  // earlier (by a rule or an amount) recorded them then.
  const recorded = steps === null ? [] : ((s.memo.get(f.stepsKey) as FormulaResult['steps'] | undefined) ?? steps);
  const unknown = isUnknown(v);
  const value = unknown ? null : showValue(v);
  const missing = unknown ? v.sorted() : [];
  // Keys in the decision schema's order, label only when there is one (two literals: V8 builds
  // an object spread slowly).
  return decl.label
    ? { name: f.name, label: decl.label, value, missing, steps: recorded, cite: decl.cite }
    : { name: f.name, value, missing, steps: recorded, cite: decl.cite };
}

function computeAmount(
  ca: CompiledAmount,
  s: Scope,
  outcome: Outcome,
  outcomeMissing: string[],
  items: ItemDecision[],
  itemValues: Record<string, unknown>[] | undefined,
): Computed {
  const a = ca.amount;
  const steps: AmountStep[] = [];
  const zero = new Money(ZERO, a.currency);
  const totalAt = ca.totalAt;
  // What is left of each shared limit or deductible, by step index, as items use it up in order.
  const budgets = ca.steps.some((st) => st.shared) ? new Map<number, Dec>() : undefined;
  if (!a.forEach) {
    if (a.payable && outcome !== 'covered') {
      if (outcome === 'undetermined') return result(a, steps, new Unknown(outcomeMissing), outcomeMissing);
      if (s.trace)
        steps.push({
          step: 'not-payable',
          text: outcome,
          operand: null,
          before: null,
          after: showValue(zero),
          applied: true,
          cite: [],
        });
      return result(a, steps, zero, []);
    }
    const v = run(ca, steps, budgets, 0, ca.steps.length, zero, s, undefined);
    return result(a, steps, v, isUnknown(v) ? v.facts : []);
  }
  if (itemValues === undefined) return result(a, steps, new Unknown([a.forEach]), [a.forEach]);
  const perItem = itemValues.map((it, i) => {
    const d = items[i];
    if (a.payable && d && d.outcome !== 'covered') return d.outcome === 'undetermined' ? new Unknown(d.missing) : zero;
    if (a.payable && !d && outcome !== 'covered') return outcome === 'undetermined' ? new Unknown([]) : zero;
    const to = totalAt < 0 ? ca.steps.length : totalAt;
    return run(ca, steps, budgets, 0, to, zero, itemScope(s, it, i, a.forEach!), i);
  });
  if (perItem.some(isUnknown)) {
    const u = mergeUnknown(perItem);
    return result(a, steps, u, u.facts, perItem);
  }
  let total: unknown = new Money(
    perItem.reduce((sum: Dec, m) => sum.plus((m as Money).amount), ZERO),
    a.currency,
  );
  if (totalAt >= 0) {
    if (s.trace)
      steps.push({
        step: 'total',
        text: 'total',
        operand: null,
        before: null,
        after: showValue(total),
        applied: true,
        cite: [],
      });
    total = run(ca, steps, budgets, totalAt + 1, ca.steps.length, total, s, undefined);
  }
  return result(a, steps, total, isUnknown(total) ? total.facts : [], perItem);
}

function result(a: Amount, steps: AmountStep[], value: unknown, missing: string[], perItem?: unknown[]): Computed {
  const shown = isUnknown(value) ? null : showValue(value);
  const miss = missing.length ? [...missing].sort() : [];
  // Keys in the decision schema's order; label and items only when there are.
  const r: AmountResult = a.label
    ? { name: a.name, label: a.label, value: shown, missing: miss, steps, cite: a.cite }
    : { name: a.name, value: shown, missing: miss, steps, cite: a.cite };
  if (perItem) r.items = perItem.map((v) => (isUnknown(v) ? null : showValue(v)));
  return perItem ? { result: r, value, perItem } : { result: r, value };
}

// One step as the full trace shows it.
function traceStep(
  ca: CompiledAmount,
  i: number,
  steps: AmountStep[],
  operand: unknown,
  before: unknown,
  after: unknown,
  applied: boolean,
  item: number | undefined,
): void {
  const st = ca.steps[i]!;
  const step = st.kind;
  const text = st.text;
  const cite = ca.amount.steps[i]!.cite ?? [];
  const o = showValue(operand);
  const b = showValue(before);
  const a = showValue(after);
  steps.push(
    item === undefined
      ? { step, text, operand: o, before: b, after: a, applied, cite }
      : { step, text, operand: o, before: b, after: a, applied, item, cite },
  );
}

// Steps from..to-1 on the running amount `start`; each recorded (full trace) as it is taken.
function run(
  ca: CompiledAmount,
  steps: AmountStep[],
  budgets: Map<number, Dec> | undefined,
  from: number,
  to: number,
  start: unknown,
  sc: Scope,
  item: number | undefined,
): unknown {
  const a = ca.amount;
  const trace = sc.trace;
  let cur = start;
  for (let i = from; i < to; i++) {
    const st = ca.steps[i]!;
    if (st.when) {
      sc.checks = null;
      const w = st.when(sc);
      if (isUnknown(w)) return w;
      if (!w) {
        if (trace) traceStep(ca, i, steps, null, cur, cur, false, item);
        continue;
      }
    }
    const x = st.fn ? st.fn(sc) : undefined;
    if (isUnknown(x)) {
      // A step the running amount settles alone needs no operand (a fact that cannot change
      // the result is not asked for): nothing left to pay stays nothing.
      if (isUnknown(cur) || st.shared || !settledWithout(st.kind, cur as Money)) return x;
      if (trace) traceStep(ca, i, steps, null, cur, cur, true, item);
      continue;
    }
    if (isUnknown(cur) && st.kind !== 'start') return cur;
    const m = cur as Money;
    let next: unknown;
    if (st.shared) {
      const left = budgets!.get(i) ?? (x as Money).amount;
      const used = cmpDec(m.amount, left) > 0 ? left : m.amount;
      budgets!.set(i, left.minus(used));
      next = new Money(st.kind === 'limit' ? used : m.amount.minus(used), a.currency);
      if (trace) traceStep(ca, i, steps, new Money(left, a.currency), m, next, true, item);
      cur = next;
      continue;
    }
    switch (st.kind) {
      case 'start':
        next = x;
        break;
      case 'add':
        next = new Money(m.amount.plus((x as Money).amount), a.currency);
        break;
      case 'subtract':
        next = new Money(m.amount.minus((x as Money).amount), a.currency);
        break;
      case 'deductible':
        next = new Money(nonNegative(m.amount.minus((x as Money).amount)), a.currency);
        break;
      case 'coinsurance':
      case 'multiply':
        next = new Money(m.amount.mul(numericValue(x)), a.currency);
        break;
      case 'limit':
        next = cmpDec(m.amount, (x as Money).amount) > 0 ? x : m;
        break;
      case 'floor':
        next = cmpDec(m.amount, (x as Money).amount) < 0 ? x : m;
        break;
      case 'aggregate': {
        const used = st.used!(sc);
        if (isUnknown(used)) {
          if (!settledWithout(st.kind, m)) return used;
          if (trace) traceStep(ca, i, steps, null, m, m, true, item);
          continue;
        }
        const room = nonNegative((x as Money).amount.minus((used as Money).amount));
        next = cmpDec(m.amount, room) > 0 ? new Money(room, a.currency) : m;
        if (trace) traceStep(ca, i, steps, new Money(room, a.currency), m, next, true, item);
        cur = next;
        continue;
      }
      case 'round': {
        const unit = isMoney(x) ? x.amount : numericValue(x);
        next = new Money(roundTo(m.amount, unit, a.steps[i]!.mode!), a.currency);
        break;
      }
      default:
        next = m;
    }
    if (trace) traceStep(ca, i, steps, x, cur, next, true, item);
    cur = next;
  }
  return cur;
}

// Whether a step leaves the running amount m as it is whatever its operand: an aggregate limit
// leaves room of at least 0, so it cannot lower an amount of 0 or less; a product or a rounding
// of 0 is 0.
function settledWithout(kind: string, m: Money): boolean {
  if (kind === 'aggregate') return !m.amount.isPositive() || m.amount.isZero();
  return (kind === 'multiply' || kind === 'coinsurance' || kind === 'round') && m.amount.isZero();
}

function nonNegative(d: Dec): Dec {
  return d.isNegative() ? ZERO : d;
}
