// Golden explanations, in Japanese and English: every bundled example claim, and the claims in
// test/fixtures/explain/ (<product>__<name>.yaml) that show what the examples do not: an
// undetermined claim, a refused one, a cost item that no cover pays. One golden also shows --all.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { selectRevision } from '../engine/loading/load.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { explain, type Lang } from '../engine/pipeline/explain.js';
import { readYaml } from '../engine/tools/cases.js';
import { ROOT, PRODUCTS, exampleFiles, product } from './helpers.js';
import { golden } from './golden.js';

const GOLDEN = join(ROOT, 'test', 'golden', 'explain');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'explain');

// [golden name, product folder, facts file]
const examples = exampleFiles().map(
  ({ dir, file }) =>
    [
      relative(PRODUCTS, file)
        .replace(/[\\/]/g, '__')
        .replace(/\.ya?ml$/, ''),
      dir,
      file,
    ] as const,
);
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => [f.replace(/\.yaml$/, ''), join(PRODUCTS, f.split('__')[0]!), join(FIXTURES, f)] as const);

function explained(dir: string, file: string, lang: Lang, all = false): string {
  const facts = readYaml(readFileSync(file, 'utf8'));
  const { rev } = selectRevision(product(dir), facts);
  expect(rev?.compiled).toBeDefined();
  return explain(decide(rev!.compiled!, facts), { lang, all, product: rev!.checked.product });
}

describe('explanations', () => {
  const runs = [...examples, ...fixtures].flatMap(([name, d, f]) =>
    (['ja', 'en'] as const).map((lang) => [name, lang, d, f] as const),
  );
  it.each(runs)('%s (%s)', (name, lang, d, f) => {
    golden(join(GOLDEN, `${name}.${lang}.txt`), explained(d, f, lang));
  });
  it.each(['ja', 'en'] as const)('nexi-ip-license example with --all (%s)', (lang) => {
    const [, d, f] = examples.find(([name]) => name.startsWith('nexi-ip-license__'))!;
    golden(join(GOLDEN, `nexi-ip-license__examples__claim.all.${lang}.txt`), explained(d, f, lang, true));
  });
});

// What an underwriter reading Japanese must never meet: the engine's own words.
describe('Japanese explanations hold no engine words', () => {
  const engine =
    'when|require|unless|true|false|fired|not-fired|covered|excluded|refused|revision|round|days?|months?|years?';
  const words = new RegExp(`\\b(${engine})\\b|\\[|\\]`);
  it.each([...examples, ...fixtures])('%s', (_name, d, f) => {
    const lines = explained(d, f, 'ja')
      .split('\n')
      .filter((l) => !/^\s*「/.test(l) && !l.startsWith('資料:'));
    expect(lines.filter((l) => words.test(l))).toEqual([]);
  });
});
