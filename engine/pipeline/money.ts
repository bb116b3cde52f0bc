// The only module that imports decimal.js. Numbers are exact decimals; money is an amount with a
// currency; every rounding names its mode and unit. No JS floats touch an amount.
import { Decimal as DecimalLib } from 'decimal.js';
import type { RoundingMode } from '../../dsl/ir.js';
import { daysInMonth } from '../../dsl/literals.js';

const Decimal = DecimalLib.clone({ precision: 40, rounding: DecimalLib.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Dec = InstanceType<typeof Decimal>;

export function dec(v: string | number): Dec {
  if (typeof v === 'string') {
    const d = plainDecimal(v);
    if (d !== undefined) return d;
  }
  return new Decimal(v);
}

const LOG_BASE = 7;

// m / 10^scale (m a safe integer, 0 <= scale <= 15: exact.ts's scaled form) as a Decimal, the
// same as dec(scaledText(m, scale)) without the text: the digits of |m| (at most 16, exact in a
// double) go into base-1e7 words aligned on the exponent, as decimal.js's parseDecimal lays them.
export function decScaled(m: number, scale: number): Dec {
  if (!Number.isSafeInteger(m) || !Number.isInteger(scale) || scale < 0 || scale > 15) {
    throw new RangeError(`decScaled: ${m} / 10^${scale} is outside the scaled range`);
  }
  const x = new Decimal(0) as unknown as { s: number; e: number; d: number[] };
  // (scaledText writes -0 as 0, which reads as +0.)
  x.s = m < 0 ? -1 : 1;
  let n = Math.abs(m);
  if (n === 0) return x as unknown as Dec;
  let sc = scale;
  while (n % 10 === 0) {
    n /= 10;
    sc--;
  }
  // n: the significant digits (no trailing zeros), len of them; the value is n * 10^-sc.
  const digits = String(n);
  const len = digits.length;
  const e = len - 1 - sc;
  let cap = (e + 1) % LOG_BASE;
  if (cap < 0) cap += LOG_BASE;
  if (cap === 0) cap = LOG_BASE;
  const d: number[] = [];
  let w = 0;
  let k = 0;
  for (let i = 0; i < len; i++) {
    w = w * 10 + (digits.charCodeAt(i) - 48);
    if (++k === cap) {
      d.push(w);
      w = 0;
      k = 0;
      cap = LOG_BASE;
    }
  }
  if (k > 0) {
    for (; k < cap; k++) w *= 10;
    d.push(w);
  }
  x.e = e;
  x.d = d;
  return x as unknown as Dec;
}

// Facts arrive as plain decimal strings (-?digits, an optional .digits): decimal.js's own parse
// tests a regular expression, then slices the string word by word. This builds the very same
// Decimal (sign s, base-10 exponent e, base-1e7 words d, as decimal.js's parseDecimal sets them)
// in one pass over the characters; test/perf-dec.test.ts holds s, e and d equal to decimal.js's
// on random and boundary strings. Anything else (exponents, a leading +, ".5", "5.") goes to
// decimal.js.
function plainDecimal(str: string): Dec | undefined {
  const n = str.length;
  let i = 0;
  let sign = 1;
  if (n > 0 && str.charCodeAt(0) === 45) {
    sign = -1;
    i = 1;
  }
  if (i >= n) return undefined;
  // point: the number of digits before the decimal point; first: the index among the digits of
  // the first significant one; firstAt/lastAt: where the first and last significant digits are.
  let point = -1;
  let digits = 0;
  let first = -1;
  let firstAt = -1;
  let lastAt = -1;
  for (let k = i; k < n; k++) {
    const ch = str.charCodeAt(k);
    if (ch >= 48 && ch <= 57) {
      if (ch !== 48) {
        if (first < 0) {
          first = digits;
          firstAt = k;
        }
        lastAt = k;
      }
      digits++;
    } else if (ch === 46 && point < 0 && k > i && k < n - 1) point = digits;
    else return undefined;
  }
  // A Decimal made by decimal.js's own constructor (the same hidden class), its fields then set.
  const x = new Decimal(0) as unknown as { s: number; e: number; d: number[] };
  x.s = sign;
  if (first < 0) return x as unknown as Dec;
  // The exponent of the first significant digit.
  const e = (point < 0 ? digits : point) - first - 1;
  // Words of LOG_BASE digits aligned on the exponent: the first holds (e + 1) mod LOG_BASE digits
  // (a whole word when that is 0), the last is padded with zeros (parseDecimal's layout).
  let cap = (e + 1) % LOG_BASE;
  if (cap < 0) cap += LOG_BASE;
  if (cap === 0) cap = LOG_BASE;
  const d: number[] = [];
  let w = 0;
  let k = 0;
  for (let at = firstAt; at <= lastAt; at++) {
    const c = str.charCodeAt(at);
    if (c === 46) continue;
    w = w * 10 + (c - 48);
    if (++k === cap) {
      d.push(w);
      w = 0;
      k = 0;
      cap = LOG_BASE;
    }
  }
  if (k > 0) {
    for (; k < cap; k++) w *= 10;
    d.push(w);
  }
  x.e = e;
  x.d = d;
  return x as unknown as Dec;
}

export function isDec(v: unknown): v is Dec {
  return v instanceof Decimal;
}

// Total order of two decimals: -1, 0 or 1.
export function cmpDec(a: Dec, b: Dec): number {
  // decimal.js's comparedTo, without the copy of b it makes first (b is already a Decimal).
  const x = a as unknown as { s: number; e: number; d: number[] | null };
  const y = b as unknown as { s: number; e: number; d: number[] | null };
  const xd = x.d;
  const yd = y.d;
  if (xd === null || yd === null) return a.cmp(b);
  const xs = x.s;
  const ys = y.s;
  if (!xd[0] || !yd[0]) return xd[0] ? xs : yd[0] ? -ys : 0;
  if (xs !== ys) return xs;
  if (x.e !== y.e) return x.e > y.e !== xs < 0 ? 1 : -1;
  const n = Math.min(xd.length, yd.length);
  for (let i = 0; i < n; i++) if (xd[i] !== yd[i]) return xd[i]! > yd[i]! !== xs < 0 ? 1 : -1;
  return xd.length === yd.length ? 0 : xd.length > yd.length !== xs < 0 ? 1 : -1;
}

export class Money {
  constructor(
    readonly amount: Dec,
    readonly currency: string,
  ) {}
}
export function isMoney(v: unknown): v is Money {
  return v instanceof Money;
}

export class Duration {
  constructor(
    readonly n: number,
    readonly unit: 'days' | 'months' | 'years',
  ) {}
}
export function isDuration(v: unknown): v is Duration {
  return v instanceof Duration;
}

export const ZERO = dec(0);

const MODES: Record<RoundingMode, DecimalLib.Rounding> = {
  down: DecimalLib.ROUND_DOWN,
  up: DecimalLib.ROUND_UP,
  'half-up': DecimalLib.ROUND_HALF_UP,
  'half-even': DecimalLib.ROUND_HALF_EVEN,
  'half-down': DecimalLib.ROUND_HALF_DOWN,
};

// Round to a multiple of `unit` (1,000円 -> thousands). `down`/`up` are toward/away from zero.
export function roundTo(x: Dec, unit: Dec, mode: RoundingMode): Dec {
  if (unit.isZero()) return x;
  return x.div(unit).toDecimalPlaces(0, MODES[mode]).mul(unit);
}

export function decText(d: Dec): string {
  // The full trace shows every intermediate value. What decimal.js's toString writes (no exponent
  // between toExpNeg and toExpPos), for up to two base-1e7 words (14 digits, exact in a double),
  // written straight from the words; test/perf-dec.test.ts holds the two equal.
  const x = d as unknown as { s: number; e: number; d: number[] | null };
  const w = x.d;
  const e = x.e;
  if (w === null || w.length > 2 || e <= -40 || e >= 40) return d.toString();
  let n = w.length === 1 ? w[0]! : w[0]! * 1e7 + w[1]!;
  if (n === 0) return '0';
  while (n % 10 === 0) n /= 10;
  const digits = String(n);
  const len = digits.length;
  let str: string;
  if (e < 0) str = `0.${'0'.repeat(-e - 1)}${digits}`;
  else if (e >= len) str = digits + '0'.repeat(e + 1 - len);
  else if (e + 1 < len) str = `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  else str = digits;
  return x.s < 0 ? `-${str}` : str;
}

// ---- dates (ISO strings; arithmetic in UTC days, no clock, no time zone) ----
export function dateToDays(iso: string): number {
  // YYYY-MM-DD read digit by digit and counted in integers (Howard Hinnant's days_from_civil):
  // no slices, no Number(), no Date.UTC. Anything else goes the Date.UTC way.
  if (iso.length === 10 && iso.charCodeAt(4) === 45 && iso.charCodeAt(7) === 45) {
    const y = digits4(iso, 0);
    const m = digit(iso, 5) * 10 + digit(iso, 6);
    const d = digit(iso, 8) * 10 + digit(iso, 9);
    // Date.UTC reads a year 0-99 as 1900-1999; such years go its way, to keep its answer.
    if (y >= 100 && m >= 1 && m <= 12 && d >= 1 && d <= 31) return daysFromCivil(y, m, d);
  }
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86400000;
}
// A digit's value, or NaN (which fails every range test above) for anything else.
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
}
function digits4(s: string, i: number): number {
  return digit(s, i) * 1000 + digit(s, i + 1) * 100 + digit(s, i + 2) * 10 + digit(s, i + 3);
}
// Days since 1970-01-01 of a proleptic Gregorian date; linear in d, as Date.UTC is for days past
// the month's end.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
// Civil date from a day count (Howard Hinnant's algorithm): no Date objects on the hot path.
export function daysToDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const md = `-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
  return y >= 1000 && y <= 9999 ? `${y}${md}` : `${String(y).padStart(4, '0')}${md}`;
}
export function addMonths(iso: string, months: number): string {
  let y = Number.NaN;
  let m0 = Number.NaN;
  let d = Number.NaN;
  if (iso.length === 10 && iso.charCodeAt(4) === 45 && iso.charCodeAt(7) === 45) {
    y = digits4(iso, 0);
    m0 = digit(iso, 5) * 10 + digit(iso, 6);
    d = digit(iso, 8) * 10 + digit(iso, 9);
  }
  // Not YYYY-MM-DD in ASCII digits: as Number() reads the parts.
  if (Number.isNaN(y + m0 + d)) {
    y = Number(iso.slice(0, 4));
    m0 = Number(iso.slice(5, 7));
    d = Number(iso.slice(8, 10));
  }
  const m = m0 - 1 + months;
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  if (year >= 1000 && year <= 9999 && d >= 1) {
    // The same date as below, without Date objects (four-digit years; Date.UTC reads 0-99 as 1900-1999).
    const day = Math.min(d, daysInMonth(year, month + 1));
    return `${year}-${month < 9 ? '0' : ''}${month + 1}-${day < 10 ? '0' : ''}${day}`;
  }
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return daysToDate(Date.UTC(year, month, Math.min(d, last)) / 86400000);
}
export function addDuration(iso: string, d: Duration, sign: 1 | -1): string {
  if (d.unit === 'days') return daysToDate(dateToDays(iso) + sign * d.n);
  return addMonths(iso, sign * d.n * (d.unit === 'years' ? 12 : 1));
}
