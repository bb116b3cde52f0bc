// The TextMate grammar of `.yk` files (editors/vscode/syntaxes/yakkan.tmLanguage.json), built
// from the tokenizer's keyword list so that the two cannot drift: test/language.test.ts
// regenerates it and compares (UPDATE_GOLDEN=1 rewrites the file). It colours a file before the
// language server answers; semantic tokens (semantic.ts) then refine names by what they name.
import { DECLARATION_KEYWORDS, KEYWORDS, TYPE_NAMES } from './keywords.js';

// Identifiers hold letters of any script, digits, `_` and `-`; a keyword is a whole word, and
// not a segment of a dotted name (`policy.limit`).
const BEFORE = '(?<![\\w\\-.])';
const AFTER = '(?![\\w\\-])';
const NAME = '[\\w][\\w\\-]*(?:\\.[\\w][\\w\\-]*)*';
const alt = (words: readonly string[]) => [...new Set(words)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).join('|');

export function textmateGrammar(): object {
  const declarations = ['product', ...DECLARATION_KEYWORDS];
  // `list of` is two keywords; the type names proper follow `:` or `of`.
  const types = TYPE_NAMES.filter((t) => !t.includes(' '));
  const keywords = KEYWORDS.filter((k) => !declarations.includes(k) && k !== 'true' && k !== 'false');
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'yakkan',
    scopeName: 'source.yakkan',
    fileTypes: ['yk'],
    patterns: ['comment', 'string', 'section', 'declaration', 'type', 'literal', 'keyword', 'operator'].map((r) => ({ include: `#${r}` })),
    repository: {
      comment: { name: 'comment.line.number-sign.yakkan', match: '#.*$' },
      string: {
        name: 'string.quoted.double.yakkan', begin: '"', end: '"|$',
        patterns: [{ name: 'constant.character.escape.yakkan', match: '\\\\.' }],
      },
      section: { name: 'entity.name.section.yakkan', match: '§[^\\s"]+' },
      declaration: {
        match: `^(${alt(declarations)})\\s+(${NAME})`,
        captures: { 1: { name: 'keyword.declaration.yakkan' }, 2: { name: 'entity.name.function.yakkan' } },
      },
      type: {
        match: `(:|${BEFORE}of)\\s*(${alt(types)})${AFTER}`,
        captures: { 2: { name: 'storage.type.yakkan' } },
      },
      literal: {
        patterns: [
          { name: 'constant.numeric.date.yakkan', match: '\\b\\d{4}-\\d{2}-\\d{2}\\b' },
          { name: 'constant.numeric.time.yakkan', match: '\\b\\d{1,2}:\\d{2}\\b' },
          { name: 'constant.numeric.money.yakkan', match: '(?:USD|JPY|EUR) ?\\d[\\d,]*(?:\\.\\d+)?|\\d[\\d,]*(?:\\.\\d+)?(?:[億万千]\\d[\\d,]*(?:\\.\\d+)?)*[億万千]?(?:円|ドル)' },
          { name: 'constant.numeric.yakkan', match: '\\d[\\d,]*(?:\\.\\d+)?(?:[%％]|/\\d+|日|か月|カ月|ヶ月|ヵ月|箇月|年)?' },
          { name: 'constant.language.boolean.yakkan', match: `${BEFORE}(true|false)${AFTER}` },
        ],
      },
      keyword: { name: 'keyword.other.yakkan', match: `${BEFORE}(${alt(keywords)})${AFTER}` },
      operator: { name: 'keyword.operator.yakkan', match: '=>|\\.\\.|<=|>=|!=|[≤≥≠<>=+×÷*/|]|(?<=\\s)-(?=\\s)' },
    },
  };
}
