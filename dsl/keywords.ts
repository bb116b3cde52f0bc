// The language's words by role, listed once: dsl/tokens.ts makes a keyword token of each (the
// structural ones may not begin a reference), dsl/format.ts lays lines out by them, the loader
// finds a file's header by them, and the editors (language/keywords.ts) complete and highlight
// the tokens the tokenizer makes of them.
export const RULE_WORDS = ['eligibility', 'ineligible', 'cover', 'exclude', 'condition', 'constraint'] as const;
// A line that begins with one of these (and a name) is a declaration, at column 0.
export const DECLARATION_WORDS = ['product', 'fact', 'formula', 'define', 'table', ...RULE_WORDS, 'amount'] as const;
// biome-ignore format: a word list reads best on few lines
export const STEP_WORDS = [
  'start', 'add', 'subtract', 'deductible', 'coinsurance', 'multiply', 'limit', 'aggregate', 'floor', 'round', 'total',
] as const;
// Clauses of rules, tables and amounts (and citations, under any declaration).
// biome-ignore format: a word list reads best on few lines
const BODY_CLAUSE_WORDS = [
  'cite', 'note', 'when', 'unless', 'require', 'given', 'returns', 'hit', 'row', 'payable',
] as const;
// Lines under a declaration that begin with one of these are its clauses (two words as written).
// biome-ignore format: a word list reads best on few lines
export const CLAUSE_WORDS = [
  'name', 'revision', 'reconstructed', 'in force', 'chosen by', 'currency', 'source', ...BODY_CLAUSE_WORDS, 'else',
  ...STEP_WORDS, 'for each',
] as const;
// Clauses that may carry citations of their own, on the lines under them.
export const CITING_CLAUSE_WORDS = ['row', ...STEP_WORDS.filter((w) => w !== 'total')] as const;
// Words that start a declaration, a clause or a step: inside an expression they end it, so
// `when a and` followed by `cite` is reported at `cite`, not read as a reference named cite.
export const STRUCTURAL_WORDS: readonly string[] = [
  ...DECLARATION_WORDS,
  ...BODY_CLAUSE_WORDS,
  ...STEP_WORDS,
  'used',
  'shared',
];
