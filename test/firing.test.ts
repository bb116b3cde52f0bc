// decideFiring (what diff decides with, once per revision and without reasons) against the full
// trace: the same outcome, deciding rules, errors, item outcomes, every rule's result, table rows
// and amounts, on every case file and a seeded generated corpus of every revision.
import { describe, expect, it } from 'vitest';
import { basename, relative } from 'node:path';
import { decide, type Compiled } from '../engine/pipeline/evaluate/index.js';
import { decideFiring, firingOf, type Firing } from '../engine/pipeline/evaluate/firing.js';
import { findCaseFiles, productDirFor, readCase } from '../engine/tools/cases.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import { selectRevision, type Revision } from '../engine/loading/load.js';
import { PRODUCTS, ROOT, product, productDirs } from './helpers.js';

const view = (f: Firing): Record<string, string> => ({
  outcome: f.outcome,
  deciding: JSON.stringify(f.deciding),
  errors: JSON.stringify(f.errors),
  items: JSON.stringify(f.items),
  results: JSON.stringify([...f.results]),
  rows: JSON.stringify([...f.rows]),
  amounts: JSON.stringify(f.amounts.map((a) => [a.name, a.value, a.items, a.missing])),
});

function compare(c: Compiled, facts: unknown, what: string, failures: string[]): void {
  const a = view(decideFiring(c, facts));
  const b = view(firingOf(decide(c, facts, { trace: true })));
  for (const k of Object.keys(a)) {
    if (a[k] !== b[k]) failures.push(`${what}: ${k}\n  firing ${a[k]!.slice(0, 600)}\n  trace  ${b[k]!.slice(0, 600)}`);
  }
}

describe('decideFiring = the full trace without its reasons', () => {
  it('on every case file', () => {
    const failures: string[] = [];
    for (const file of findCaseFiles([PRODUCTS])) {
      const { c } = readCase(file);
      if (!c) continue;
      const rev = selectRevision(product(productDirFor(file)), c.facts, c.as_of).rev;
      if (rev?.compiled) compare(rev.compiled, c.facts, relative(ROOT, file), failures);
    }
    expect(failures.slice(0, 3)).toEqual([]);
  });

  it.each(productDirs().map((d) => [basename(d), d]))('on a generated corpus: %s', (_name, dir) => {
    const failures: string[] = [];
    for (const rev of product(dir).revisions.filter(
      (r): r is Revision & { compiled: Compiled } => r.compiled !== undefined,
    )) {
      for (const g of generate([rev], exampleFacts(dir, rev.checked.product), { seed: 20261206, count: 300 })) {
        compare(rev.compiled, g.facts, `${basename(rev.file)} «${g.why}»`, failures);
      }
    }
    expect(failures.slice(0, 3)).toEqual([]);
  });
});
