// Exact decimals as scaled integers, for the generated code's hot paths: a value is m / 10^s with
// m a safe integer (|m| < 2^53) and 0 <= s <= MAX_SCALE. Inside that range every comparison, sum,
// product and rounding here is exact in plain JS numbers; whenever a result would leave it, the
// function says so (false / NaN) and the caller decides in decimal.js through money.ts instead.
// test/exact.test.ts holds each one equal to decimal.js, boundaries and rounding modes included.
//
// Results come back in two module-level registers (M, S) rather than in a fresh object: the
// functions run synchronously and call nothing that could use the registers in between.
import type { RoundingMode } from '../../../dsl/ir.js';

const MAX = Number.MAX_SAFE_INTEGER;
const MAX_SCALE = 15;
const POW10: number[] = Array.from({ length: 2 * MAX_SCALE + 2 }, (_, k) => 10 ** k);

export let M = 0;
export let S = 0;

// A decimal written as the facts reader accepts it: -?digits (with thousands commas), an
// optional fraction, an optional % or ％ (two more places). At most 15 significant digits.
export function parseScaled(text: string): boolean {
  let m = 0;
  let s = -1;
  let digits = 0;
  let i = 0;
  const neg = text.charCodeAt(0) === 45;
  if (neg) i = 1;
  let end = text.length;
  const last = text.charCodeAt(end - 1);
  const pct = last === 37 || last === 0xff05;
  if (pct) end--;
  if (i >= end) return false;
  for (; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      if (m !== 0 || ch !== 48) digits++;
      m = m * 10 + (ch - 48);
      if (s >= 0) s++;
    } else if (ch === 46 && s < 0 && i > (neg ? 1 : 0)) s = 0;
    else if (ch !== 44 || s >= 0) return false;
  }
  if (digits > 15 || s === 0) return false;
  s = Math.max(s, 0) + (pct ? 2 : 0);
  if (s > MAX_SCALE) return false;
  M = neg ? -m : m;
  S = s;
  return true;
}

// A safe integer as a scaled decimal.
export function fromInteger(n: number): boolean {
  if (!Number.isSafeInteger(n)) return false;
  M = n;
  S = 0;
  return true;
}

// The sign of a - b (-1, 0, 1), or NaN when bringing them to one scale would not be exact.
export function cmpScaled(am: number, as: number, bm: number, bs: number): number {
  if (as !== bs) {
    if (as < bs) {
      am *= POW10[bs - as]!;
      if (am > MAX || am < -MAX) return Number.NaN;
    } else {
      bm *= POW10[as - bs]!;
      if (bm > MAX || bm < -MAX) return Number.NaN;
    }
  }
  return am < bm ? -1 : am > bm ? 1 : 0;
}

function align(am: number, as: number, bm: number, bs: number): boolean {
  const s = Math.max(as, bs);
  const a = am * POW10[s - as]!;
  const b = bm * POW10[s - bs]!;
  if (a > MAX || a < -MAX || b > MAX || b < -MAX) return false;
  M = a;
  S = s;
  B = b;
  return true;
}
let B = 0;

export function addScaled(am: number, as: number, bm: number, bs: number): boolean {
  if (!align(am, as, bm, bs)) return false;
  const r = M + B;
  if (r > MAX || r < -MAX) return false;
  M = r;
  return true;
}

export function subScaled(am: number, as: number, bm: number, bs: number): boolean {
  return addScaled(am, as, -bm, bs);
}

export function mulScaled(am: number, as: number, bm: number, bs: number): boolean {
  const r = am * bm;
  if (r > MAX || r < -MAX || as + bs > MAX_SCALE) return false;
  M = r === 0 ? 0 : r;
  S = as + bs;
  return normalize();
}

// Trailing zeros of the fraction dropped (the scale is then as small as it can be).
function normalize(): boolean {
  while (S > 0 && M % 10 === 0) {
    M /= 10;
    S--;
  }
  return true;
}

// x rounded to a multiple of unit (> 0) in the given mode, as money.ts roundTo does it:
// x / unit to a whole number (down/up toward/away from zero, half-* to the nearest), times unit.
export function roundScaled(xm: number, xs: number, um: number, us: number, mode: RoundingMode): boolean {
  if (um <= 0) return false;
  // x / unit = (xm * 10^us) / (um * 10^xs)
  const n = Math.abs(xm) * POW10[us]!;
  const d = um * POW10[xs]!;
  if (n > MAX || d > MAX) return false;
  let q = Math.floor(n / d);
  let r = n - q * d;
  // The float quotient may be one off near a whole number: correct it exactly.
  if (r < 0) {
    q--;
    r += d;
  } else if (r >= d) {
    q++;
    r -= d;
  }
  let up: boolean;
  switch (mode) {
    case 'down':
      up = false;
      break;
    case 'up':
      up = r > 0;
      break;
    case 'half-up':
      up = 2 * r >= d;
      break;
    case 'half-down':
      up = 2 * r > d;
      break;
    case 'half-even':
      up = 2 * r > d || (2 * r === d && q % 2 === 1);
      break;
  }
  if (up) q++;
  const m = q * um;
  if (m > MAX) return false;
  M = xm < 0 && m !== 0 ? -m : m;
  S = us;
  return normalize();
}

// As decimal.js writes the value (money.ts decText): no exponent, no trailing zeros, 0 for zero.
export function scaledText(m: number, s: number): string {
  if (m === 0) return '0';
  const neg = m < 0;
  const digits = String(neg ? -m : m);
  if (s === 0) return neg ? `-${digits}` : digits;
  const padded = digits.length <= s ? '0'.repeat(s - digits.length + 1) + digits : digits;
  let int = padded.slice(0, padded.length - s);
  let frac = padded.slice(padded.length - s);
  let k = frac.length;
  while (k > 0 && frac.charCodeAt(k - 1) === 48) k--;
  frac = frac.slice(0, k);
  if (int === '') int = '0';
  const text = frac ? `${int}.${frac}` : int;
  return neg ? `-${text}` : text;
}
