// Every operator and function, declared once as data: how it types its arguments and how it
// evaluates them. The checker reads `type`, the evaluator asks `impl` for an implementation
// chosen by the argument types at compile time (so no type tests run per decision).
import type { TypeRef } from '../../dsl/ir.js';
import {
  type Dec,
  Money,
  Duration,
  dec,
  ZERO,
  cmpDec,
  dateToDays,
  daysToDate,
  addMonths,
  addDuration,
  isDec,
  isMoney,
} from './money.js';

export type VType = TypeRef | { kind: 'number' } | { kind: 'symbol'; value: string } | { kind: 'unknown' };
export type Impl = (args: unknown[]) => unknown;

export interface OpDef {
  name: string;
  // A result type, or a message saying what was expected.
  type(args: VType[]): VType | string;
  impl(args: VType[]): Impl;
}

export const NUMBER: VType = { kind: 'number' };
export const BOOLEAN: VType = { kind: 'boolean' };
export const DATE: VType = { kind: 'date' };
export const UNKNOWN: VType = { kind: 'unknown' };

export function isNumeric(t: VType): boolean {
  return t.kind === 'number' || t.kind === 'integer' || t.kind === 'decimal' || t.kind === 'rate';
}
// The types `<` and `>` compare, min/max take and table ranges span: those with a total order
// that means more-or-less (text and booleans have an order for sorting, not for thresholds).
export function isOrdered(t: VType): boolean {
  return isNumeric(t) || t.kind === 'money' || t.kind === 'date' || t.kind === 'time' || t.kind === 'duration';
}
// A type as the checker's messages show it (integer, decimal and rate grouped as number).
export function typeText(t: VType): string {
  return typeString(t, false);
}
// A type as a product declares it (what `yakkan diff` shows of a changed fact).
export function declaredTypeText(t: VType): string {
  return typeString(t, true);
}
function typeString(t: VType, declared: boolean): string {
  switch (t.kind) {
    case 'money':
      return `money ${t.currency}`;
    case 'duration':
      return `duration ${t.unit}`;
    case 'enum':
      return `enum(${t.values.join(', ')})`;
    case 'list':
      return `list of ${typeString(t.of, declared)}`;
    case 'record':
      return `{ ${t.fields.map((f) => `${f.name}: ${typeString(f.type, declared)}`).join(', ')} }`;
    case 'symbol':
      return `the name ${t.value}`;
    case 'integer':
    case 'decimal':
    case 'rate':
      return declared ? t.kind : 'number';
    default:
      return t.kind;
  }
}

// Two types a comparison or a branch may mix.
export function compatible(a: VType, b: VType): boolean {
  if (a.kind === 'unknown' || b.kind === 'unknown') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (a.kind === 'money' && b.kind === 'money') return a.currency === b.currency;
  if (a.kind === 'duration' && b.kind === 'duration') return a.unit === b.unit;
  if (a.kind === 'enum' && b.kind === 'symbol') return a.values.includes(b.value);
  if (a.kind === 'symbol' && b.kind === 'enum') return b.values.includes(a.value);
  if (a.kind === 'enum' && b.kind === 'enum') return a.values.some((v) => b.values.includes(v));
  if (a.kind === 'symbol' && b.kind === 'symbol') return true;
  return a.kind === b.kind;
}

function anyUnknown(args: VType[]): boolean {
  return args.some((a) => a.kind === 'unknown');
}
const num = (x: unknown) => x as Dec;
const money = (x: unknown) => x as Money;

function mismatch(op: string, args: VType[]): string {
  return `${op} cannot take ${args.map(typeText).join(' and ')}`;
}

// An exact fraction literal evaluates to num/den at 40 digits; multiplying by it multiplies then
// divides, so 300,000 × 1/3 is exactly 100,000.
export class Fraction {
  constructor(
    readonly num: Dec,
    readonly den: Dec,
  ) {}
  value(): Dec {
    return this.num.div(this.den);
  }
}
function asDec(x: unknown): Dec {
  return x instanceof Fraction ? x.value() : (x as Dec);
}
function mulDec(a: unknown, b: unknown): Dec {
  if (b instanceof Fraction) return asDec(a).mul(b.num).div(b.den);
  if (a instanceof Fraction) return asDec(b).mul(a.num).div(a.den);
  return (a as Dec).mul(b as Dec);
}

