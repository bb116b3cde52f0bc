// json-rules-engine is the reference: every case file's facts go through both engines and they
// must agree on which rules fire. Rules our evaluator leaves unknown (a fact is missing) are
// skipped: json-rules-engine has no third truth value and reads a missing fact as false.
import { describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import { findCaseFiles, readCase, productDirFor } from '../engine/tools/cases.js';
import { selectRevision } from '../engine/loading/load.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { runReference } from '../engine/tools/reference.js';
import { PRODUCTS, ROOT, product } from './helpers.js';

const files = findCaseFiles([PRODUCTS]);

describe('json-rules-engine agrees with yakkan', () => {
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s', async (_name, file) => {
    const { c } = readCase(file);
    if (!c) return expect.fail(`unreadable case ${file}`);
    const sel = selectRevision(product(productDirFor(file)), c.facts, c.as_of);
    const rev = sel.rev;
    // A case whose facts choose no revision (date missing or in no revision's period) runs no rule.
    if (!rev && (sel.missing || sel.errors)) return;
    if (!rev?.compiled) return expect.fail(`no revision for ${file}`);
    const d = decide(rev.compiled, c.facts);
    if (d.outcome === 'error') return;
    const itemCount = Math.max(0, ...d.reasons.map((r) => (r.item ?? -1) + 1));
    const ref = await runReference(rev.compiled, c.facts, itemCount);
    const disagreements: string[] = [];
    let compared = 0;
    for (const r of d.reasons) {
      if (r.result === 'unknown') continue;
      const key = r.item !== undefined ? `${r.rule}#${r.item}` : r.rule;
      const theirs = ref.fired.get(key);
      compared++;
      if (theirs !== (r.result === 'fired')) disagreements.push(`${key}: yakkan ${r.result}, json-rules-engine ${theirs ? 'fired' : 'not-fired'}`);
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });
});
