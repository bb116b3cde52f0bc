// Bad facts never give a silent answer (issue 12, items 5 and 6): negative amounts, rates and
// counts (unless a fact is declared signed), numbers JSON cannot hold, badly grouped digits,
// repeated JSON keys, a claim without its claim section, facts that are not an object. And the
// fast facts reader agrees with the reference path (Ajv, then normalization) on every case file,
// a generated corpus and mutated facts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { basename, join } from 'node:path';
import { parseProduct } from '../dsl/index.js';
import { check } from '../engine/pipeline/check.js';
import { compile, decide, type Compiled } from '../engine/pipeline/evaluate/index.js';
import { parseFactsJson, readFactsBothWays } from '../engine/pipeline/facts.js';
import { showValue } from '../engine/pipeline/values.js';
import { decideIn, selectRevision, type Revision } from '../engine/loading/load.js';
import { findCaseFiles, productDirFor, readCase } from '../engine/tools/cases.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import type { Product } from '../dsl/ir.js';
import { mutateJson, mutationsArb } from './fuzz/mutate.js';
import { PRODUCTS, product, productDirs } from './helpers.js';

const dir = (name: string) => join(PRODUCTS, name);
const decideWith = (name: string, facts: unknown) => decideIn(product(dir(name)), facts).decision!;

function example(name: string): Record<string, Record<string, unknown>> {
  const p = product(dir(name));
  return structuredClone(exampleFacts(dir(name), p.revisions[p.revisions.length - 1]!.checked.product)) as Record<
    string,
    Record<string, unknown>
  >;
}

function withFact(name: string, section: string, key: string, value: unknown): unknown {
  const f = example(name);
  f[section]![key] = value;
  return f;
}

describe('no silent wrong payout from bad facts (item 5)', () => {
  it('a negative rate is refused, not paid as -10,000,000円', () => {
    const d = decideWith('nexi-ip-license', withFact('nexi-ip-license', 'policy', 'coverage_ratio_credit', '-10%'));
    expect(d.outcome).toBe('error');
    expect(d.errors).toEqual([
      {
        pointer: '/policy/coverage_ratio_credit',
        message:
          '信用危険の付保率（保険証券記載）: "-10%" is negative: amounts, rates and counts are not, unless the fact is declared signed',
        expected: 'a rate as a string, e.g. "0.9" or "90%", not negative',
      },
    ]);
  });

  it('a negative loss is refused', () => {
    expect(
      decideWith('nexi-ip-license', withFact('nexi-ip-license', 'loss', 'amount', '-4500')).errors.map(
        (e) => e.pointer,
      ),
    ).toEqual(['/loss/amount']);
  });

  it('a negative maximum of hospital days is refused', () => {
    expect(
      decideWith('personal-accident', withFact('personal-accident', 'policy', 'hospital_max_days', -1)).errors.map(
        (e) => e.pointer,
      ),
    ).toEqual(['/policy/hospital_max_days']);
  });

  it('JSON 1e309 is refused, not paid as Infinity円', () => {
    const text = JSON.stringify(withFact('personal-accident', 'claim', 'hospital_days', 12345)).replace(
      '12345',
      '1e309',
    );
    const d = decideWith('personal-accident', parseFactsJson(text));
    expect(d.errors).toEqual([
      { pointer: '/claim/hospital_days', message: 'Infinity is not a finite number', expected: 'a finite number' },
    ]);
  });

  it('"1,2,3円" is refused, not read as 123円', () => {
    const d = decideWith('nexi-ip-license', withFact('nexi-ip-license', 'loss', 'amount', '1,2,3円'));
    expect(d.errors.map((e) => e.pointer)).toEqual(['/loss/amount']);
    expect(
      decideWith('nexi-ip-license', withFact('nexi-ip-license', 'loss', 'amount', '1,234,567円')).outcome,
    ).not.toBe('error');
  });

  it('a JSON key given twice is refused, naming it', () => {
    expect(() => parseFactsJson('{"buyer": {"rating": "EF", "related_party": false, "rating": "GS"}}')).toThrow(
      'key "rating" appears twice in one object (at /buyer/rating): give each fact once',
    );
    expect(parseFactsJson('{"a": {"rating": 1}, "b": {"rating": 2}}')).toEqual({ a: { rating: 1 }, b: { rating: 2 } });
  });

  it('a personal-accident claim with no claim section is undetermined, not not-covered', () => {
    const f = example('personal-accident');
    delete f['claim'];
    const d = decideWith('personal-accident', f);
    expect(d.outcome).toBe('undetermined');
    expect(d.missing).toContain('claim.kind');
  });

  it.each([
    ['a list', [1, 2]],
    ['a number', 5],
    ['null', null],
    ['text', 'claim'],
  ])('cyber facts that are %s: an error at the document', (what, facts) => {
    const d = decideWith('cyber', facts);
    expect(d.outcome).toBe('error');
    expect(d.errors).toEqual([
      {
        pointer: '',
        message: `the facts are ${what === 'text' ? 'a string' : what}, not an object of facts`,
        expected: 'an object (a YAML mapping or a JSON object) of facts',
      },
    ]);
  });

  it('a fact declared signed takes a negative value; its default may be negative', () => {
    const text =
      'product s\n  revision "1"\n  source "s.txt"\nfact a.adjustment: money JPY signed "調整" default -1円\nfact a.loss: money JPY "損害"\n' +
      'cover c "c"\n  cite §1 "q"\n  when a.loss > 0円\n\namount paid "p": money JPY\n  cite §1 "q"\n  payable\n  start a.loss\n  add a.adjustment\n';
    const { model, diagnostics } = parseProduct(text, 's.yk');
    const checked = check(model);
    expect([...diagnostics, ...checked.diagnostics]).toEqual([]);
    const c = compile(checked);
    expect(decide(c, { a: { loss: '1000', adjustment: '-300' } }).amounts[0]!.value).toEqual({
      amount: '700',
      currency: 'JPY',
    });
    expect(decide(c, { a: { loss: '-1000' } }).errors.map((e) => e.pointer)).toEqual(['/a/loss']);
    const unsigned = parseProduct(text.replace(' signed', ''), 's.yk');
    expect(check(unsigned.model).diagnostics.map((d) => d.code)).toEqual(['check/negative-value']);
  });
});

