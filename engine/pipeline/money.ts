// The only module that imports decimal.js. Numbers are exact decimals; money is an amount with a
// currency; every rounding names its mode and unit. No JS floats touch an amount.
import { Decimal as DecimalLib } from 'decimal.js';
import type { RoundingMode } from '../../dsl/ir.js';
import { daysInMonth } from '../../dsl/literals.js';

const Decimal = DecimalLib.clone({ precision: 40, rounding: DecimalLib.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Dec = InstanceType<typeof Decimal>;

export function dec(v: string | number): Dec {
  return new Decimal(v);
}
export function isDec(v: unknown): v is Dec {
  return v instanceof Decimal;
}

// Total order of two decimals: -1, 0 or 1.
export function cmpDec(a: Dec, b: Dec): number {
  return a.cmp(b);
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

// decimal.js's public API only (issue 13): a faster representation belongs behind this interface
// (codegen/exact.ts's scaled integers decide before a Decimal is made), not in decimal.js's fields.
export function decText(d: Dec): string {
  return d.toString();
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
