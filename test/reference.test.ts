// json-rules-engine is the reference: every case file's facts go through both engines and they
// must agree on which rules fire. Rules our evaluator leaves unknown (a fact is missing) are
// skipped: json-rules-engine has no third truth value and reads a missing fact as false.
// Every case compares something: a case whose facts choose no revision (its date is missing or
// in no edition's period) is compared under each revision in turn, and a case whose facts are
// invalid is compared on its facts without the invalid ones (each named by a pointer).
import { describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import { findCaseFiles, readCase, productDirFor } from '../engine/tools/cases.js';
import { selectRevision } from '../engine/loading/load.js';
import { decide, type Compiled } from '../engine/pipeline/evaluate/index.js';
import { runReference } from '../engine/tools/reference.js';
import { PRODUCTS, ROOT, product } from './helpers.js';

const files = findCaseFiles([PRODUCTS]);

// The facts without the values at these JSON pointers.
function without(facts: unknown, pointers: string[]): unknown {
  const copy = structuredClone(facts);
  for (const p of pointers) {
    const keys = p
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    let cur = copy as Record<string, unknown> | undefined;
    for (const k of keys.slice(0, -1)) cur = cur?.[k] as Record<string, unknown> | undefined;
    if (cur && typeof cur === 'object' && keys.length) delete cur[keys[keys.length - 1]!];
  }
  return copy;
}

// Which rules fire, by both engines: the disagreements, and how many rules were compared.
async function agreement(
  c: Compiled,
  facts: unknown,
): Promise<{ disagreements: string[]; compared: number; invalid: string[] }> {
  const d = decide(c, facts);
  if (d.outcome === 'error') return { disagreements: [], compared: 0, invalid: d.errors.map((e) => e.pointer) };
  const itemCount = Math.max(0, ...d.reasons.map((r) => (r.item ?? -1) + 1));
  const ref = await runReference(c, facts, itemCount);
  const disagreements: string[] = [];
  let compared = 0;
  for (const r of d.reasons) {
    if (r.result === 'unknown') continue;
    const key = r.item !== undefined ? `${r.rule}#${r.item}` : r.rule;
    const theirs = ref.fired.get(key);
    compared++;
    if (theirs !== (r.result === 'fired'))
      disagreements.push(`${key}: yakkan ${r.result}, json-rules-engine ${theirs ? 'fired' : 'not-fired'}`);
  }
  return { disagreements, compared, invalid: [] };
}

describe('json-rules-engine agrees with yakkan', () => {
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s', async (_name, file) => {
    const { c } = readCase(file);
    if (!c) return expect.fail(`unreadable case ${file}`);
    const p = product(productDirFor(file));
    const sel = selectRevision(p, c.facts, c.as_of);
    const chosen = sel.rev?.compiled;
    if (!chosen && !sel.missing && !sel.errors) return expect.fail(`no revision for ${file}: ${sel.why}`);
    const revisions = chosen ? [chosen] : p.revisions.flatMap((r) => (r.compiled ? [r.compiled] : []));
    const disagreements: string[] = [];
    let compared = 0;
    for (const rev of revisions) {
      let run = await agreement(rev, c.facts);
      // Invalid facts: compare on the valid rest (at most a few rounds, one per layer of errors).
      for (let facts = c.facts, i = 0; run.invalid.length && !run.invalid.includes('') && i < 3; i++) {
        facts = without(facts, run.invalid) as typeof facts;
        run = await agreement(rev, facts);
      }
      disagreements.push(...run.disagreements);
      compared += run.compared;
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });
});
