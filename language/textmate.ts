// The TextMate grammar of `.yk` files (editors/vscode/syntaxes/yakkan.tmLanguage.json), built
// from the tokenizer's keyword list so that the two cannot drift: test/language.test.ts
// regenerates it and compares (UPDATE_GOLDEN=1 rewrites the file). It colours a file before the
// language server answers; semantic tokens (semantic.ts) then refine names by what they name.
import type { TokenType } from 'chevrotain';
import * as T from '../dsl/tokens.js';
import { DECLARATION_KEYWORDS, KEYWORDS, TYPE_NAMES } from './keywords.js';

// Identifiers hold letters of any script, digits, `_` and `-`; a keyword is a whole word, and
// not a segment of a dotted name (`policy.limit`).
const BEFORE = '(?<![\\w\\-.])';
const AFTER = '(?![\\w\\-])';
const NAME = '[\\w][\\w\\-]*(?:\\.[\\w][\\w\\-]*)*';
const source = (t: TokenType): string => (t.PATTERN as RegExp).source;
const literal = (...ts: TokenType[]): string => `(?<![\\w.]|\\w-)(?:${ts.map(source).join('|')})`;
const OPERATORS = [T.Arrow, T.DotDot, T.Le, T.Ge, T.Ne, T.Lt, T.Gt, T.Eq, T.Plus, T.Times, T.Divide, T.Pipe];
const alt = (words: readonly string[]) =>
  [...new Set(words)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).join('|');

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
    patterns: ['comment', 'string', 'section', 'declaration', 'type', 'literal', 'keyword', 'operator'].map((r) => ({
      include: `#${r}`,
    })),
    repository: {
      comment: { name: 'comment.line.number-sign.yakkan', match: '#.*$' },
      string: {
        name: 'string.quoted.double.yakkan',
        begin: '"',
        end: '"|$',
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
      // The literals are the tokenizer's own patterns, where no name goes on (`x2` is a name).
      literal: {
        patterns: [
          { name: 'constant.numeric.date.yakkan', match: literal(T.DateLit) },
          { name: 'constant.numeric.time.yakkan', match: literal(T.TimeLit) },
          { name: 'constant.numeric.money.yakkan', match: literal(T.MoneyLit) },
          {
            name: 'constant.numeric.yakkan',
            match: literal(T.PercentLit, T.FractionLit, T.JaDurationLit, T.NumberLit),
          },
          { name: 'constant.language.boolean.yakkan', match: `${BEFORE}(true|false)${AFTER}` },
        ],
      },
      keyword: { name: 'keyword.other.yakkan', match: `${BEFORE}(${alt(keywords)})${AFTER}` },
      // A minus is an operator only with spaces around it: `a-b` is one name.
      operator: { name: 'keyword.operator.yakkan', match: `${OPERATORS.map(source).join('|')}|(?<=\\s)-(?=\\s)` },
    },
  };
}
