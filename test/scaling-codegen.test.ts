// The generated word functions (plain rules 32 at a time, in three values and, when no fact a
// plain rule reads is missing, in two) and check builders (codegen/rules.ts) against the rules'
// closures: the same truth values, and the same checks in the same order as evalWithChecks.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Compiled, decide, decideByReference } from '../engine/pipeline/evaluate/index.js';
import { newScope } from '../engine/pipeline/evaluate/compiled.js';
import { evalRule, evalWithChecks } from '../engine/pipeline/evaluate/outcome.js';
import { Unknown } from '../engine/pipeline/evaluate/unknown.js';
import { readFactSlots } from '../engine/pipeline/facts.js';
import { generatedRules } from '../engine/pipeline/codegen/rules.js';
import type { Check } from '../engine/pipeline/decision-types.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import { loadProduct, type Revision } from '../engine/loading/load.js';
import { rng } from '../bench/corpus.js';
import { rulesProduct, rulesProductMixed, rulesProductMixedDense, scalingCorpus } from '../bench/scaling.js';
import { product, productDirs } from './helpers.js';

// Scaling claims, some with facts dropped so that rules come out unknown.
function holed(n: number): unknown[] {
  const r = rng(11);
  return scalingCorpus(n, 3).map((f) => {
    const c = { ...(f['c'] as Record<string, unknown>) };
    for (const k of ['region', 'kind', 'amount', 'days', 'limit', 'flag1', 'flag4']) if (r.chance(0.1)) delete c[k];
    return { c };
  });
}

function sets(): [string, Compiled, unknown[]][] {
  const dir = mkdtempSync(join(tmpdir(), 'yakkan-scaling-codegen-'));
  const out: [string, Compiled, unknown[]][] = [];
  for (const [name, text] of [
    ['mixed', rulesProductMixed(300)],
    ['dense', rulesProductMixedDense(200)],
    ['rules', rulesProduct(300)],
  ] as const) {
    writeFileSync(join(dir, `${name}.yk`), text);
    out.push([name, loadProduct(join(dir, `${name}.yk`)).revisions[0]!.compiled!, holed(150)]);
  }
  for (const d of productDirs())
    for (const r of product(d).revisions.filter((x): x is Revision & { compiled: Compiled } => !!x.compiled))
      out.push([
        r.checked.product.id,
        r.compiled,
        [...generate([r], exampleFacts(d, r.checked.product), { seed: 5, count: 120 })].map((g) => g.facts),
      ]);
  return out;
}

describe('generated words and check builders = the closures', () => {
  const all = sets();

  it('each word gives, rule by rule, what the closures give (three values; two when nothing is missing)', () => {
    const failures: string[] = [];
    let compared = 0;
    for (const [name, c, corpus] of all) {
      const g = generatedRules(c);
      const plan = c.fast;
      for (const facts of corpus) {
        const { slots, errors } = readFactSlots(c.product, facts);
        if (errors.length) continue;
        const s = newScope(slots, false, c.itemList);
        const anyMissing = [...plan.plainSlots].some((k) => slots[k] === undefined);
        const u = new Int32Array(1);
        for (let w = 0; w < plan.words; w++) {
          const fired3 = g.words[w]!(slots, new Array(slots.length).fill(undefined), -1, u);
          const unknown3 = u[0]!;
          const fired2 = anyMissing
            ? 0
            : g.bools[w]!(slots, new Array(slots.length).fill(undefined), -1, g.prep(slots));
          for (let j = 0; j < 32 && (w << 5) + j < plan.ruleAt.length; j++) {
            const i = plan.ruleAt[(w << 5) + j]!;
            const want = evalRule(c.claimRules[i]!, s);
            const bit = 1 << j;
            const asked = (unknown3 & bit) !== 0;
            const ok3 = asked
              ? want instanceof Unknown || g.fns[i] === undefined
              : (fired3 & bit) !== 0
                ? want === true
                : want === false;
            if (!ok3 || ((fired3 & bit) !== 0 && asked)) failures.push(`${name} ${c.claimRules[i]!.rule.id} words`);
            if (!anyMissing) {
              const closure = (g.closures[w]! & bit) !== 0;
              if (closure !== (g.fns[i] === undefined) || (!closure && ((fired2 & bit) !== 0) !== (want === true)))
                failures.push(`${name} ${c.claimRules[i]!.rule.id} bools`);
            }
            compared++;
          }
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(100_000);
  });

  it('each check builder records the checks evalWithChecks records, with the same truth value', () => {
    const failures: string[] = [];
    let compared = 0;
    let compared2 = 0;
    for (const [name, c, corpus] of all) {
      const g = generatedRules(c);
      for (const facts of corpus) {
        const { slots, errors } = readFactSlots(c.product, facts);
        if (errors.length) continue;
        const exact = new Array(slots.length).fill(undefined);
        const complete = [...c.fast.plainSlots].every((k) => slots[k] !== undefined);
        const codes = g.prep(slots);
        g.checks.forEach((fn, i) => {
          if (!fn) return;
          const want = evalWithChecks(c.claimRules[i]!, newScope(slots, false, c.itemList));
          const truth = want.fires instanceof Unknown ? 2 : want.fires ? 1 : 0;
          const checks: Check[] = [];
          const got = fn(slots, exact, checks, newScope(slots, false, c.itemList));
          if (got !== truth || JSON.stringify(checks) !== JSON.stringify(want.checks))
            failures.push(`${name} ${c.claimRules[i]!.rule.id}: ${got} ${JSON.stringify(checks)}`);
          compared++;
          if (!complete) return;
          // Two values: the same, or 2 (not generated) with nothing recorded.
          const bit = c.fast.bitOf[i]!;
          const two: Check[] = [];
          const got2 = g.checkBools[bit >>> 5]!(slots, exact, two, newScope(slots, false, c.itemList), bit & 31, codes);
          if (got2 === 2 ? two.length > 0 : got2 !== truth || JSON.stringify(two) !== JSON.stringify(want.checks))
            failures.push(`${name} ${c.claimRules[i]!.rule.id} two values: ${got2} ${JSON.stringify(two)}`);
          if (got2 !== 2) compared2++;
        });
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(50_000);
    expect(compared2).toBeGreaterThan(20_000);
  });

  it('decides as the reference on the scaling products, facts dropped or not', () => {
    const failures: string[] = [];
    let n = 0;
    for (const [name, c, corpus] of all.slice(0, 3)) {
      for (const facts of [...corpus, ...scalingCorpus(150, 9)]) {
        const got = JSON.stringify(decide(c, facts, { trace: false }));
        if (got !== JSON.stringify(decideByReference(c, facts, { trace: false }))) failures.push(`${name} #${n}`);
        n++;
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(n).toBe(900);
  });
});
