// Every case file of every product, through the same runner as `yakkan test`.
import { describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import { findCaseFiles, runCase, formatFailure, readCase } from '../engine/tools/cases.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { PRODUCTS, ROOT } from './helpers.js';

// Every decision the cases produce must match the published decision schema.
const decisionSchema = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(join(ROOT, 'schemas', 'decision.schema.json'), 'utf8')) as object,
);

const files = findCaseFiles([PRODUCTS]);

describe('case files', () => {
  it('there are case files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s', (_name, file) => {
    const r = runCase(file);
    if (!r.ok) expect.fail(formatFailure(r));
    if (r.decision && !decisionSchema(r.decision))
      expect.fail(
        `decision does not match schemas/decision.schema.json: ${JSON.stringify(decisionSchema.errors?.slice(0, 3))}`,
      );
  });
});

describe('case file fields', () => {
  it('a top-level revision is refused with a pointer to expect.revision and as_of', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yakkan-case-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'product: x\ncase: y\nrevision: "2024-07"\nfacts: {}\nexpect: { outcome: covered }\n');
    expect(readCase(file).error).toBe(
      'case file /revision: is not a case-file field (expect.revision checks the revision used; as_of: DATE chooses the revision in force on DATE)',
    );
    writeFileSync(file, 'product: x\ncase: y\nas_of: 2024-7-1\nfacts: {}\nexpect: { outcome: covered }\n');
    expect(readCase(file).error).toMatch(/^case file \/as_of: must match pattern/);
  });
});
