// The decision writer (codegen/serialize.ts) writes JSON.stringify's bytes itself, without
// falling back: its own check against JSON.stringify (first decision, then every 1,024th) would
// hide a mistake made on the first decision of a revision, so here that check must never fire,
// and shapes the builders do not make today are written as JSON.stringify writes them.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { forgetLoaded, loadProduct } from '../engine/loading/load.js';
import type { Decision } from '../engine/pipeline/decision-types.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { decisionJson } from '../engine/pipeline/codegen/serialize.js';
import { corpusFiles } from '../engine/tools/diff.js';
import { readYaml } from '../engine/tools/cases.js';
import { readFileSync } from 'node:fs';
import { ROOT } from './helpers.js';

const PRODUCTS = ['nexi-ip-license', 'overseas-ip-litigation', 'cyber'];

afterEach(() => vi.restoreAllMocks());

describe('decision writer', () => {
  it.each(PRODUCTS)('%s: every case file, both modes, never falls back to JSON.stringify', (id) => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    forgetLoaded();
    const dir = join(ROOT, 'products', id);
    const p = loadProduct(dir);
    let n = 0;
    for (const file of corpusFiles(join(dir, 'cases'))) {
      const facts = (readYaml(readFileSync(file, 'utf8')) as { facts: unknown }).facts;
      for (const rev of p.revisions) {
        if (!rev.compiled) continue;
        for (const trace of [false, true]) {
          const d = decide(rev.compiled, facts, { trace });
          expect(decisionJson(rev.compiled, d)).toBe(JSON.stringify(d));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(20);
    expect(stderr.mock.calls.map((c) => String(c[0])).filter((s) => s.includes('decision writer'))).toEqual([]);
  });

  it('writes shapes the builders do not make as JSON.stringify does', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    forgetLoaded();
    const dir = join(ROOT, 'products', 'nexi-ip-license');
    const c = loadProduct(dir).revisions.at(-1)!.compiled!;
    const facts = (readYaml(readFileSync(join(dir, 'examples', 'claim.yaml'), 'utf8')) as { facts?: unknown }).facts;
    const d = decide(c, facts ?? readYaml(readFileSync(join(dir, 'examples', 'claim.yaml'), 'utf8')), { trace: true });
    expect(decisionJson(c, d)).toBe(JSON.stringify(d));
    const r = d.reasons.find((x) => x.checks.length > 0)!;
    const f = d.formulas[0]!;
    const a = d.amounts[0]!;
    expect(r && f && a).toBeTruthy();
    const variants: ((x: Decision) => void)[] = [
      (x) => (x.reasons[d.reasons.indexOf(r)]!.checks[0]!.actual = undefined as never),
      (x) => (x.reasons[d.reasons.indexOf(r)]!.checks[0]!.result = undefined as never),
      (x) => (x.reasons[d.reasons.indexOf(r)]!.checks[0]!.actual = { currency: 'JPY', amount: '1' } as never),
      (x) => (x.reasons[d.reasons.indexOf(r)]!.checks[0]!.required = { amount: '1', currency: 'JPY', n: 1 } as never),
      (x) => (x.reasons[d.reasons.indexOf(r)]!.checks[0]!.required = [{ amount: '1', currency: 'JPY' }, 'a"b']),
      (x) => (x.reasons[d.reasons.indexOf(r)]!.missing = ['a', 'b\n"c']),
      (x) => (x.missing = ['x', 1 as never]),
      (x) =>
        (x.formulas[0]!.steps = [{ text: 't', value: null, rounding: { mode: 'down', unit: '1', before: '1.5' } }]),
      (x) => (x.formulas[0]!.steps = [{ value: '1', text: 't' } as never, { text: 't', value: undefined as never }]),
      (x) => (x.formulas[0]!.value = { amount: '1', currency: 'JPY', extra: true } as never),
      (x) => (x.amounts[0]!.value = { amount: 1, currency: 'JPY' } as never),
    ];
    for (const v of variants) {
      const x = structuredClone(d);
      // Shared between decisions, as the evaluator shares them: the writer keys its texts on them.
      x.reasons.forEach((y, i) => (y.cite = d.reasons[i]!.cite));
      x.lookups.forEach((y, i) => (y.cite = d.lookups[i]!.cite));
      x.amounts.forEach((y, i) => (y.cite = d.amounts[i]!.cite));
      x.formulas.forEach((y, i) => (y.cite = d.formulas[i]!.cite));
      x.product = d.product;
      v(x);
      expect(decisionJson(c, x)).toBe(JSON.stringify(x));
    }
    expect(stderr.mock.calls.map((c) => String(c[0])).filter((s) => s.includes('decision writer'))).toEqual([]);
  });
});
