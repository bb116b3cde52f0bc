// The words of the language for the editors: completion, semantic highlighting and the TextMate
// grammar. The words by role are dsl/keywords.ts's (the list the tokenizer and the formatter
// read); which clause goes under which declaration is the grammar's (dsl/parser.ts), written here
// with the tokenizer's tokens so that a renamed or removed keyword fails to compile.
import type { TokenType } from 'chevrotain';
import { DECLARATION_WORDS, RULE_WORDS, STEP_WORDS } from '../dsl/keywords.js';
import * as T from '../dsl/tokens.js';

const word = (t: TokenType): string => t.PATTERN as string;

// Every keyword: the token types whose pattern is a plain word.
export const KEYWORDS: readonly string[] = T.allTokens
  .filter((t) => typeof t.PATTERN === 'string' && /^[a-z]+$/.test(t.PATTERN))
  .map(word);

// The declarations a product file holds after its header.
export const DECLARATION_KEYWORDS: readonly string[] = DECLARATION_WORDS.filter((w) => w !== word(T.Product));

const CITE = [word(T.Cite), word(T.Note)];
const FOR_EACH = `${word(T.For)} ${word(T.Each)}`;

// The clauses that may follow each declaring keyword, in the order they are usually written.
export const CLAUSES: Record<string, readonly string[]> = {
  [word(T.Product)]: [
    `${word(T.NameKw)} ja`,
    `${word(T.NameKw)} en`,
    word(T.Revision),
    word(T.Reconstructed),
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
  [word(T.AmountKw)]: [...CITE, word(T.Payable), FOR_EACH, ...STEP_WORDS, word(T.Shared), word(T.When), word(T.Used)],
  ...Object.fromEntries(RULE_WORDS.map((k) => [k, [...CITE, FOR_EACH, word(T.When), word(T.Unless), word(T.Require)]])),
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
