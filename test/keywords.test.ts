// One keyword list (dsl/keywords.ts): every word in it is a keyword token of the tokenizer, and
// the tokenizer's structural keywords are exactly the words it lists as structural.
import { describe, expect, it } from 'vitest';
import { CLAUSE_WORDS, DECLARATION_WORDS, STEP_WORDS, STRUCTURAL_WORDS } from '../dsl/keywords.js';
import { RefStart, allTokens } from '../dsl/tokens.js';

const keywordTokens = allTokens.filter((t) => typeof t.PATTERN === 'string' && /^[a-z]+$/.test(t.PATTERN));
const tokenWords = new Set(keywordTokens.map((t) => t.PATTERN as string));

describe('keywords', () => {
  it('every listed word is a token', () => {
    const listed = [...DECLARATION_WORDS, ...CLAUSE_WORDS, ...STEP_WORDS, ...STRUCTURAL_WORDS].flatMap((w) =>
      w.split(' '),
    );
    expect(listed.filter((w) => !tokenWords.has(w))).toEqual([]);
  });
  it('the structural keywords are the tokens that may not begin a reference', () => {
    const structural = keywordTokens.filter(
      (t) => t.CATEGORIES?.some((c) => c.name === 'Name') && !t.CATEGORIES.includes(RefStart),
    );
    expect(structural.map((t) => t.PATTERN as string).sort()).toEqual([...STRUCTURAL_WORDS].sort());
  });
});