// ---- the fast reader against the reference path
// Whether the fast reader read these facts (else it gave up, and the reference path decides).
function sameValues(p: Product, input: unknown, where: string, failures: string[]): boolean {
  const { fast, reference } = readFactsBothWays(p, input);
  if (!fast) return false;
  if (reference.errors.length) {
    failures.push(
      `${where}: the fast reader accepted what the reference refuses: ${JSON.stringify(reference.errors[0])}`,
    );
    return true;
  }
  const show = (m: Map<string, unknown>) => JSON.stringify([...m].map(([k, v]) => [k, showValue(v)]).sort());
  if (show(fast) !== show(reference.values)) failures.push(`${where}: ${show(fast)} vs ${show(reference.values)}`);
  return true;
}

describe('the fast facts reader agrees with the reference path', () => {
  it('on every case file', () => {
    const failures: string[] = [];
    let fast = 0;
    for (const file of findCaseFiles([PRODUCTS])) {
      const { c } = readCase(file);
      if (!c) continue;
      const rev = selectRevision(product(productDirFor(file)), c.facts, c.as_of).rev;
      if (!rev) continue;
      if (sameValues(rev.checked.product, c.facts, file, failures)) fast++;
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(fast).toBeGreaterThan(500);
  });

  it.each(productDirs().map((d) => [basename(d), d]))('on a generated corpus and mutated facts: %s', (_n, d) => {
    const failures: string[] = [];
    for (const rev of product(d).revisions.filter(
      (r): r is Revision & { compiled: Compiled } => r.compiled !== undefined,
    )) {
      const p = rev.checked.product;
      const base = exampleFacts(d, p);
      for (const g of generate([rev], base, { seed: 20260102, count: 60 })) sameValues(p, g.facts, g.why, failures);
      for (const ms of fc.sample(mutationsArb, { seed: 7, numRuns: 60 })) {
        const facts = (JSON.parse(mutateJson(JSON.stringify({ base }), ms)) as { base?: unknown }).base;
        sameValues(p, facts, JSON.stringify(ms), failures);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
