// Literals as pamphlets write them: one row per case.
import { describe, expect, it } from 'vitest';
import {
  parseMoney,
  parsePercent,
  parseDuration,
  parseJapaneseNumber,
  percentText,
  moneyText,
} from '../dsl/literals.js';

describe('money literals', () => {
  it.each([
    ['1億円', '100000000', 'JPY'],
    ['9,000万円', '90000000', 'JPY'],
    ['10万円', '100000', 'JPY'],
    ['34,000円', '34000', 'JPY'],
    ['1億7,370万円', '173700000', 'JPY'],
    ['1億1,470万円', '114700000', 'JPY'],
    ['5.5億円', '550000000', 'JPY'],
    ['6,050円', '6050', 'JPY'],
    ['USD 5,000,000', '5000000', 'USD'],
    ['USD 25', '25', 'USD'],
    ['25ドル', '25', 'USD'],
    ['-10万円', '-100000', 'JPY'],
  ])('%s = %s %s', (text, amount, currency) => {
    expect(parseMoney(text)).toEqual({ amount, currency });
  });
  it.each(['1億', '円', 'USD', '1,000万円x', 'abc円'])('%s is not money', (text) => {
    expect(parseMoney(text)).toBeUndefined();
  });
  it.each([
    ['173700000', 'JPY', '173,700,000円'],
    ['5000000', 'USD', 'USD 5,000,000'],
  ])('%s %s prints as %s', (a, c, t) => {
    expect(moneyText(a, c)).toBe(t);
  });
});

describe('rates and durations', () => {
  it.each([
    ['90%', '0.9'],
    ['0.03%', '0.0003'],
    ['100%', '1'],
    ['-20%', '-0.2'],
    ['4.38%', '0.0438'],
    ['68%', '0.68'],
  ])('%s = %s', (t, v) => {
    expect(parsePercent(t)).toBe(v);
  });
  it.each([
    ['0.9', '90%'],
    ['0.0003', '0.03%'],
    ['1', '100%'],
  ])('%s prints as %s', (v, t) => {
    expect(percentText(v)).toBe(t);
  });
  it.each([
    ['45 days', 45, 'days'],
    ['9 months', 9, 'months'],
    ['1 year', 1, 'years'],
    ['180日', 180, 'days'],
    ['9カ月', 9, 'months'],
    ['5年', 5, 'years'],
    ['3ヶ月', 3, 'months'],
  ])('%s', (t, value, unit) => {
    expect(parseDuration(t)).toEqual({ value, unit });
  });
  it.each([
    ['1億7,370万', '173700000'],
    ['10万', '100000'],
    ['0.5万', '5000'],
  ])('%s = %s', (t, v) => {
    expect(parseJapaneseNumber(t)).toBe(v);
  });
});
