// Runtime values: literal -> value, value -> the JSON a decision shows. Runtime representation:
// boolean; Dec for numbers (Fraction for an exact fraction literal); Money; ISO string for dates,
// HH:MM for times; Duration; string for enum/text; arrays. Every literal becomes a value here.
import type { LeafValue, Literal } from '../../dsl/ir.js';
import { groupDigits } from '../../dsl/literals.js';
import { Money, Duration, dec, isDec, isMoney, isDuration, decText, type Dec } from './money.js';
import { Fraction, type VType } from './operators.js';
import type { ShownValue } from './decision-types.js';

export function literalValue(l: Literal): unknown {
  switch (l.type) {
    case 'boolean':
      return l.value;
    case 'number':
    case 'rate':
      return dec(l.value);
    case 'fraction':
      return new Fraction(dec(l.num), dec(l.den));
    case 'money':
      return new Money(dec(l.amount), l.currency);
    case 'date':
    case 'time':
    case 'symbol':
    case 'text':
      return l.value;
    case 'duration':
      return new Duration(l.value, l.unit);
  }
}

// A condition leaf's literal, as the model stores it (see leafLiteral in dsl/model.ts), as a
// value of the type it is compared with.
export function leafValue(v: Exclude<LeafValue, { fact: string }>, t: VType): unknown {
  if (Array.isArray(v)) return v.map((x) => leafValue(x, t));
  switch (t.kind) {
    case 'money':
      return literalValue({ type: 'money', amount: String(v), currency: t.currency });
    case 'duration':
      return literalValue({ type: 'duration', value: Number(v), unit: t.unit });
    case 'number':
    case 'integer':
    case 'decimal':
    case 'rate': {
      const f = /^(-?\d+)\/(\d+)$/.exec(String(v));
      return literalValue(f ? { type: 'fraction', num: f[1]!, den: f[2]! } : { type: 'number', value: String(v) });
    }
    default:
      return v;
  }
}

// A number as a decimal (a fraction divided out at 40 digits).
export function numericValue(v: unknown): Dec {
  return v instanceof Fraction ? v.value() : (v as Dec);
}

export function showValue(v: unknown): ShownValue {
  if (v === undefined || v === null) return null;
  if (isMoney(v)) return { amount: decText(v.amount), currency: v.currency };
  if (isDec(v)) return decText(v);
  if ((v as object) instanceof Fraction) {
    const f = v as Fraction;
    return `${decText(f.num)}/${decText(f.den)}`;
  }
  if (isDuration(v)) return `${v.n} ${v.n === 1 ? v.unit.replace(/s$/, '') : v.unit}`;
  if (Array.isArray(v)) return v.map(showValue);
  if (typeof v === 'object') {
    const o: Record<string, ShownValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = showValue(x);
    return o as unknown as ShownValue;
  }
  return v as string | boolean;
}

// showValue for values of a type known at compile time: the common case first, without the
// chain of instanceof tests; anything else (a Fraction, an unexpected value) as showValue shows it.
export function showerOf(kind: VType['kind']): (v: unknown) => ShownValue {
  switch (kind) {
    case 'money':
      return (v) => (v instanceof Money ? { amount: decText(v.amount), currency: v.currency } : showValue(v));
    case 'number':
    case 'integer':
    case 'decimal':
    case 'rate':
      return (v) => (isDec(v) ? decText(v) : showValue(v));
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : showValue(v));
    default:
      return showValue;
  }
}

// For people: 90000000 JPY -> 90,000,000円
export function showText(v: ShownValue): string {
  if (v === null) return '(missing)';
  if (Array.isArray(v)) return `[${v.map(showText).join(', ')}]`;
  if (typeof v === 'object') {
    if ('amount' in v && 'currency' in v) {
      return v.currency === 'JPY' ? `${groupDigits(v.amount)}円` : `${v.currency} ${groupDigits(v.amount)}`;
    }
    return JSON.stringify(v);
  }
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return groupDigits(v);
  return String(v);
}
