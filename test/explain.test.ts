// Golden explanations for every bundled example claim, in Japanese and English.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { selectRevision } from '../engine/loading/load.js';
import { decide } from '../engine/pipeline/evaluate.js';
import { explain } from '../engine/pipeline/explain.js';
import { readYaml } from '../engine/tools/cases.js';
import { ROOT, productDirs, product } from './helpers.js';
import { golden } from './golden.js';

const GOLDEN = join(ROOT, 'test', 'golden');

describe('explanations of the bundled examples', () => {
  const examples = productDirs().flatMap((d) => {
    const ex = join(d, 'examples');
    return existsSync(ex) ? readdirSync(ex).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => [d, join(ex, f)] as const) : [];
  });
  it.each(examples.flatMap(([d, f]) => (['ja', 'en'] as const).map((lang) => [relative(ROOT, f), lang, d, f] as const)))('%s (%s)', (_n, lang, d, f) => {
    const facts = readYaml(readFileSync(f, 'utf8'));
    const { rev } = selectRevision(product(d), facts);
    expect(rev?.compiled).toBeDefined();
    const text = explain(decide(rev!.compiled!, facts), { lang });
    const name = `${relative(join(ROOT, 'products'), f).replace(/[\\/]/g, '__').replace(/\.ya?ml$/, '')}.${lang}.txt`;
    golden(join(GOLDEN, 'explain', name), text);
  });
});
