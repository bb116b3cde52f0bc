// Stage 1: source text -> tokens. Entry: tokenize().
import type { IToken, TokenType } from 'chevrotain';
import { chevrotain, chevrotainDeferred } from './chevrotain.js';
import { type Diagnostic, spanAt } from './diagnostics.js';
import { STRUCTURAL_WORDS } from './keywords.js';

const { createToken, Lexer } = chevrotain;

// Letters of any script, but not the operator signs that live in the same Unicode blocks
// (× ÷ ≠ ≤ ≥ ％) nor full-width spaces.
const LETTER = 'A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u225F\\u2266-\\u2FFF\\u3001-\\uFF04\\uFF06-\\uFFEF';
const LETTER_OR_DIGIT = LETTER + '0-9';

export const Identifier = createToken({
  name: 'Identifier',
  pattern: new RegExp(`[${LETTER}][${LETTER_OR_DIGIT}]*(?:-[${LETTER_OR_DIGIT}]+)*`),
  line_breaks: false,
});

// Words that start declarations and clauses. They are "soft": they may still be used as names
// (a fact called `policy.limit`), because the grammar accepts any of them where a name is expected.
export const Name = createToken({ name: 'Name', pattern: Lexer.NA });
// Words that may begin a reference inside an expression. Structural keywords (those that start a
// declaration, a clause or a step) may not, so `when a and` followed by `cite` is reported at `cite`.
export const RefStart = createToken({ name: 'RefStart', pattern: Lexer.NA });
Identifier.CATEGORIES = [Name, RefStart];
export const DurationUnit = createToken({ name: 'DurationUnit', pattern: Lexer.NA });

const softKeywords: Record<string, TokenType> = {};
const STRUCTURAL = new Set(STRUCTURAL_WORDS);
function soft(word: string, extraCategories: TokenType[] = []): TokenType {
  const categories = [Name, ...extraCategories, ...(STRUCTURAL.has(word) ? [] : [RefStart])];
  const t = createToken({ name: 'Kw_' + word, pattern: word, longer_alt: Identifier, categories, line_breaks: false });
  softKeywords[word] = t;
  return t;
}
function hard(word: string, name = word): TokenType {
  return createToken({ name: 'Kw_' + name, pattern: word, longer_alt: Identifier, line_breaks: false });
}

export const Product = soft('product');
export const Fact = soft('fact');
export const FormulaKw = soft('formula');
export const Define = soft('define');
export const TableKw = soft('table');
export const Eligibility = soft('eligibility');
export const Ineligible = soft('ineligible');
export const Cover = soft('cover');
export const Exclude = soft('exclude');
export const ConditionKw = soft('condition');
export const Constraint = soft('constraint');
export const AmountKw = soft('amount');
export const NameKw = soft('name');
export const Revision = soft('revision');
export const Force = soft('force');
export const From = soft('from');
export const Until = soft('until');
export const Chosen = soft('chosen');
export const By = soft('by');
export const Currency = soft('currency');
export const Source = soft('source');
export const Reconstructed = soft('reconstructed');
export const Cite = soft('cite');
export const Note = soft('note');
export const When = soft('when');
export const Unless = soft('unless');
export const Require = soft('require');
export const Given = soft('given');
export const Returns = soft('returns');
export const Row = soft('row');
export const Hit = soft('hit');
export const Payable = soft('payable');
export const Start = soft('start');
export const Add = soft('add');
export const Subtract = soft('subtract');
export const Deductible = soft('deductible');
export const Coinsurance = soft('coinsurance');
export const Multiply = soft('multiply');
export const Limit = soft('limit');
export const Aggregate = soft('aggregate');
export const Used = soft('used');
export const Floor = soft('floor');
export const Round = soft('round');
export const Total = soft('total');
export const Shared = soft('shared');
export const Default = soft('default');
export const Signed = soft('signed');
export const One = soft('one');
export const Of = soft('of');
export const List = soft('list');
export const Days = soft('days', [DurationUnit]);
export const Day = soft('day', [DurationUnit]);
export const Months = soft('months', [DurationUnit]);
export const Month = soft('month', [DurationUnit]);
export const Years = soft('years', [DurationUnit]);
export const Year = soft('year', [DurationUnit]);

export const And = hard('and');
export const Or = hard('or');
export const Not = hard('not');
export const In = hard('in');
export const If = hard('if');
export const Then = hard('then');
export const Else = hard('else');
export const True = hard('true');
export const False = hard('false');
export const Any = hard('any');
export const For = hard('for');
export const Each = hard('each');

