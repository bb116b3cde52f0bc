// yakkan cases generate: a corpus derived from the rules, the same for the same seed.
import { describe, expect, it } from 'vitest';
import { join, relative } from 'node:path';
import { exampleFacts, generate, prng, synthesizedFacts, type Generated } from '../engine/tools/generate.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { loadSide } from '../engine/tools/diff.js';
import { ROOT } from './helpers.js';

const NEXI = relative(process.cwd(), join(ROOT, 'products', 'nexi-ip-license'));
const rev = loadSide(NEXI);
const p = rev.checked.product;
const base = exampleFacts(NEXI, p);
const corpus = (seed: number, count?: number): Generated[] => [
  ...generate([rev], base, { seed, ...(count !== undefined ? { count } : {}) }),
];
const at = (facts: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], facts);

describe('cases generate', () => {
  it('is deterministic for a seed, and the seed changes the random mixes only', () => {
    const a = corpus(7, 400);
    expect(JSON.stringify(corpus(7, 400))).toBe(JSON.stringify(a));
    const b = corpus(8, 400);
    const derived = corpus(1).length;
    expect(JSON.stringify(b.slice(0, derived))).toBe(JSON.stringify(a.slice(0, derived)));
    expect(JSON.stringify(b.slice(derived))).not.toBe(JSON.stringify(a.slice(derived)));
    expect(a).toHaveLength(400);
  });

  it('has its own PRNG (no Math.random): a fixed sequence per seed', () => {
    const r = prng(42);
    const xs = [r(), r(), r()];
    const s = prng(42);
    expect([s(), s(), s()]).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  const cases = corpus(1);
  const values = (path: string) => new Set(cases.map((c) => at(c.facts, path)));

  it('takes every value of every enum fact', () => {
    for (const f of p.facts) {
      if (f.type.kind !== 'enum') continue;
      for (const v of f.type.values) expect(values(f.name).has(v), `${f.name} = ${v}`).toBe(true);
    }
  });

  it('puts each threshold and both sides of it', () => {
    for (const n of [179, 180, 181]) expect(values('settlement.usance').has(n)).toBe(true);
    for (const n of [11, 12, 13]) expect(values('loss.deferral_or_delay').has(n)).toBe(true);
    for (const r of ['0.89', '0.9', '0.91']) expect(values('policy.coverage_ratio_credit').has(r)).toBe(true);
    // loss.known_date + 45 days for the example claim (known 2026-07-10): 08-23, 08-24, 08-25.
    for (const d of ['2026-08-23', '2026-08-24', '2026-08-25']) expect(values('claim.notice_date').has(d)).toBe(true);
    // the in-force boundary of the revision
    for (const d of ['2017-03-31', '2017-04-01', '2017-04-02']) expect(values('policy.start_date').has(d)).toBe(true);
  });

  it('leaves out each required fact, and the decision asks for it', () => {
    for (const f of p.facts.filter((x) => !x.default && at(base, x.name) !== undefined)) {
      expect(
        cases.some((c) => c.why === `${f.name} missing` && at(c.facts, f.name) === undefined),
        f.name,
      ).toBe(true);
    }
    const c = cases.find((x) => x.why === 'loss.amount missing')!;
    const d = decide(rev.compiled, { ...c.facts, buyer: { ...(c.facts['buyer'] as object), related_party: false } });
    expect(d.amounts.find((a) => a.name === 'payout')!.missing).toContain('loss.amount');
  });

  it('looks up every row of the rating table', () => {
    const rows = new Set(
      cases.flatMap((c) => decide(rev.compiled, c.facts, { trace: false }).lookups.map((l) => l.row)),
    );
    for (let i = 1; i <= p.tables[0]!.rows.length; i++) expect(rows.has(i), `row ${i}`).toBe(true);
  });

  it('synthesizes a claim when the product has no example', () => {
    const facts = synthesizedFacts(p);
    expect(decide(rev.compiled, facts).errors).toEqual([]);
    expect([...generate([rev], facts, { seed: 1 })].length).toBeGreaterThan(50);
  });
});