export const OPERATORS: Record<string, OpDef> = {
  add: {
    name: '+',
    type([a, b]) {
      if (anyUnknown([a!, b!])) return UNKNOWN;
      if (isNumeric(a!) && isNumeric(b!)) return NUMBER;
      if (a!.kind === 'money' && b!.kind === 'money')
        return a!.currency === b!.currency ? a! : `cannot add ${typeText(a!)} and ${typeText(b!)}: currencies differ`;
      if (a!.kind === 'date' && b!.kind === 'duration') return DATE;
      if (a!.kind === 'duration' && b!.kind === 'duration' && a!.unit === b!.unit) return a!;
      return mismatch('+', [a!, b!]);
    },
    impl([a]) {
      if (a!.kind === 'money') return ([x, y]) => new Money(money(x).amount.plus(money(y).amount), money(x).currency);
      if (a!.kind === 'date') return ([x, y]) => addDuration(x as string, y as Duration, 1);
      if (a!.kind === 'duration')
        return ([x, y]) => new Duration((x as Duration).n + (y as Duration).n, (x as Duration).unit);
      return ([x, y]) => asDec(x).plus(asDec(y));
    },
  },
  sub: {
    name: '-',
    type([a, b]) {
      if (anyUnknown([a!, b!])) return UNKNOWN;
      if (isNumeric(a!) && isNumeric(b!)) return NUMBER;
      if (a!.kind === 'money' && b!.kind === 'money')
        return a!.currency === b!.currency
          ? a!
          : `cannot subtract ${typeText(b!)} from ${typeText(a!)}: currencies differ`;
      if (a!.kind === 'date' && b!.kind === 'duration') return DATE;
      if (a!.kind === 'date' && b!.kind === 'date') return { kind: 'duration', unit: 'days' };
      return mismatch('-', [a!, b!]);
    },
    impl([a, b]) {
      if (a!.kind === 'money') return ([x, y]) => new Money(money(x).amount.minus(money(y).amount), money(x).currency);
      if (a!.kind === 'date' && b!.kind === 'date')
        return ([x, y]) => new Duration(dateToDays(x as string) - dateToDays(y as string), 'days');
      if (a!.kind === 'date') return ([x, y]) => addDuration(x as string, y as Duration, -1);
      return ([x, y]) => asDec(x).minus(asDec(y));
    },
  },
  mul: {
    name: '×',
    type([a, b]) {
      if (anyUnknown([a!, b!])) return UNKNOWN;
      if (a!.kind === 'money' && b!.kind === 'money')
        return 'money × money has no meaning: multiply money by a rate or a number';
      if (a!.kind === 'money' && isNumeric(b!)) return a!;
      if (isNumeric(a!) && b!.kind === 'money') return b!;
      if (isNumeric(a!) && isNumeric(b!)) return NUMBER;
      return mismatch('×', [a!, b!]);
    },
    impl([a]) {
      if (a!.kind === 'money') return ([x, y]) => new Money(mulDec(money(x).amount, y), money(x).currency);
      return ([x, y]) => (isMoney(y) ? new Money(mulDec(y.amount, x), y.currency) : mulDec(x, y));
    },
  },
  div: {
    name: '÷',
    type([a, b]) {
      if (anyUnknown([a!, b!])) return UNKNOWN;
      if (a!.kind === 'money' && b!.kind === 'money')
        return a!.currency === b!.currency
          ? NUMBER
          : `cannot divide ${typeText(a!)} by ${typeText(b!)}: currencies differ`;
      if (a!.kind === 'money' && isNumeric(b!)) return a!;
      if (isNumeric(a!) && isNumeric(b!)) return NUMBER;
      return mismatch('÷', [a!, b!]);
    },
    impl([a, b]) {
      if (a!.kind === 'money' && b!.kind === 'money') return ([x, y]) => money(x).amount.div(money(y).amount);
      if (a!.kind === 'money') return ([x, y]) => new Money(money(x).amount.div(asDec(y)), money(x).currency);
      return ([x, y]) => asDec(x).div(asDec(y));
    },
  },
  neg: {
    name: '-',
    type([a]) {
      if (a!.kind === 'unknown' || a!.kind === 'money' || isNumeric(a!))
        return a!.kind === 'money' ? a! : a!.kind === 'unknown' ? UNKNOWN : NUMBER;
      return `cannot negate ${typeText(a!)}`;
    },
    impl([a]) {
      if (a!.kind === 'money') return ([x]) => new Money(money(x).amount.neg(), money(x).currency);
      return ([x]) => asDec(x).neg();
    },
  },
  min: {
    name: 'min',
    type: (args) => extremumType('min', args),
    impl: (args) => extremumImpl(args, -1),
  },
  max: {
    name: 'max',
    type: (args) => extremumType('max', args),
    impl: (args) => extremumImpl(args, 1),
  },
  abs: {
    name: 'abs',
    type([a]) {
      if (!a || !(isNumeric(a) || a.kind === 'money' || a.kind === 'unknown')) return 'abs takes one number or amount';
      return a.kind === 'money' ? a : NUMBER;
    },
    impl([a]) {
      if (a!.kind === 'money') return ([x]) => new Money(money(x).amount.abs(), money(x).currency);
      return ([x]) => asDec(x).abs();
    },
  },
  round: {
    name: 'round',
    type([x, unit]) {
      if (!x || !unit) return 'round takes (value, mode, unit)';
      if (anyUnknown([x, unit])) return UNKNOWN;
      if (x.kind === 'money' && (isNumeric(unit) || (unit.kind === 'money' && unit.currency === x.currency))) return x;
      if (isNumeric(x) && isNumeric(unit)) return NUMBER;
      return `round cannot take ${typeText(x)} to a unit of ${typeText(unit)}`;
    },
    impl() {
      throw new Error('round is compiled by the evaluator: it needs its mode');
    },
  },
  sum: {
    name: 'sum',
    type([l]) {
      if (!l) return 'sum takes a list of numbers or amounts, e.g. sum(claim.items.amount)';
      if (l.kind === 'unknown') return UNKNOWN;
      if (l.kind === 'list' && (isNumeric(l.of) || l.of.kind === 'money')) return l.of.kind === 'money' ? l.of : NUMBER;
      return `sum takes a list of numbers or amounts, not ${typeText(l)}`;
    },
    impl([l]) {
      const of = (l as { of?: VType }).of;
      if (of?.kind === 'money') {
        return ([xs]) =>
          new Money(
            (xs as Money[]).reduce((s, m) => s.plus(m.amount), ZERO),
            of.currency,
          );
      }
      return ([xs]) => (xs as Dec[]).reduce((s, v) => s.plus(v), ZERO);
    },
  },
  count: {
    name: 'count',
    type([l]) {
      if (!l || (l.kind !== 'list' && l.kind !== 'unknown')) return 'count takes a list';
      return NUMBER;
    },
    impl:
      () =>
      ([xs]) =>
        dec((xs as unknown[]).length),
  },
  days_between: {
    name: 'days_between',
    type([a, b]) {
      if (a?.kind === 'date' && b?.kind === 'date') return NUMBER;
      if (a && b && anyUnknown([a, b])) return UNKNOWN;
      return 'days_between takes two dates';
    },
    impl:
      () =>
      ([a, b]) =>
        dec(dateToDays(b as string) - dateToDays(a as string)),
  },
  day: {
    name: 'day',
    type: ([a]) => (a?.kind === 'date' || a?.kind === 'unknown' ? NUMBER : 'day takes a date'),
    impl:
      () =>
      ([a]) =>
        dec(Number((a as string).slice(8, 10))),
  },
  month: {
    name: 'month',
    type: ([a]) => (a?.kind === 'date' || a?.kind === 'unknown' ? NUMBER : 'month takes a date'),
    impl:
      () =>
      ([a]) =>
        dec(Number((a as string).slice(5, 7))),
  },
  year: {
    name: 'year',
    type: ([a]) => (a?.kind === 'date' || a?.kind === 'unknown' ? NUMBER : 'year takes a date'),
    impl:
      () =>
      ([a]) =>
        dec(Number((a as string).slice(0, 4))),
  },
  month_start: {
    name: 'month_start',
    type: ([a]) => (a?.kind === 'date' || a?.kind === 'unknown' ? DATE : 'month_start takes a date'),
    impl:
      () =>
      ([a]) =>
        `${(a as string).slice(0, 8)}01`,
  },
  month_end: {
    name: 'month_end',
    type: ([a]) => (a?.kind === 'date' || a?.kind === 'unknown' ? DATE : 'month_end takes a date'),
    impl:
      () =>
      ([a]) =>
        daysToDate(dateToDays(addMonths(`${(a as string).slice(0, 8)}01`, 1)) - 1),
  },
  add_months: {
    name: 'add_months',
    type: ([a, n]) =>
      (a?.kind === 'date' || a?.kind === 'unknown') && n && (isNumeric(n) || n.kind === 'unknown')
        ? DATE
        : 'add_months takes a date and a whole number',
    impl:
      () =>
      ([a, n]) =>
        addMonths(a as string, (n as Dec).toNumber()),
  },
  next_business_day: {
    name: 'next_business_day',
    // The date itself when it is a weekday and not in the holiday list, else the next such day.
    type: ([a, h]) =>
      (a?.kind === 'date' || a?.kind === 'unknown') &&
      h &&
      (h.kind === 'unknown' || (h.kind === 'list' && h.of.kind === 'date'))
        ? DATE
        : 'next_business_day takes a date and a list of holiday dates (e.g. a fact calendar.holidays: list of date)',
    impl:
      () =>
      ([a, h]) => {
        const holidays = new Set(h as string[]);
        let d = dateToDays(a as string);
        for (;;) {
          const wd = ((((Math.floor(d) + 3) % 7) + 7) % 7) + 1;
          const iso = daysToDate(d);
          if (wd <= 5 && !holidays.has(iso)) return iso;
          d++;
        }
      },
  },
  weekday: {
    name: 'weekday',
    // 1 = Monday ... 7 = Sunday (ISO 8601)
    type: ([a]) => (a?.kind === 'date' || a?.kind === 'unknown' ? NUMBER : 'weekday takes a date'),
    impl:
      () =>
      ([a]) =>
        dec(((((Math.floor(dateToDays(a as string)) + 3) % 7) + 7) % 7) + 1),
  },
};

