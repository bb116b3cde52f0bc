// Semantic highlighting from the real tokenizer: every token the lexer produced, classified by
// what the symbol index says it names (a fact, a table, an enum value, ...), else by its token
// type. Soft keywords used as names (`policy.limit`) are therefore names, not keywords.
import type { IToken } from 'chevrotain';
import type { Analysis } from './analysis.js';
import type { Role, SymbolKind } from './symbols.js';

// LSP's standard token types and modifiers, so editor themes colour them without configuration.
export const TOKEN_TYPES = [
  'keyword',
  'string',
  'comment',
  'number',
  'operator',
  'variable',
  'property',
  'function',
  'class',
  'enumMember',
  'type',
  'parameter',
  'namespace',
  'macro',
  'decorator',
  'struct',
] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;

export type TokenTypeName = (typeof TOKEN_TYPES)[number];

export interface SemanticToken {
  from: number;
  length: number;
  type: TokenTypeName;
  declaration: boolean;
  defaultLibrary: boolean;
}

const BY_SYMBOL: Record<SymbolKind, TokenTypeName> = {
  product: 'namespace',
  fact: 'variable',
  field: 'property',
  formula: 'function',
  define: 'function',
  table: 'class',
  output: 'property',
  amount: 'struct',
  rule: 'macro',
  enum: 'enumMember',
  loop: 'parameter',
};
const BY_ROLE: Record<Role, TokenTypeName> = {
  type: 'type',
  function: 'function',
  mode: 'enumMember',
  product: 'namespace',
};
const OPERATORS = new Set([
  'Arrow',
  'DotDot',
  'Le',
  'Ge',
  'Ne',
  'Lt',
  'Gt',
  'Eq',
  'Plus',
  'Minus',
  'Times',
  'Divide',
  'Pipe',
]);

export function semanticTokens(a: Analysis): SemanticToken[] {
  const toks: IToken[] = [...a.tokens.tokens, ...a.tokens.comments].sort((x, y) => x.startOffset - y.startOffset);
  const occ = a.index.occurrences;
  const roles = new Map(a.index.roles.map((r) => [r.from, r.role]));
  const out: SemanticToken[] = [];
  let i = 0;
  for (const t of toks) {
    const from = t.startOffset;
    while (i < occ.length && occ[i]!.to <= from) i++;
    const o = occ[i] && occ[i]!.from <= from ? occ[i] : undefined;
    const kind = t.tokenType.name;
    let type: TokenTypeName | undefined;
    let declaration = false;
    let defaultLibrary = false;
    if (o) {
      if (kind === 'Dot') continue;
      type = BY_SYMBOL[o.symbol.kind];
      declaration = o.declaration;
    } else if (roles.has(from)) {
      const role = roles.get(from)!;
      type = BY_ROLE[role];
      defaultLibrary = role === 'function' || role === 'mode';
    } else if (kind === 'Comment') type = 'comment';
    else if (kind === 'StringLit') type = 'string';
    else if (kind === 'SectionRef') type = 'decorator';
    else if (kind.endsWith('Lit')) type = 'number';
    else if (kind.startsWith('Kw_')) type = kind === 'Kw_true' || kind === 'Kw_false' ? 'number' : 'keyword';
    else if (OPERATORS.has(kind)) type = 'operator';
    if (type) out.push({ from, length: t.image.length, type, declaration, defaultLibrary });
  }
  return out;
}
