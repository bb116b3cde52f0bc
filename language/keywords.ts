// The words of the language as the tokenizer knows them (dsl/tokens.ts): completion, semantic
// highlighting and the TextMate grammar read them here, so a keyword added to the tokenizer
// reaches the editors. Which clause goes under which declaration is the grammar's (dsl/parser.ts),
// named here by token so that a renamed or removed keyword fails to compile.
import type { TokenType } from 'chevrotain';
import * as T from '../dsl/tokens.js';

const word = (t: TokenType): string => t.PATTERN as string;

// Every keyword: the token types whose pattern is a plain word.
export const KEYWORDS: readonly string[] = T.allTokens
  .filter((t) => typeof t.PATTERN === 'string' && /^[a-z]+$/.test(t.PATTERN))
  .map(word);

export const RULE_KEYWORDS = [T.Eligibility, T.Ineligible, T.Cover, T.Exclude, T.ConditionKw, T.Constraint].map(word);
export const DECLARATION_KEYWORDS = [T.Fact, T.FormulaKw, T.Define, T.TableKw, T.AmountKw]
  .map(word)
  .concat(RULE_KEYWORDS);

const CITE = [word(T.Cite), word(T.Note)];
const FOR_EACH = `${word(T.For)} ${word(T.Each)}`;
export const STEP_KEYWORDS = [
  T.Start,
  T.Add,
  T.Subtract,
  T.Deductible,
  T.Coinsurance,
  T.Multiply,
  T.Limit,
  T.Aggregate,
  T.Floor,
  T.Round,
  T.Total,
].map(word);

// The clauses that may follow each declaring keyword, in the order they are usually written.
export const CLAUSES: Record<string, readonly string[]> = {
  [word(T.Product)]: [
    `${word(T.NameKw)} ja`,
    `${word(T.NameKw)} en`,
    word(T.Revision),
    `${word(T.In)} ${word(T.Force)} ${word(T.From)}`,
    word(T.Until),
    `${word(T.Chosen)} ${word(T.By)}`,
    word(T.Currency),
    word(T.Source),
    ...CITE,
  ],
  [word(T.Fact)]: [word(T.Default), ...CITE],
  [word(T.FormulaKw)]: [...CITE, '='],
  [word(T.Define)]: [...CITE, '='],
  [word(T.TableKw)]: [...CITE, word(T.Hit), word(T.Given), word(T.Returns), word(T.Row), word(T.Else)],
  [word(T.AmountKw)]: [
    ...CITE,
    word(T.Payable),
    FOR_EACH,
    ...STEP_KEYWORDS,
    word(T.Shared),
    word(T.When),
    word(T.Used),
  ],
  ...Object.fromEntries(
    RULE_KEYWORDS.map((k) => [k, [...CITE, FOR_EACH, word(T.When), word(T.Unless), word(T.Require)]]),
  ),
};

export const EXPRESSION_KEYWORDS = [T.And, T.Or, T.Not, T.In, T.If, T.Then, T.Else, T.True, T.False].map(word);
export const DURATION_UNITS = [T.Days, T.Months, T.Years, T.Day, T.Month, T.Year].map(word);
export const HIT_POLICIES = ['unique', 'first'];
export const CELL_WORDS = [word(T.Any), word(T.True), word(T.False)];

// The type names a fact declaration accepts (dsl/model.ts type()); test/language.test.ts holds
// this list to the model builder, which reports any other name as an unknown type.
export const TYPE_NAMES = [
  'boolean',
  'integer',
  'decimal',
  'rate',
  'percent',
  'money',
  'date',
  'time',
  'duration',
  'text',
  'enum',
  `${word(T.List)} ${word(T.Of)}`,
];
// The currencies a money literal may name, read off the tokenizer's pattern (dsl/tokens.ts MoneyLit).
export const CURRENCIES: readonly string[] = /\(\?:([A-Z|]+)\)/
  .exec(String((T.MoneyLit.PATTERN as RegExp).source))?.[1]
  ?.split('|') ?? ['JPY'];
