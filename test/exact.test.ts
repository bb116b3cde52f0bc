// The scaled-integer decimals of engine/pipeline/codegen/exact.ts against decimal.js (money.ts):
// wherever the exact path answers, it answers what decimal.js answers, digit for digit, and it
// answers throughout the range it claims (values of up to 15 significant digits).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as X from '../engine/pipeline/codegen/exact.js';
import { dec, decText, roundTo } from '../engine/pipeline/money.js';
import type { RoundingMode } from '../dsl/ir.js';

const MODES: RoundingMode[] = ['down', 'up', 'half-up', 'half-even', 'half-down'];

// A decimal as text: digits and scale chosen to reach the edges (15 digits, 2^53, ties).
const decimalText = fc
  .record({
    neg: fc.boolean(),
    m: fc.oneof(
      fc.integer({ min: 0, max: 999 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.constantFrom(0, 1, 5, 15, 25, 999_999_999_999_999, Number.MAX_SAFE_INTEGER, 2 ** 52),
    ),
    s: fc.integer({ min: 0, max: 8 }),
  })
  .map(({ neg, m, s }) => ({ text: (neg && m !== 0 ? '-' : '') + X.scaledText(m, s), neg }));

function scaled(text: string): [number, number] | undefined {
  return X.parseScaled(text) ? [X.M, X.S] : undefined;
}

describe('exact decimals = decimal.js', () => {
  it('parses what the facts reader accepts, and writes what decimal.js writes', () => {
    for (const [text, value] of [
      ['0', '0'],
      ['12,345,678', '12345678'],
      ['95%', '0.95'],
      ['0.03%', '0.0003'],
      ['-1.50', '-1.5'],
      ['100％', '1'],
      ['999999999999999', '999999999999999'],
    ] as const) {
      const s = scaled(text)!;
      expect(X.scaledText(s[0], s[1])).toBe(value);
    }
    // Beyond 15 significant digits, or not a decimal: decimal.js decides.
    for (const text of ['1234567890123456', '1.', '.5', '', '-', '1e5', '12円']) expect(scaled(text)).toBeUndefined();
    fc.assert(
      fc.property(decimalText, ({ text }) => {
        const s = scaled(text);
        if (s) expect(X.scaledText(s[0], s[1])).toBe(decText(dec(text)));
        // Within 15 significant digits it must answer.
        if (dec(text).sd(true) <= 15 && dec(text).dp() <= 15 && !text.includes('e')) expect(s).toBeDefined();
      }),
      { numRuns: 5000 },
    );
  });

  it('compares, adds, subtracts and multiplies as decimal.js does, or declines', () => {
    fc.assert(
      fc.property(decimalText, decimalText, (a, b) => {
        const x = scaled(a.text);
        const y = scaled(b.text);
        if (!x || !y) return;
        const da = dec(a.text);
        const db = dec(b.text);
        const c = X.cmpScaled(x[0], x[1], y[0], y[1]);
        if (!Number.isNaN(c)) expect(c).toBe(da.cmp(db));
        if (X.addScaled(x[0], x[1], y[0], y[1])) expect(X.scaledText(X.M, X.S)).toBe(decText(da.plus(db)));
        if (X.subScaled(x[0], x[1], y[0], y[1])) expect(X.scaledText(X.M, X.S)).toBe(decText(da.minus(db)));
        if (X.mulScaled(x[0], x[1], y[0], y[1])) expect(X.scaledText(X.M, X.S)).toBe(decText(da.mul(db)));
      }),
      { numRuns: 20000 },
    );
    // Small operands never decline.
    expect(X.mulScaled(123_456_789, 0, 95, 2)).toBe(true);
    expect(X.scaledText(X.M, X.S)).toBe('117283949.55');
    expect(Number.isNaN(X.cmpScaled(Number.MAX_SAFE_INTEGER, 0, 1, 1))).toBe(true);
  });

  it('rounds to a unit in every mode as roundTo does, at and around every tie', () => {
    const unit = fc.constantFrom('1', '10', '1000', '0.01', '0.5', '5', '100000', '0.001');
    fc.assert(
      fc.property(decimalText, unit, fc.constantFrom(...MODES), (a, u, mode) => {
        const x = scaled(a.text);
        const y = scaled(u)!;
        if (x && X.roundScaled(x[0], x[1], y[0], y[1], mode)) {
          expect(X.scaledText(X.M, X.S)).toBe(decText(roundTo(dec(a.text), dec(u), mode)));
        }
      }),
      { numRuns: 20000 },
    );
    // Ties and their neighbours, both signs.
    for (const mode of MODES) {
      for (const t of [
        '2500',
        '2499',
        '2501',
        '3500',
        '-2500',
        '-3500',
        '-2501',
        '0',
        '500',
        '1500',
        '34387.2',
        '4381079.04',
      ]) {
        const x = scaled(t)!;
        expect(X.roundScaled(x[0], x[1], 1000, 0, mode)).toBe(true);
        expect(X.scaledText(X.M, X.S)).toBe(decText(roundTo(dec(t), dec(1000), mode)));
      }
    }
  });
});
