// The equivalence tool (bench/equivalence.ts, `npm run equivalence`) run small, in this thread,
// and the reproducers it found replayed. A reproducer in test/equivalence/ (written by the tool,
// its facts reduced) holds the claim on which decide and decideByReference differed; it passes
// once they agree. One marked "open" records a difference not fixed yet: its test passes while
// the difference is there and fails once it is gone, to say the mark can be removed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  claimsFor,
  compareClaim,
  compiledRevisions,
  type Reproducer,
  reduce,
  runEquivalence,
} from '../bench/equivalence-task.js';
import { ROOT, product, productDirs } from './helpers.js';

const FOLDER = join(ROOT, 'test', 'equivalence');
const reproducers = existsSync(FOLDER)
  ? readdirSync(FOLDER)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

describe('equivalence corpus', () => {
  it('a seeded run over every revision of every product: no claim differs', async () => {
    const results = await runEquivalence({ products: productDirs(), n: 120, seed: 20261207, workers: 0 });
    expect(results.length).toBe(productDirs().length);
    for (const r of results) {
      expect(r.compared).toBeGreaterThanOrEqual(120);
      expect(r.revisions.length).toBe(compiledRevisions(product(join(ROOT, 'products', r.product))).length);
      expect({ product: r.product, mismatches: r.mismatches, first: r.first?.where }).toEqual({
        product: r.product,
        mismatches: 0,
        first: undefined,
      });
    }
  }, 120_000);

  it('the corpus is reproducible and holds pamphlet-written and malformed facts', () => {
    const dir = productDirs().find((d) => basename(d) === 'nexi-ip-license')!;
    const rev = compiledRevisions(product(dir))[0]!;
    const a = [...claimsFor(dir, rev, 7, 400)];
    const b = [...claimsFor(dir, rev, 7, 400)];
    expect(a).toEqual(b);
    expect(a.some((c) => c.why.includes('written as in a pamphlet') && /万|億|円|%/.test(c.text))).toBe(true);
    expect(a.some((c) => c.why.includes('malformed'))).toBe(true);
    expect(a.some((c) => c.why.includes('missing'))).toBe(true);
  });

  it('a difference is reduced to the facts that cause it', () => {
    const facts = {
      buyer: { rating: 'EF', related_party: true, limit: '9,000万円' },
      loss: { risk: 'credit', items: [{ a: 1 }, { a: 2, b: 3 }] },
      policy: { start: '2025-04-01' },
    };
    type F = { buyer?: { related_party?: boolean }; loss?: { risk?: string; items?: { b?: number }[] } };
    const fails = (f: unknown) => {
      const x = f as F;
      return x.buyer?.related_party === true && !!x.loss?.items?.some((i) => i?.b === 3);
    };
    expect(reduce(facts, fails)).toEqual({ buyer: { related_party: true }, loss: { items: [{ b: 3 }] } });
    expect(reduce(facts, () => false)).toEqual(facts);
  });

  // The claim a reproducer holds, decided both ways on its side: undefined when they agree.
  const replay = (r: Reproducer) => {
    const rev = compiledRevisions(product(join(ROOT, 'products', r.product))).find(
      (v) => basename(v.file) === r.revision,
    );
    expect(rev, `${r.product} has no revision ${r.revision}`).toBeDefined();
    return compareClaim(rev!.compiled, JSON.stringify(r.minimal));
  };

  it('a reproducer is replayed on its own revision', () => {
    const dir = productDirs().find((d) => basename(d) === 'cyber')!;
    const rev = compiledRevisions(product(dir)).at(-1)!;
    const facts = JSON.parse([...claimsFor(dir, rev, 1, 1)][0]!.text) as unknown;
    const r = { product: 'cyber', revision: basename(rev.file), side: 'lean', minimal: facts } as Reproducer;
    expect(replay(r)).toBeUndefined();
  });

  if (reproducers.length)
    it.each(reproducers.map((f) => [f]))('reproducer %s', (file) => {
      const r = JSON.parse(readFileSync(join(FOLDER, file), 'utf8')) as Reproducer & { open?: string };
      const found = replay(r);
      if (r.open) expect(found?.side, `fixed? remove "open" from ${file}`).toBe(r.side);
      else expect(found).toBeUndefined();
    });
});
