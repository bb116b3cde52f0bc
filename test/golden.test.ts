// Golden files for what people read: rendered diagnostics for broken product files, Regenerate with UPDATE_GOLDEN=1 and
// review the diff.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { renderDiagnostics } from '../dsl/diagnostics.js';
import { loadProduct } from '../engine/loading/load.js';
import { ROOT } from './helpers.js';
import { golden } from './golden.js';

const GOLDEN = join(ROOT, 'test', 'golden');

describe('diagnostics', () => {
  // The demo seed is our own text, so these goldens do not depend on the real pamphlets.
  process.env['YAKKAN_SOURCES'] = join(ROOT, 'test', 'fixtures', 'seeds');
  const dir = join(GOLDEN, 'diagnostics');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yk'))
    .sort();
  it.each(files)('%s', (f) => {
    // Paths in diagnostics are shown relative to the working directory: the project root here.
    const p = loadProduct(relative(process.cwd(), join(dir, f)));
    golden(join(dir, f.replace(/\.yk$/, '.txt')), renderDiagnostics(p.diagnostics, p.sources) + '\n');
  });
});

describe('golden files', () => {
  it('a missing one fails under CI instead of writing itself', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'yakkan-golden-')), 'missing.txt');
    const saved = process.env['CI'];
    process.env['CI'] = 'true';
    try {
      expect(() => golden(file, 'text\n')).toThrow(/is missing: run the tests with UPDATE_GOLDEN=1 and commit it/);
    } finally {
      if (saved === undefined) delete process.env['CI'];
      else process.env['CI'] = saved;
    }
    expect(existsSync(file)).toBe(false);
  });
});
