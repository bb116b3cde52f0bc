// money.ts dec() builds a Decimal from a plain decimal string itself (no regular expression, no
// slicing); it must be exactly the Decimal decimal.js makes: same sign, exponent and words.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cmpDec, dec, decScaled, decText } from '../engine/pipeline/money.js';
import { scaledText } from '../engine/pipeline/codegen/exact.js';

type Raw = { s: number; e: number; d: number[] | null; constructor: new (v: string) => Raw };
const Decimal = (dec(0) as unknown as Raw).constructor;
const fields = (x: unknown) => {
  const r = x as Raw;
  return { s: r.s, e: r.e, d: r.d, text: String(x) };
};
const same = (text: string) => expect(fields(dec(text))).toEqual(fields(new Decimal(text)));

describe('dec: plain decimal strings as decimal.js reads them', () => {
  it('boundaries: zeros, word edges, leading and trailing zeros, signs, what it leaves to decimal.js', () => {
    const cases = [
      '0',
      '-0',
      '00',
      '0.0',
      '-0.000',
      '1',
      '-1',
      '9',
      '10',
      '1000000',
      '9999999',
      '10000000',
      '12345678',
    ];
    cases.push('99999999999999', '999999999999999', '9007199254740991', '90071992547409919', '1' + '0'.repeat(30));
    cases.push('0.1', '0.9', '0.0000001', '0.00000001', '0.0343872', '4.38107904', '1234567.1234567', '-12.50');
    cases.push('007', '000123.4500', '0.10000000', '100.001', '1' + '0'.repeat(6) + '.' + '0'.repeat(6) + '1');
    cases.push('1.', '.5', '+5', '1e5', '-', '', '1,000', '1..2', '-.5', 'abc', 'Infinity', 'NaN', '1 ');
    for (const c of cases) {
      let ref: unknown;
      try {
        ref = fields(new Decimal(c));
      } catch {
        expect(() => dec(c)).toThrow();
        continue;
      }
      expect(fields(dec(c)), c).toEqual(ref);
    }
  });

  it('random digit strings with a point anywhere', () => {
    const digit = fc.constantFrom(...'0000123456789'.split(''));
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(digit, { minLength: 1, maxLength: 40 }),
        fc.array(digit, { minLength: 0, maxLength: 40 }),
        (neg, int, frac) => {
          same(`${neg ? '-' : ''}${int.join('')}${frac.length ? `.${frac.join('')}` : ''}`);
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('arithmetic on them equals arithmetic on decimal.js values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat({ max: 12 }), (m, sc) => {
        const t = m.toString();
        const neg = t.startsWith('-');
        const digits = (neg ? t.slice(1) : t).padStart(sc + 1, '0');
        const text = `${neg ? '-' : ''}${sc ? `${digits.slice(0, -sc)}.${digits.slice(-sc)}` : digits}`;
        const a = dec(text);
        const b = new Decimal(text) as unknown as typeof a;
        expect(a.mul(a).plus(b).div(dec('7')).toString()).toBe(
          b
            .mul(b)
            .plus(a)
            .div(new Decimal('7') as never)
            .toString(),
        );
      }),
      { numRuns: 5000 },
    );
  });
});

describe('decText: as decimal.js writes a decimal', () => {
  const D = Decimal as unknown as new (v: string) => Parameters<typeof decText>[0];
  const check = (x: Parameters<typeof decText>[0]) => expect(decText(x)).toBe(x.toString());
  it('results of arithmetic, small and large, signs and zeros', () => {
    for (const t of [
      '0',
      '-0',
      '1',
      '-1',
      '0.5',
      '1e-39',
      '1e-40',
      '1e39',
      '1e40',
      '123456789012345',
      '99999999999999',
      '1e14',
    ])
      check(new D(t));
    check(new D('-5').mul(new D('0')));
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: -45, max: 45 }), (m, k) => {
        const x = new D(`${m}e${k}`);
        check(x);
        check(x.div(new D('7')));
        check(x.mul(new D('0.0343872')));
      }),
      { numRuns: 20000 },
    );
  });
});

describe('cmpDec: as decimal.js compares', () => {
  const D = Decimal as unknown as new (v: string) => Parameters<typeof cmpDec>[0];
  it('signs, zeros, exponents, words', () => {
    const num = fc.oneof(
      fc.constantFrom('0', '-0', '1', '-1', '10000000', '9999999', '0.0000001'),
      fc
        .tuple(fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }), fc.integer({ min: -20, max: 20 }))
        .map(([m, k]) => `${m}e${k}`),
    );
    fc.assert(
      fc.property(num, num, (a, b) => {
        const x = new D(a);
        const y = new D(b);
        expect(cmpDec(x, y)).toBe(x.cmp(y));
        expect(cmpDec(x, x.plus(y))).toBe(x.cmp(x.plus(y)));
      }),
      { numRuns: 20000 },
    );
  });
});

describe('decScaled: the Decimal of a scaled integer, as dec(scaledText(m, s)) makes it', () => {
  it('every scale, signs, zeros, the ends of the safe range', () => {
    const ms = [
      0,
      -0,
      1,
      -1,
      9,
      10,
      1000000,
      9999999,
      10000000,
      12345678901234,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    for (const m of ms)
      for (let sc = 0; sc <= 15; sc++) expect(fields(decScaled(m, sc))).toEqual(fields(new Decimal(scaledText(m, sc))));
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 15 }), (m, sc) => {
        expect(fields(decScaled(m, sc))).toEqual(fields(new Decimal(scaledText(m, sc))));
      }),
      { numRuns: 20000 },
    );
    expect(() => decScaled(2 ** 53, 0)).toThrow();
    expect(() => decScaled(1, 16)).toThrow();
  });
});