// Only WhiteSpace can match a line break. Every other token says `line_breaks: false`, which spares
// chevrotain parsing each pattern to find out (~28 ms of building the lexer, ~40% of it), and
// keywords are plain strings, whose first character needs no analysis either.
// A byte-order mark (U+FEFF, which editors put at the start of a UTF-8 file) is whitespace too.
export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\u3000\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: 'comments', line_breaks: false });
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n]|\\.)*"/, line_breaks: false });
export const SectionRef = createToken({ name: 'SectionRef', pattern: /§[^\s"]+/, line_breaks: false });
export const DateLit = createToken({ name: 'DateLit', pattern: /\d{4}-\d{2}-\d{2}(?![\d])/, line_breaks: false });
const NUM = '\\d[\\d,]*(?:\\.\\d+)?';
// Any digits:digits, so that `9:00` or `24:00` is reported as a bad time, not as a number and a colon.
export const TimeLit = createToken({ name: 'TimeLit', pattern: /\d{1,2}:\d{2}(?!\d)/, line_breaks: false });
export const MoneyLit = createToken({
  name: 'MoneyLit',
  pattern: new RegExp(`(?:USD|JPY|EUR)[ ]?${NUM}|${NUM}(?:[億万千]${NUM})*[億万千]?(?:円|ドル)`),
  line_breaks: false,
});
export const PercentLit = createToken({ name: 'PercentLit', pattern: new RegExp(`${NUM}[%％]`), line_breaks: false });
export const FractionLit = createToken({ name: 'FractionLit', pattern: /\d+\/\d+/, line_breaks: false });
export const JaDurationLit = createToken({
  name: 'JaDurationLit',
  pattern: /\d+(?:日|か月|カ月|ヶ月|ヵ月|箇月|年)/,
  line_breaks: false,
});
export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/,
  line_breaks: false,
});

export const Arrow = createToken({ name: 'Arrow', pattern: /=>/, line_breaks: false });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./, line_breaks: false });
export const Dot = createToken({ name: 'Dot', pattern: /\./, line_breaks: false });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, line_breaks: false });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, line_breaks: false });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/, line_breaks: false });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/, line_breaks: false });
export const Comma = createToken({ name: 'Comma', pattern: /,/, line_breaks: false });
export const Colon = createToken({ name: 'Colon', pattern: /:/, line_breaks: false });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/, line_breaks: false });
export const Le = createToken({ name: 'Le', pattern: /<=|≤/, line_breaks: false });
export const Ge = createToken({ name: 'Ge', pattern: />=|≥/, line_breaks: false });
export const Ne = createToken({ name: 'Ne', pattern: /!=|≠/, line_breaks: false });
export const Lt = createToken({ name: 'Lt', pattern: /</, line_breaks: false });
export const Gt = createToken({ name: 'Gt', pattern: />/, line_breaks: false });
export const Eq = createToken({ name: 'Eq', pattern: /=/, line_breaks: false });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, line_breaks: false });
export const Minus = createToken({ name: 'Minus', pattern: /-/, line_breaks: false });
export const Times = createToken({ name: 'Times', pattern: /\*|×/, line_breaks: false });
export const Divide = createToken({ name: 'Divide', pattern: /\/|÷/, line_breaks: false });

const keywordTokens = [...Object.values(softKeywords), And, Or, Not, In, If, Then, Else, True, False, Any, For, Each];

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLit,
  SectionRef,
  DateLit,
  TimeLit,
  MoneyLit,
  PercentLit,
  FractionLit,
  JaDurationLit,
  NumberLit,
  Arrow,
  DotDot,
  Dot,
  LParen,
  RParen,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Pipe,
  Le,
  Ge,
  Ne,
  Lt,
  Gt,
  Eq,
  Plus,
  Minus,
  Times,
  Divide,
  ...keywordTokens,
  Name,
  RefStart,
  DurationUnit,
  Identifier,
];

// Built at import, as chevrotain's analysis of the patterns (~35 ms) has always been counted
// there; but not when chevrotain is deferred (a product loaded from the compiled-model cache by
// bin/yakkan.js, dsl/chevrotain.ts), where nothing is lexed at all.
// Lines end at \n only (a \r before it is part of the line), as the diagnostics renderer counts them.
const newLexer = () =>
  new Lexer(allTokens, {
    positionTracking: 'full',
    ensureOptimizations: true,
    skipValidations: true,
    lineTerminatorsPattern: /\n/g,
    lineTerminatorCharacters: ['\n'],
  });
let lexer: InstanceType<typeof Lexer> | undefined = chevrotainDeferred ? undefined : newLexer();

export interface Tokens {
  file: string;
  source: string;
  tokens: IToken[];
  comments: IToken[];
}

export function tokenize(source: string, file: string, diagnostics: Diagnostic[]): Tokens {
  lexer ??= newLexer();
  const result = lexer.tokenize(source);
  for (const e of result.errors) {
    const ch = source.slice(e.offset, e.offset + e.length);
    diagnostics.push({
      code: 'lex/unexpected-character',
      severity: 'error',
      message: `unexpected character ${JSON.stringify(ch)}`,
      span: spanAt(file, e.line ?? 1, e.column ?? 1, e.offset, e.length),
      hint:
        ch === '"' ? 'strings must end on the same line with a closing "' : 'remove it, or put text inside "quotes"',
    });
  }
  return { file, source, tokens: result.tokens, comments: (result.groups['comments'] as IToken[]) ?? [] };
}
