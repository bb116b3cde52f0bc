// What a Japanese reader must never meet in `explain --lang ja`: the product's own ids (fact paths,
// enum values, table columns, define names, revision ids). Anything without a label shows its id, so
// this holds every product to labelling what its example claim shows, with and without --all.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseProduct } from '../dsl/index.js';
import { formatSource } from '../dsl/format.js';
import { selectRevision } from '../engine/loading/load.js';
import { check } from '../engine/pipeline/check.js';
import { compile, decide } from '../engine/pipeline/evaluate/index.js';
import { explain } from '../engine/pipeline/explain.js';
import { readYaml } from '../engine/tools/cases.js';
import { PRODUCTS, ROOT, exampleFiles, product } from './helpers.js';

// Words the pamphlets themselves print in Latin letters: ratings, acronyms, list letters (a. / (a)).
// Lowercase is what ids are made of, so a word with a lowercase letter, `_` or `.` inside is an id.
const ID = /[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]/g;
const isId = (w: string) => /[a-z]/.test(w) && w.length > 1 && !/^[a-z]$/.test(w.replace(/\.$/, ''));

function englishIds(text: string): string[] {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    // Quoted clauses are the seed's own text, and the source line names the seed file.
    if (/^\s*「/.test(line) || line.startsWith('資料:')) continue;
    for (const w of line.replace(/「[^」]*」/g, '').match(ID) ?? []) {
      if (isId(w)) found.add(`${w}  ← ${line.trim()}`);
    }
  }
  return [...found];
}

const examples = exampleFiles().flatMap(({ dir, file }) =>
  [false, true].map((all) => [`${basename(dir)}/${basename(file)}${all ? ' --all' : ''}`, dir, file, all] as const),
);

// The explanation fixtures too, except invalid facts: those quote the input's own JSON pointers and keys.
const FIXTURES = join(ROOT, 'test', 'fixtures', 'explain');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yaml') && !f.includes('invalid'))
  .sort()
  .map((f) => [`fixtures/${f}`, join(PRODUCTS, f.split('__')[0]!), join(FIXTURES, f), false] as const);

describe('explain --lang ja names everything in Japanese', () => {
  it.each([...examples, ...fixtures])('%s', (_name, d, file, all) => {
    const facts = readYaml(readFileSync(file, 'utf8'));
    const { rev } = selectRevision(product(d), facts);
    const text = explain(decide(rev!.compiled!, facts), { lang: 'ja', all, product: rev!.checked.product });
    expect(englishIds(text)).toEqual([]);
  });

  it('the check itself catches an id', () => {
    const text = '  対象: business_user\n  insured_peril = はい\n  セットE、PHS、a. 届出、(b) 費用';
    expect(englishIds(text)).toHaveLength(2);
  });
});

describe('a revision label', () => {
  const source = (rev: string) => `product rev-demo
  name ja "版の例"
  ${rev}
  source "demo.txt"

fact claim.amount: money JPY "請求額"

cover any-claim "請求"
  cite §1 "x"
  when claim.amount > 0円
`;
  const build = (rev: string) => {
    const { model, diagnostics } = parseProduct(source(rev), 'demo.yk');
    const checked = check(model);
    return { checked, c: compile(checked), diagnostics: [...diagnostics, ...checked.diagnostics] };
  };
  it('names the edition in the Japanese title, and the id stays the revision', () => {
    const { checked, c, diagnostics } = build('revision "seed-9" "発行年月の記載のない版"');
    expect(diagnostics).toEqual([]);
    expect(checked.product.revision).toBe('seed-9');
    expect(checked.product.revisionLabel).toBe('発行年月の記載のない版');
    const d = decide(c, { claim: { amount: '100' } });
    expect(d.product.revision).toBe('seed-9');
    const title = explain(d, { lang: 'ja', product: checked.product }).split('\n')[0];
    expect(title).toBe('版の例（発行年月の記載のない版）');
    expect(explain(d, { lang: 'en', product: checked.product }).split('\n')[0]).toContain('revision seed-9');
  });
  it('is optional: without it the title reads the id', () => {
    const { checked, c } = build('revision "2017-04"');
    expect(checked.product.revisionLabel).toBeUndefined();
    const d = decide(c, { claim: { amount: '100' } });
    expect(explain(d, { lang: 'ja', product: checked.product }).split('\n')[0]).toBe('版の例（2017-04版）');
  });
  it('survives the formatter', () => {
    const src = source('revision "seed-9" "発行年月の記載のない版"');
    expect(formatSource(src)).toBe(src);
  });
});
