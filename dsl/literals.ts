// Literals as pamphlets write them -> canonical decimal strings. Used by the DSL and by fact
// input (`"9,000万円"` in a facts file). Exact: BigInt arithmetic on scaled integers, no floats.
import type { DurationUnit, Literal } from './ir.js';

const JA_UNITS: Record<string, bigint> = { 億: 100000000n, 万: 10000n, 千: 1000n };

// Digits grouped as people group them: each run of digits with commas is 1-3 digits, then
// groups of three ("1,234,567"; "1,2,3" and "12,34" are typos, not 123 and 1234).
export function wellGrouped(text: string): boolean {
  const runs = text.match(/\d[\d,]*/g) ?? [];
  return runs.every((r) => !r.includes(',') || /^\d{1,3}(,\d{3})+$/.test(r));
}

// "1,234.5" -> [12345n, 1]  (value = mantissa / 10^scale)
function scaled(num: string): [bigint, number] {
  const clean = num.replace(/,/g, '');
  const [int, frac = ''] = clean.split('.');
  return [BigInt((int ?? '0') + frac || '0'), frac.length];
}

function toDecimalString(mantissa: bigint, scale: number): string {
  const neg = mantissa < 0n;
  let digits = (neg ? -mantissa : mantissa).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    let int = digits.slice(0, digits.length - scale);
    const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
    int = int.replace(/^0+(?=\d)/, '');
    digits = frac ? `${int}.${frac}` : int;
  }
  return (neg && digits !== '0' ? '-' : '') + digits;
}

// "1億7,370万" -> "173700000"; "10万" -> "100000"; "34,000" -> "34000"; "1.5億" -> "150000000"
export function parseJapaneseNumber(text: string): string | undefined {
  const re = /(\d[\d,]*(?:\.\d+)?)([億万千]?)/gy;
  let total = 0n;
  let totalScale = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  const parts: [bigint, number][] = [];
  while ((m = re.exec(text)) !== null && m[0] !== '') {
    if (!wellGrouped(m[1]!)) return undefined;
    const [mant, sc] = scaled(m[1]!);
    const mult = m[2] ? JA_UNITS[m[2]]! : 1n;
    parts.push([mant * mult, sc]);
    pos = re.lastIndex;
  }
  if (pos !== text.length || parts.length === 0) return undefined;
  for (const [, sc] of parts) totalScale = Math.max(totalScale, sc);
  for (const [mant, sc] of parts) total += mant * 10n ** BigInt(totalScale - sc);
  return toDecimalString(total, totalScale);
}

export function parsePlainNumber(text: string): string | undefined {
  if (!/^-?\d[\d,]*(\.\d+)?$/.test(text) || !wellGrouped(text)) return undefined;
  const neg = text.startsWith('-');
  const [m, s] = scaled(neg ? text.slice(1) : text);
  return toDecimalString(neg ? -m : m, s);
}

export function parseMoney(text: string): { amount: string; currency: string } | undefined {
  const t = text.trim();
  const code = /^(USD|JPY|EUR)\s?(-?\d[\d,]*(?:\.\d+)?)$/.exec(t);
  if (code) {
    const amount = parsePlainNumber(code[2]!);
    return amount === undefined ? undefined : { amount, currency: code[1]! };
  }
  const suffix = /^(-?)(.+?)(円|ドル)$/.exec(t);
  if (suffix) {
    const amount = parseJapaneseNumber(suffix[2]!);
    if (amount === undefined) return undefined;
    return {
      amount: suffix[1] && amount !== '0' ? '-' + amount : amount,
      currency: suffix[3] === '円' ? 'JPY' : 'USD',
    };
  }
  return undefined;
}

// "90%" -> "0.9"; "0.03%" -> "0.0003"
export function parsePercent(text: string): string | undefined {
  const m = /^(-?)(\d[\d,]*(?:\.\d+)?)[%％]$/.exec(text.trim());
  if (!m || !wellGrouped(m[2]!)) return undefined;
  const [mant, sc] = scaled(m[2]!);
  return toDecimalString(m[1] ? -mant : mant, sc + 2);
}

const DURATION_UNITS: Record<string, DurationUnit> = {
  day: 'days',
  days: 'days',
  日: 'days',
  month: 'months',
  months: 'months',
  か月: 'months',
  カ月: 'months',
  ヶ月: 'months',
  ヵ月: 'months',
  箇月: 'months',
  year: 'years',
  years: 'years',
  年: 'years',
};

export function durationUnit(word: string): DurationUnit | undefined {
  return DURATION_UNITS[word];
}

// "45 days", "9カ月", "1 year"
export function parseDuration(text: string): { value: number; unit: DurationUnit } | undefined {
  const m = /^(\d+)\s*(days?|months?|years?|日|か月|カ月|ヶ月|ヵ月|箇月|年)$/.exec(text.trim());
  if (!m) return undefined;
  return { value: Number(m[1]), unit: DURATION_UNITS[m[2]!]! };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Days in month m (1-12) of year y, proleptic Gregorian.
export function daysInMonth(y: number, m: number): number {
  return m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : MONTH_DAYS[m - 1]!;
}

// YYYY-MM-DD of ASCII digits naming a calendar day, in one pass over the characters (the facts
// reader calls it for every date of every decision).
export function isIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  let y = 0;
  let m = 0;
  let d = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    if (i < 4) y = y * 10 + c;
    else if (i < 7) m = m * 10 + c;
    else d = d * 10 + c;
  }
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

// HH:MM, 00:00 to 23:59, two digits each: zero-padded, so that times compare as strings.
export function isTime(s: string): boolean {
  return /^(?:[01]\d|2[0-3]):[0-5]\d$/.test(s);
}

export function literalText(l: Literal): string {
  switch (l.type) {
    case 'boolean':
      return String(l.value);
    case 'number':
      return groupDigits(l.value);
    case 'rate':
      return percentText(l.value);
    case 'fraction':
      return `${l.num}/${l.den}`;
    case 'money':
      return moneyText(l.amount, l.currency);
    case 'date':
    case 'time':
      return l.value;
    case 'duration':
      return `${l.value} ${l.value === 1 ? l.unit.replace(/s$/, '') : l.unit}`;
    case 'symbol':
      return l.value;
    case 'text':
      return JSON.stringify(l.value);
  }
}

export function groupDigits(dec: string): string {
  const neg = dec.startsWith('-');
  const [int, frac] = (neg ? dec.slice(1) : dec).split('.');
  const g = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + (frac ? `${g}.${frac}` : g);
}

export function moneyText(amount: string, currency: string): string {
  return currency === 'JPY' ? `${groupDigits(amount)}円` : `${currency} ${groupDigits(amount)}`;
}

export function percentText(rate: string): string {
  const [mant, sc] = scaled(rate.replace(/^-/, ''));
  const s = toDecimalString(mant, Math.max(0, sc - 2));
  const shifted = sc >= 2 ? s : toDecimalString(mant * 10n ** BigInt(2 - sc), 0);
  return `${rate.startsWith('-') ? '-' : ''}${shifted}%`;
}
