// yakkan coverage on the fixture revisions' case files (test/fixtures/revisions/cases).
import { describe, expect, it } from 'vitest';
import { join, relative } from 'node:path';
import { appliedSteps, coverage, renderCoverage } from '../engine/tools/coverage.js';
import { ROOT } from './helpers.js';
import { golden } from './golden.js';

const FIX = relative(process.cwd(), join(ROOT, 'test', 'fixtures', 'revisions'));

describe('coverage', () => {
  const r = coverage([FIX]);
  const [old, nu] = r.products[0]!.revisions;

  it('counts the cases each revision decided (the dates pick the old edition)', () => {
    expect(r.products.map((p) => p.dir)).toEqual([FIX]);
    expect([old!.revision, old!.cases, nu!.revision, nu!.cases]).toEqual(['2017-04', 5, '2019-04', 0]);
    expect(r.products[0]!.failed).toEqual([]);
  });

  it('reports rules fired and never fired', () => {
    const hits = Object.fromEntries(old!.rules.map((x) => [x.id, x.hits]));
    expect(hits['related-party-credit']).toBe(1);
    expect(hits['buyer-rated-b']).toBe(1);
    expect(hits['loss-notice-within-45-days']).toBe(1);
    expect(hits['counterfeit']).toBe(0);
  });

  it('reports table rows, amount steps and formula arms', () => {
    const rows = Object.fromEntries(old!.rows.map((x) => [x.id, x.hits]));
    expect(rows['buyer_cover row 1']).toBe(2); // GS: cases 02 and 03
    expect(rows['buyer_cover row 6']).toBe(1); // EM
    expect(rows['buyer_cover row 2']).toBe(0); // GA
    const steps = Object.fromEntries(old!.steps.map((x) => [x.id, [x.hits, x.changed]]));
    // Only the two covered claims are paid; the limit never binds on them.
    expect(steps).toEqual({ 'payout step 1': [2, 2], 'payout step 2': [2, 2], 'payout step 3': [2, 0] });
    const arms = Object.fromEntries(old!.branches.map((x) => [x.id, x.hits]));
    expect(arms).toEqual({ 'coverage_ratio if#1 then': 3, 'coverage_ratio if#1 else': 2 });
  });

  it('lists the cited passages no case reaches', () => {
    const unreached = old!.passages.filter((x) => !x.reached);
    expect(unreached.some((x) => x.owners.includes('rule counterfeit'))).toBe(true);
    expect(old!.passages.find((x) => x.owners.includes('rule related-party-credit'))!.reached).toBe(true);
  });

  it('matches the golden report', () => {
    golden(join(ROOT, 'test', 'fixtures', 'revisions', 'coverage.golden.txt'), renderCoverage(r));
  });

  it('maps a trace back to the declared steps, per item', () => {
    const declared = [
      { kind: 'start', text: 'start a' },
      { kind: 'limit', text: 'limit b' },
      { kind: 'total', text: 'total' },
      { kind: 'limit', text: 'limit c' },
    ];
    const m = (step: string, text: string, before: string, after: string, item?: number, applied = true) => ({
      step,
      text,
      operand: null,
      before,
      after,
      applied,
      cite: [],
      ...(item !== undefined ? { item } : {}),
    });
    const trace = [
      m('start', 'start a', '0', '5', 0),
      m('limit', 'limit b', '5', '5', 0),
      m('start', 'start a', '0', '9', 1),
      m('limit', 'limit b', '9', '7', 1),
      m('total', 'total', '', '12'),
      m('limit', 'limit c', '12', '12', undefined, false),
    ];
    expect([...appliedSteps(declared, trace)]).toEqual([
      [0, true],
      [1, true],
      [2, false],
    ]);
  });
});
