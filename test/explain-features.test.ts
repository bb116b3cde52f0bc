// Language features the explanations rely on: a reconstructed edition says so in its decision
// and its explanation; enum values carry their Japanese labels into the model and the text.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parseProduct } from '../dsl/index.js';
import { check } from '../engine/pipeline/check.js';
import { compile, decide } from '../engine/pipeline/evaluate/index.js';
import { explain } from '../engine/pipeline/explain.js';
import { ROOT } from './helpers.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const schema = (name: string) => ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', name), 'utf8')) as object);
const decisionSchema = schema('decision.schema.json');
const productSchema = schema('product.schema.json');

function build(source: string) {
  const { model, diagnostics } = parseProduct(source, 'demo.yk');
  const checked = check(model);
  return { product: checked.product, c: compile(checked), diagnostics: [...diagnostics, ...checked.diagnostics] };
}

const RECONSTRUCTED = 'この版のパンフレットは資料にない。2021-03版から再構成';
const DEMO = `product rec-demo
  name ja "再構成の例"
  revision "2"
  reconstructed "${RECONSTRUCTED}"
  source "demo.txt"

fact claim.amount: money JPY "請求額"

cover any-claim "請求"
  cite §1 "x"
  when claim.amount > 0円
`;

describe('a reconstructed edition', () => {
  const { product, c, diagnostics } = build(DEMO);
  const d = decide(c, { claim: { amount: '100' } });
  it('loads without diagnostics and its model matches the product schema', () => {
    expect(diagnostics).toEqual([]);
    expect(product.reconstructed).toBe(RECONSTRUCTED);
    expect(productSchema(JSON.parse(JSON.stringify(product))) ? [] : productSchema.errors).toEqual([]);
  });
  it('says so in every decision', () => {
    expect(d.product).toEqual({ id: 'rec-demo', revision: '2', source: 'demo.txt', reconstructed: RECONSTRUCTED });
    expect(decisionSchema(JSON.parse(JSON.stringify(d))) ? [] : decisionSchema.errors).toEqual([]);
  });
  it.each([
    ['ja', '再構成'],
    ['en', 'reconstruct'],
  ] as const)('and in its explanation (%s)', (lang, word) => {
    const text = explain(d, { lang, product });
    expect(text).toContain(RECONSTRUCTED);
    expect(text.split('\n').slice(0, 3).join('\n')).toContain(word);
  });
  it('an edition from the seeds does not carry the field', () => {
    const plain = build(DEMO.replace(/ {2}reconstructed .*\n/, ''));
    expect(decide(plain.c, { claim: { amount: '100' } }).product).toEqual({
      id: 'rec-demo',
      revision: '2',
      source: 'demo.txt',
    });
  });
});

describe('enum labels', () => {
  const source = `product label-demo
  revision "1"
  source "demo.txt"

fact loss.risk: enum(political "非常危険", credit "信用危険", other) "危険の種類"
fact claim.items: list of { category: enum(damages "損害賠償金", costs), amount: money JPY "金額" } "明細"

cover political-risk "非常危険"
  cite §1 "x"
  when loss.risk = political
`;
  const { product, diagnostics } = build(source);
  it('are optional, per value, and kept in the model', () => {
    expect(diagnostics).toEqual([]);
    expect(product.facts[0]!.type).toEqual({
      kind: 'enum',
      values: ['political', 'credit', 'other'],
      labels: { political: '非常危険', credit: '信用危険' },
    });
    const items = product.facts[1]!.type as { of: { fields: { type: unknown }[] } };
    expect(items.of.fields[0]!.type).toEqual({
      kind: 'enum',
      values: ['damages', 'costs'],
      labels: { damages: '損害賠償金' },
    });
    expect(productSchema(JSON.parse(JSON.stringify(product))) ? [] : productSchema.errors).toEqual([]);
  });
  it('an enum without labels has no labels key', () => {
    expect(build(source.replace(/ "非常危険", credit "信用危険"/, ', credit')).product.facts[0]!.type).toEqual({
      kind: 'enum',
      values: ['political', 'credit', 'other'],
    });
  });
  it.each([
    ['enum(a "A" b)', 'parse/unexpected-token'],
    ['enum("A")', 'parse/unexpected-token'],
  ])('%s is a syntax error', (type, code) => {
    expect(build(source.replace(/enum\(political[^)]*\)/, type)).diagnostics.map((d) => d.code)).toContain(code);
  });
});
