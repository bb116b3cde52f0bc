// Exact arithmetic: rounding modes, money rules, dates. One row per case.
import { describe, expect, it } from 'vitest';
import { dec, roundTo, addMonths, addDuration, Duration, Money } from '../engine/pipeline/money.js';
import { OPERATORS, type VType } from '../engine/pipeline/operators.js';

describe('rounding names its mode and unit', () => {
  it.each([
    ['34387.2', '1000', 'down', '34000'],
    ['4381079.04', '1000', 'down', '4381000'],
    ['443.85', '1', 'half-up', '444'],
    ['443.5', '1', 'half-even', '444'],
    ['442.5', '1', 'half-even', '442'],
    ['442.5', '1', 'half-down', '442'],
    ['1.005', '0.01', 'half-up', '1.01'],
    ['-1.5', '1', 'half-up', '-2'],
    ['1001', '1000', 'up', '2000'],
    ['-1001', '1000', 'down', '-1000'],
  ] as const)('round %s to %s %s = %s', (x, unit, mode, want) => {
    expect(roundTo(dec(x), dec(unit), mode).toString()).toBe(want);
  });
});

describe('operators type money', () => {
  const yen: VType = { kind: 'money', currency: 'JPY' };
  const usd: VType = { kind: 'money', currency: 'USD' };
  const num: VType = { kind: 'number' };
  it.each([
    ['mul', [yen, num], 'money'],
    ['mul', [num, yen], 'money'],
    ['mul', [yen, yen], 'error'],
    ['add', [yen, usd], 'error'],
    ['add', [yen, yen], 'money'],
    ['div', [yen, yen], 'number'],
    ['div', [yen, num], 'money'],
    ['sub', [{ kind: 'date' }, { kind: 'date' }], 'duration'],
    ['add', [{ kind: 'date' }, { kind: 'duration', unit: 'days' }], 'date'],
    ['lt', [yen, usd], 'error'],
    ['min', [yen, yen, yen], 'money'],
  ] as [string, VType[], string][])('%s %j -> %s', (op, args, want) => {
    const r = OPERATORS[op]!.type(args);
    expect(typeof r === 'string' ? 'error' : r.kind).toBe(want);
  });
  it('money × an exact fraction stays exact: 300,000円 × 1/3 = 100,000円', async () => {
    const { Fraction } = await import('../engine/pipeline/operators.js');
    const impl = OPERATORS['mul']!.impl([{ kind: 'money', currency: 'JPY' }, { kind: 'number' }]);
    const r = impl([new Money(dec(300000), 'JPY'), new Fraction(dec(1), dec(3))]) as Money;
    expect(r.amount.toString()).toBe('100000');
  });
});

describe('dates', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2026-03-31', 9, '2026-12-31'],
    ['2025-11-30', 3, '2026-02-28'],
  ])('%s + %i months = %s', (d, n, want) => {
    expect(addMonths(d, n)).toBe(want);
  });
  it.each([
    ['2026-07-10', 45, '2026-08-24'],
    ['2024-02-15', 15, '2024-03-01'],
  ])('%s + %i days = %s', (d, n, want) => {
    expect(addDuration(d, new Duration(n, 'days'), 1)).toBe(want);
  });
});