// Comparisons and logic, typed here like everything else; evaluation of conditions uses
// `comparator`/`equals` below, and these impls serve comparisons nested inside formulas.
function comparisonOp(name: string, test: (c: number) => boolean, equality: boolean): OpDef {
  return {
    name,
    type([a, b]) {
      if (!a || !b) return `${name} compares two values`;
      if (!compatible(a, b)) return `cannot compare ${typeText(a)} with ${typeText(b)}`;
      if (!equality && !(isOrdered(a) || a.kind === 'unknown')) {
        return `${name} needs numbers, amounts, dates, times or durations, not ${typeText(a)}`;
      }
      return BOOLEAN;
    },
    impl([a, b]) {
      const t = a!.kind === 'symbol' || a!.kind === 'unknown' ? b! : a!;
      if (equality) {
        const eq = equals(t);
        return ([x, y]) => test(eq(x, y) ? 0 : 1);
      }
      const c = comparator(t);
      return ([x, y]) => test(c(x, y));
    },
  };
}
Object.assign(OPERATORS, {
  eq: comparisonOp('=', (c) => c === 0, true),
  ne: comparisonOp('≠', (c) => c !== 0, true),
  lt: comparisonOp('<', (c) => c < 0, false),
  le: comparisonOp('≤', (c) => c <= 0, false),
  gt: comparisonOp('>', (c) => c > 0, false),
  ge: comparisonOp('≥', (c) => c >= 0, false),
  in: membershipOp('in', true),
  notIn: membershipOp('not in', false),
  and: logicOp('and'),
  or: logicOp('or'),
  not: logicOp('not'),
  if: {
    name: 'if',
    type([c, a, b]) {
      if (c && c.kind !== 'boolean' && c.kind !== 'unknown') return `if needs a condition, not ${typeText(c)}`;
      if (!a || !b || !compatible(a, b))
        return `both branches of if must have one type, got ${a ? typeText(a) : '?'} and ${b ? typeText(b) : '?'}`;
      if (a.kind === 'symbol' && b.kind === 'symbol') return { kind: 'enum', values: [a.value, b.value] };
      return a.kind === 'unknown' || a.kind === 'symbol' ? b : a;
    },
    impl: () => {
      throw new Error('if is compiled by the evaluator: it short-circuits');
    },
  },
} satisfies Record<string, OpDef>);

