// Amount pipelines: shared budgets across items, an amount built on an earlier one, and
// next_business_day. Values worked by hand in the comments.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadProduct } from '../engine/loading/load.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { ROOT } from './helpers.js';

const p = loadProduct(join(ROOT, 'test', 'fixtures', 'products', 'shared-budgets.yk'));
const compiled = p.revisions[0]!.compiled!;
const facts = {
  claim: {
    items: [
      { category: 'a', amount: '5万円' },
      { category: 'b', amount: '800万円' },
      { category: 'b', amount: '600万円' },
    ],
  },
  calendar: { holidays: ['2021-09-23', '2021-09-24'] },
};

describe('shared budgets', () => {
  const d = decide(compiled, facts);
  const paid = d.amounts.find((a) => a.name === 'paid')!;
  it('one 10万円 deductible is used up across items in order', () => {
    // item 1: 5万 - 5万 = 0 (5万 of the deductible left); item 2: 800万 - 5万 = 795万; item 3: nothing left to deduct
    expect(paid.items).toEqual([
      { amount: '0', currency: 'JPY' },
      { amount: '7950000', currency: 'JPY' },
      { amount: '2050000', currency: 'JPY' },
    ]);
  });
  it('one 1,000万円 limit is shared by the category-b items', () => {
    // 795万 uses 795万 of it; 600万 gets the 205万 left; total 1,000万
    expect(paid.value).toEqual({ amount: '10000000', currency: 'JPY' });
  });
  it('a later amount uses an earlier one', () => {
    expect(d.amounts.find((a) => a.name === 'debris')!.value).toEqual({ amount: '1000000', currency: 'JPY' });
  });
  it('next_business_day skips weekends and listed holidays', () => {
    // 2021-09-23 (holiday, Thu), 09-24 (listed, Fri), 09-25/26 weekend -> Monday 09-27
    expect(d.formulas.find((f) => f.name === 'debit')!.value).toBe('2021-09-27');
  });
});
