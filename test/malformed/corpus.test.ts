// The malformed-facts corpus (test/malformed/<product>/, written by make.mjs): every file gets the
// class of answer expected.json gives it. No bad fact yields a silent answer: it is an error
// naming its pointer, an undetermined decision naming the fact, or (for the same facts written
// another way, or a fact the decision did not need) exactly the decision of the well-formed claim.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decideIn } from '../../engine/loading/load.js';
import type { Decision } from '../../engine/pipeline/decision-types.js';
import { DEFAULT_LIMITS, parseFactsJson } from '../../engine/pipeline/facts.js';
import { readYaml } from '../../engine/tools/cases.js';
import { PRODUCTS, ROOT, product } from '../helpers.js';

const CORPUS = join(ROOT, 'test', 'malformed');

type Expect =
  | { class: 'error'; pointer: string }
  | { class: 'refused'; message: string }
  | { class: 'missing'; fact: string }
  | { class: 'same' };

const products = readdirSync(CORPUS)
  .filter((d) => existsSync(join(CORPUS, d, 'expected.json')))
  .sort();

// What a decision says, for comparing two: outcome, deciding rules, items and amounts.
function gist(d: Decision): string {
  return JSON.stringify({
    outcome: d.outcome,
    deciding: d.deciding,
    items: d.items,
    amounts: d.amounts.map((a) => [a.name, a.value]),
  });
}

function read(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.json') ? parseFactsJson(text) : readYaml(text);
}

describe('malformed facts: the expected class of answer, never a silent one', () => {
  it('the corpus holds hundreds of files across the products', () => {
    const n = products.reduce(
      (s, d) => s + Object.keys(JSON.parse(readFileSync(join(CORPUS, d, 'expected.json'), 'utf8'))).length,
      0,
    );
    expect(products.length).toBeGreaterThanOrEqual(10);
    expect(n).toBeGreaterThan(300);
  });

  describe.each(products)('%s', (name) => {
    const p = product(join(PRODUCTS, name));
    const decideFacts = (facts: unknown) => decideIn(p, facts).decision;
    const base = decideFacts(read(join(CORPUS, name, 'base.json')));
    const expected = JSON.parse(readFileSync(join(CORPUS, name, 'expected.json'), 'utf8')) as Record<string, Expect>;

    it('the well-formed claim decides', () => {
      expect(
        base?.outcome,
        'base.json no longer decides: the product changed; run npm run build && node test/malformed/make.mjs',
      ).not.toMatch(/^(error|undetermined)$/);
    });

    it.each(Object.entries(expected))('%s', (file, want) => {
      let facts: unknown;
      try {
        facts = read(join(CORPUS, name, file));
      } catch (e) {
        expect(want.class, `refused: ${(e as Error).message}`).toBe('refused');
        expect((e as Error).message).toContain((want as { message: string }).message);
        return;
      }
      expect(want.class, 'the facts text was read, not refused').not.toBe('refused');
      const d = decideFacts(facts);
      expect(d, 'no decision').toBeDefined();
      const got = d!;
      switch (want.class) {
        case 'error':
          expect(got.outcome).toBe('error');
          expect(got.errors.map((e) => e.pointer)).toContain(want.pointer);
          break;
        case 'missing': {
          // Either the outcome needed the fact, and asks for it; or it did not, and stands, while
          // an amount that needed it has no value and asks for it.
          // An amount that uses another amount may name that amount instead of its facts.
          const names = (ms: string[]): boolean =>
            ms.some(
              (m) =>
                m === want.fact ||
                m.startsWith(want.fact) ||
                got.amounts.some(
                  (a) => m.startsWith(`(amount ${a.name} `) && a.missing.some((x) => x.startsWith(want.fact)),
                ),
            );
          if (got.outcome === 'undetermined') {
            expect(names(got.missing)).toBe(true);
            break;
          }
          expect(got.outcome).toBe(base!.outcome);
          expect(JSON.stringify(got.items.map((i) => i.outcome))).toBe(
            JSON.stringify(base!.items.map((i) => i.outcome)),
          );
          got.amounts.forEach((a, i) => {
            if (JSON.stringify(a.value) === JSON.stringify(base!.amounts[i]!.value)) return;
            expect(a.value, `${a.name} changed without asking for ${want.fact}`).toBeNull();
            expect(names(a.missing), `${a.name} is missing ${JSON.stringify(a.missing)}`).toBe(true);
          });
          break;
        }
        case 'same':
          expect(gist(got)).toBe(gist(base!));
          break;
      }
    });
  });
});

describe('input limits (item 6), on the example claims', () => {
  const cyber = product(join(PRODUCTS, 'cyber'));
  const claim = read(join(CORPUS, 'cyber', 'base.json')) as { claim: { items: unknown[] } };

  it('a list longer than the limit is an error at the list, not a 100 MB decision', () => {
    const facts = {
      ...claim,
      claim: {
        ...claim.claim,
        items: Array.from({ length: DEFAULT_LIMITS.maxListItems + 1 }, () => claim.claim.items[0]),
      },
    };
    const d = decideIn(cyber, facts).decision!;
    expect(d.outcome).toBe('error');
    expect(d.errors).toEqual([
      {
        pointer: '/claim/items',
        message: `this list has ${DEFAULT_LIMITS.maxListItems + 1} items; at most ${DEFAULT_LIMITS.maxListItems} are read`,
        expected: `a list of at most ${DEFAULT_LIMITS.maxListItems} items`,
      },
    ]);
  });

  it('a 10 MB digit string is refused at once, by its length', () => {
    const nexi = product(join(PRODUCTS, 'nexi-ip-license'));
    const facts = read(join(CORPUS, 'nexi-ip-license', 'base.json')) as Record<string, Record<string, unknown>>;
    facts['loss']!['amount'] = '9'.repeat(10_000_000);
    const d = decideIn(nexi, facts).decision!;
    expect(d.errors.map((e) => e.pointer)).toEqual(['/loss/amount']);
    expect(d.errors[0]!.message).toBe(
      `this amount is 10000000 characters long; at most ${DEFAULT_LIMITS.maxNumberLength} are read`,
    );
  });

  it('a facts text over the byte limit is refused before it is parsed', () => {
    expect(() => parseFactsJson(`{"a": "${'x'.repeat(DEFAULT_LIMITS.maxInputBytes)}"}`)).toThrow(
      /bytes; at most 1000000 are read/,
    );
  });
});