function membershipOp(name: string, positive: boolean): OpDef {
  return {
    name,
    type([s, ...members]) {
      for (const m of members)
        if (!s || !compatible(s, m!)) return `${name}: cannot compare ${s ? typeText(s) : '?'} with ${typeText(m!)}`;
      return BOOLEAN;
    },
    impl([s]) {
      const eq = equals(s!);
      return ([x, ...ms]) => ms.some((m) => eq(x, m)) === positive;
    },
  };
}

function logicOp(name: string): OpDef {
  return {
    name,
    type(args) {
      for (const a of args)
        if (a.kind !== 'boolean' && a.kind !== 'unknown')
          return `${name} needs conditions (true/false), not ${typeText(a)}`;
      return BOOLEAN;
    },
    impl: () => {
      throw new Error(`${name} is compiled by the evaluator: it is three-valued and short-circuits`);
    },
  };
}

function extremumType(name: string, args: VType[]): VType | string {
  if (args.length === 0) return `${name} takes at least one value`;
  const known = args.filter((a) => a.kind !== 'unknown');
  if (known.length === 0) return UNKNOWN;
  const first = known[0]!;
  for (const a of known) {
    if (!compatible(first, a) || !isOrdered(a)) {
      const got = args.map(typeText).join(', ');
      return `${name} needs values of one kind (numbers, amounts in one currency, or dates), got ${got}`;
    }
  }
  return isNumeric(first) ? NUMBER : first;
}

