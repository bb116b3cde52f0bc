// Go to definition, find references and rename, over the symbol index. A product is one file,
// so every answer is a range in the same text. Rename does not reach case files (YAML), which
// name facts and rules too: `yakkan test` reports what they still call by the old name.
import type { TokenType } from 'chevrotain';
import * as T from '../dsl/tokens.js';
import type { Diagnostic } from '../dsl/diagnostics.js';
import type { Analysis } from './analysis.js';
import type { TextRange } from './cst.js';
import { type Occurrence, type SymbolKind, type YkSymbol, occurrenceAt } from './symbols.js';

export interface TextEdit extends TextRange {
  insert: string;
}

export function definition(a: Analysis, offset: number): TextRange[] {
  const occ = occurrenceAt(a.index, offset);
  return occ?.symbol.decl ? [occ.symbol.decl] : [];
}

export function references(a: Analysis, offset: number, includeDeclaration = true): TextRange[] {
  const occ = occurrenceAt(a.index, offset);
  if (!occ) return [];
  return occurrencesOf(a, occ.symbol)
    .filter((o) => includeDeclaration || !o.declaration)
    .map((o) => ({ from: o.from, to: o.to }));
}

export function occurrencesOf(a: Analysis, s: YkSymbol): Occurrence[] {
  return a.index.occurrences.filter((o) => o.symbol === s);
}

// Facts may be renamed to a dotted path; every other name is one word.
const DOTTED: ReadonlySet<SymbolKind> = new Set(['fact']);
// Names that must differ from each other (engine/pipeline/check.ts checkDuplicates).
const SHARED_NAMESPACE: ReadonlySet<SymbolKind> = new Set(['fact', 'formula', 'define', 'table', 'amount']);

export type PrepareRename = (TextRange & { placeholder: string }) | { error: string };

export function prepareRename(a: Analysis, offset: number): PrepareRename {
  const occ = occurrenceAt(a.index, offset);
  if (!occ) return { error: 'nothing to rename here: put the cursor on a fact, formula, table, amount, rule or value' };
  if (occ.symbol.kind === 'product')
    return { error: 'the product id names the product folder and its case files: rename it by hand' };
  return { from: occ.from, to: occ.to, placeholder: a.text.slice(occ.from, occ.to) };
}

export function rename(a: Analysis, offset: number, newName: string): { edits: TextEdit[] } | { error: string } {
  const prep = prepareRename(a, offset);
  if ('error' in prep) return prep;
  const sym = occurrenceAt(a.index, offset)!.symbol;
  const invalid = nameError(newName, DOTTED.has(sym.kind));
  if (invalid) return { error: invalid };
  const clash = [...a.index.symbols.values()].find((s) => s !== sym && clashes(s, sym, newName));
  if (clash) {
    const line = a.lines.position(clash.decl?.from ?? 0).line + 1;
    return { error: `${newName} is already declared (a ${clash.kind}, line ${line})` };
  }
  return { edits: occurrencesOf(a, sym).map((o) => ({ from: o.from, to: o.to, insert: newName })) };
}

function clashes(s: YkSymbol, renamed: YkSymbol, newName: string): boolean {
  if (SHARED_NAMESPACE.has(renamed.kind)) return SHARED_NAMESPACE.has(s.kind) && s.name === newName;
  if (s.kind !== renamed.kind || s.owner !== renamed.owner) return false;
  const last = s.kind === 'output' || s.kind === 'field' ? s.name.slice(s.name.lastIndexOf('.') + 1) : s.name;
  return last === newName;
}

// A name the tokenizer reads back as one name: words (any script, digits, _ and -) joined by dots,
// none of them a word that can never be a name (and, or, not, in, if, ...).
export function nameError(name: string, dotted: boolean): string | undefined {
  const toks = tokenizeName(name);
  const words = name.split('.');
  const ok =
    toks !== undefined &&
    toks.length === 2 * words.length - 1 &&
    toks.every((t, i) => (i % 2 === 0 ? isName(t.tokenType) && t.image === words[i / 2] : t.tokenType === T.Dot));
  if (!ok) {
    const why = 'use letters, digits, _ and - (no spaces), not a keyword like and, or, not';
    return `${JSON.stringify(name)} is not a name: ${why}`;
  }
  if (!dotted && words.length > 1) return `${JSON.stringify(name)}: only a fact's name may have dots`;
  return undefined;
}

function tokenizeName(name: string): { tokenType: TokenType; image: string }[] | undefined {
  const diagnostics: Diagnostic[] = [];
  const toks = T.tokenize(name, '', diagnostics).tokens;
  return diagnostics.length ? undefined : toks;
}

function isName(t: TokenType): boolean {
  return t === T.Identifier || (t.CATEGORIES ?? []).includes(T.Name);
}
