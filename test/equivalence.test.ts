// The fast path (decide with trace: false) against the reference semantics without the trace,
// byte for byte: outcome, eligibility, deciding, missing, items, amounts, formula values,
// reasons, lookups. On every case file of every product, and on a seeded corpus generated from
// each revision's rules (engine/tools/generate.ts).
import { describe, expect, it } from 'vitest';
import { basename, relative } from 'node:path';
import { decide, decideByReference, type Compiled } from '../engine/pipeline/evaluate/index.js';
import type { Decision } from '../engine/pipeline/decision-types.js';
import { findCaseFiles, productDirFor, readCase } from '../engine/tools/cases.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import { selectRevision, type Revision } from '../engine/loading/load.js';
import { PRODUCTS, ROOT, product, productDirs } from './helpers.js';

const SEED = 20261205;
// Per revision; the derived variations come first, so this covers every threshold, enum value,
// table row and left-out fact of small products and most of them of cyber.
const PER_REVISION = 400;

// The first place two decisions differ, as a JSON path with both values.
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    if (JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b))) {
      return `${path || '/'}: keys ${JSON.stringify(Object.keys(a))} vs ${JSON.stringify(Object.keys(b))}`;
    }
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`);
      if (d) return d;
    }
  }
  return `${path || '/'}: fast ${JSON.stringify(a)?.slice(0, 300)} vs reference ${JSON.stringify(b)?.slice(0, 300)}`;
}

function compare(c: Compiled, facts: unknown, what: string, failures: string[]): Decision {
  const fast = decide(c, facts, { trace: false });
  const ref = decideByReference(c, facts, { trace: false });
  const d = firstDifference(fast, ref);
  if (d) failures.push(`${what}: ${d}`);
  return fast;
}

const caseFiles = findCaseFiles([PRODUCTS]);

describe('fast path = reference without the trace', () => {
  it('on every case file', () => {
    const failures: string[] = [];
    for (const file of caseFiles) {
      const { c } = readCase(file);
      if (!c) continue;
      const rev = selectRevision(product(productDirFor(file)), c.facts, c.as_of).rev;
      if (rev?.compiled) compare(rev.compiled, c.facts, relative(ROOT, file), failures);
    }
    expect(caseFiles.length).toBeGreaterThan(900);
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it.each(productDirs().map((d) => [basename(d), d]))('on a generated corpus: %s', (_name, dir) => {
    const failures: string[] = [];
    const outcomes = new Set<string>();
    let n = 0;
    for (const rev of product(dir).revisions.filter(
      (r): r is Revision & { compiled: Compiled } => r.compiled !== undefined,
    )) {
      const base = exampleFacts(dir, rev.checked.product);
      for (const g of generate([rev], base, { seed: SEED, count: PER_REVISION })) {
        outcomes.add(compare(rev.compiled, g.facts, `${basename(rev.file)} «${g.why}»`, failures).outcome);
        n++;
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    // The corpus reaches past the example claim's outcome.
    expect(n).toBeGreaterThan(0);
    expect(outcomes.size).toBeGreaterThan(1);
  });

  it('decide is reentrant: a decision made while another is under way changes neither', () => {
    const dir = productDirs().find((d) => basename(d) === 'nexi-ip-license')!;
    const rev = product(dir).revisions.at(-1)! as Revision & { compiled: Compiled };
    const c = rev.compiled;
    const corpus = [...generate([rev], exampleFacts(dir, rev.checked.product), { seed: SEED, count: 80 })];
    const alone = corpus.map((g) => JSON.stringify(decide(c, g.facts, { trace: false })));
    // The same product whose every claim rule decides the next claim before its own `when`.
    let inner = 0;
    const nested: Compiled = {
      ...c,
      claimRules: c.claimRules.map((cr) => ({
        ...cr,
        when: (s) => {
          const k = inner++ % corpus.length;
          expect(JSON.stringify(decide(c, corpus[k]!.facts, { trace: false }))).toBe(alone[k]);
          return cr.when ? cr.when(s) : true;
        },
      })),
    };
    expect(corpus.map((g) => JSON.stringify(decide(nested, g.facts, { trace: false })))).toEqual(alone);
    expect(inner).toBeGreaterThan(corpus.length);
  });
});
