// Every case file of every product, through the same runner as `yakkan test`.
import { describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import { findCaseFiles, runCase, formatFailure } from '../engine/cases.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { PRODUCTS, ROOT } from './helpers.js';

// Every decision the cases produce must match the published decision schema.
const decisionSchema = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'decision.schema.json'), 'utf8')) as object);

const files = findCaseFiles([PRODUCTS]);

describe('case files', () => {
  it('there are case files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s', (_name, file) => {
    const r = runCase(file);
    if (!r.ok) expect.fail(formatFailure(r));
    if (r.decision && !decisionSchema(r.decision)) expect.fail(`decision does not match schemas/decision.schema.json: ${JSON.stringify(decisionSchema.errors?.slice(0, 3))}`);
  });
});
