// The compiled model of every product is valid against schemas/product.schema.json, and its
// facts schema is a valid JSON Schema that ajv compiles.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { factsSchema } from '../engine/pipeline/facts.js';
import { ROOT, productDirs, product } from './helpers.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const productSchema = ajv.compile(
  JSON.parse(readFileSync(join(ROOT, 'schemas', 'product.schema.json'), 'utf8')) as object,
);

describe('compiled products', () => {
  const revisions = productDirs().flatMap((d) =>
    product(d).revisions.map((r) => [relative(ROOT, d), r.file, r] as const),
  );
  it.each(revisions)('%s (%s) matches product.schema.json', (_d, _f, r) => {
    const json = JSON.parse(JSON.stringify(r.checked.product)) as unknown;
    const ok = productSchema(json);
    expect(ok ? [] : productSchema.errors!.slice(0, 3)).toEqual([]);
  });
  it.each(revisions)('%s (%s) has a facts schema that compiles', (_d, _f, r) => {
    const { $id: _id, ...schema } = factsSchema(r.checked.product);
    expect(() => new Ajv({ strict: false }).compile(schema)).not.toThrow();
  });
});
