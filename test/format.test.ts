// The formatter: a messy file against its golden, and every product file is a fixed point
// (formatting twice changes nothing) that still parses to the same model.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatSource } from '../dsl/format.js';
import { parseProduct } from '../dsl/index.js';
import { productFiles } from '../engine/loading/load.js';
import { ROOT, productDirs } from './helpers.js';
import { golden } from './golden.js';

describe('yakkan fmt', () => {
  it('lays out a messy file', () => {
    golden(
      join(ROOT, 'test', 'golden', 'format', 'messy.formatted.yk'),
      formatSource(readFileSync(join(ROOT, 'test', 'golden', 'format', 'messy.yk'), 'utf8')),
    );
  });
  it('keeps the nesting of continuation lines; a note stays with its declaration', () => {
    const src = [
      'exclude x "x"',
      '  when a',
      '      and (b',
      '        or c)',
      'table t "t"',
      '  row A => 1',
      '  note "the table\'s, as the grammar reads it"',
      '',
    ].join('\n');
    expect(formatSource(src)).toBe(src);
  });
  const files = productDirs().flatMap((d) => productFiles(d).filter((f) => f.endsWith('.yk')));
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s: formatting is stable and keeps the model', (_n, f) => {
    const src = readFileSync(f, 'utf8');
    const once = formatSource(src);
    expect(formatSource(once)).toBe(once);
    // Every bundled file is already formatted: `yakkan fmt --check` passes on all of them.
    expect(once).toBe(src);
    expect(JSON.stringify(parseProduct(once, 'x.yk').model.product)).toBe(
      JSON.stringify(parseProduct(src, 'x.yk').model.product),
    );
  });
});