function extremumImpl(args: VType[], sign: 1 | -1): Impl {
  const first = args.find((a) => a.kind !== 'unknown');
  const cmp = comparator(first ?? NUMBER);
  return (vals) => {
    let best = vals[0];
    for (let i = 1; i < vals.length; i++) if (cmp(vals[i], best) * sign > 0) best = vals[i];
    return best;
  };
}

// Minutes since midnight and back: the samples either side of a time in a table's gap check.
export function timeToMinute(t: string): number {
  return Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
}
export function minuteToTime(m: number): string {
  const c = Math.min(Math.max(m, 0), 24 * 60 - 1);
  return `${String(Math.floor(c / 60)).padStart(2, '0')}:${String(c % 60).padStart(2, '0')}`;
}

// In xs, sorted by cmp: the index of the first element above x (after = true) or at or above x
// (after = false); xs.length when there is none.
export function searchSorted(
  xs: readonly unknown[],
  x: unknown,
  cmp: (a: unknown, b: unknown) => number,
  after: boolean,
): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmp(xs[mid], x);
    if (c < 0 || (after && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Total order on values of one type, for comparisons, min/max and table ranges.
export function comparator(t: VType): (a: unknown, b: unknown) => number {
  if (t.kind === 'money') return (a, b) => cmpDec(money(a).amount, money(b).amount);
  // HH:MM is zero-padded (facts and literals are checked), so string order is time order.
  if (t.kind === 'date' || t.kind === 'time' || t.kind === 'text')
    return (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
  if (t.kind === 'duration') return (a, b) => (a as Duration).n - (b as Duration).n;
  if (t.kind === 'boolean') return (a, b) => Number(a) - Number(b);
  if (isNumeric(t)) return (a, b) => cmpDec(asDec(a), asDec(b));
  return (a, b) => (a === b ? 0 : String(a) < String(b) ? -1 : 1);
}

export function equals(t: VType): (a: unknown, b: unknown) => boolean {
  if (t.kind === 'money' || isNumeric(t) || t.kind === 'duration') {
    const c = comparator(t);
    return (a, b) => c(a, b) === 0;
  }
  return (a, b) => a === b;
}

export { isDec, isMoney, num };
