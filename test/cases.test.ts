// Every case file of every product, through the same runner as `yakkan test`.
import { describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import { findCaseFiles, runCase, formatFailure } from '../engine/cases.js';
import { PRODUCTS, ROOT } from './helpers.js';

const files = findCaseFiles([PRODUCTS]);

describe('case files', () => {
  it('there are case files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s', (_name, file) => {
    const r = runCase(file);
    if (!r.ok) expect.fail(formatFailure(r));
  });
});
