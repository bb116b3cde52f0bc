// Completion: what may be written at the cursor. The context is read off the text around it (the
// declaration the line belongs to, the clause, the token before the word), because while a line
// is being typed it rarely parses; the names offered come from the symbol index and their types
// from the checker.
import type { IToken } from 'chevrotain';
import { CLAUSE_WORDS, DECLARATION_WORDS } from '../dsl/keywords.js';
import { ROUNDING_MODES } from '../dsl/model.js';
import { OPERATORS, typeText } from '../engine/pipeline/operators.js';
import type { Analysis } from './analysis.js';
import { type TextRange, tokenIndexAt } from './cst.js';
import {
  CELL_WORDS,
  CLAUSES,
  CURRENCIES,
  DECLARATION_KEYWORDS,
  DURATION_UNITS,
  EXPRESSION_KEYWORDS,
  HIT_POLICIES,
  TYPE_NAMES,
} from './keywords.js';
import type { SymbolKind, YkSymbol } from './symbols.js';

export type CompletionKind =
  | Exclude<SymbolKind, 'product' | 'rule'>
  | 'keyword'
  | 'function'
  | 'type'
  | 'unit'
  | 'mode';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail?: string;
  // Items are offered in this order (the editor still filters them by what is typed).
  sortText: string;
}

// The items replace the text from `from` to `to`: the word (dotted path) being typed.
export interface Completions extends TextRange {
  items: CompletionItem[];
}

const WORD = /[\p{L}\p{N}_\-.]*$/u;
const COMPARISON = new Set(['Eq', 'Ne', 'Lt', 'Le', 'Gt', 'Ge']);
const CONTINUES = new Set([
  ...COMPARISON,
  'Comma',
  'LParen',
  'Plus',
  'Minus',
  'Times',
  'Divide',
  'Kw_and',
  'Kw_or',
  'Kw_not',
  'Kw_in',
  'Kw_if',
  'Kw_then',
  'Kw_else',
  'Kw_when',
  'Kw_unless',
  'Kw_require',
  'Kw_given',
  'Arrow',
  'Pipe',
]);
// Operators that are also words (and, or, not, in, if) are offered as keywords, not functions.
const OPERATOR_WORDS = new Set(EXPRESSION_KEYWORDS);
const TEXT_CLAUSES = new Set(['cite', 'note', 'name', 'revision', 'reconstructed', 'source', 'currency', 'in']);
// How far back (in tokens) a call or an `in (...)` list is looked for.
const SCAN = 200;

export function complete(a: Analysis, offset: number): Completions {
  const text = a.text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const word = WORD.exec(before)![0];
  const from = offset - word.length;
  const none: Completions = { from, to: offset, items: [] };
  // In a comment, a string or a number there is nothing to offer.
  if (inCommentOrString(before) || /^\d/.test(word)) return none;
  const head = before.slice(0, before.length - word.length);
  const ctx = new Context(a, offset, from, lineStart, head);
  const items = ctx.items(word);
  return { from, to: offset, items: dedupe(items) };
}

class Context {
  readonly prev: IToken | undefined;
  readonly declaration: string;
  readonly clause: string;

  constructor(
    private readonly a: Analysis,
    private readonly offset: number,
    private readonly from: number,
    private readonly lineStart: number,
    private readonly head: string,
  ) {
    this.prev = tokenBefore(a.tokens.tokens, from);
    const { declaration, clause } = this.statement();
    this.declaration = declaration;
    this.clause = clause;
  }

  // The declaring keyword of the declaration the cursor is in, and the clause keyword of its line
  // (or of the line a continued expression started on).
  statement(): { declaration: string; clause: string } {
    const lines = this.a.lines;
    const current = lines.position(this.offset).line;
    let clause = '';
    for (let line = current; line >= 0; line--) {
      // On the cursor's line, only what precedes the word being typed counts.
      const t = line === current ? this.head : lines.lineText(line);
      const first = /^\s*([^\s#]+)/.exec(t)?.[1] ?? '';
      if (!clause && (LINE_STARTS.has(first) || first === '=')) clause = first;
      if (/^[^\s#]/.test(t)) return { declaration: first, clause: clause || first };
    }
    return { declaration: '', clause };
  }

  items(word: string): CompletionItem[] {
    const prev = this.prev;
    const p = prev?.tokenType.name ?? '';
    const atLineStart = this.head.trim() === '';
    if (atLineStart && this.head === '')
      return this.keywords(
        DECLARATION_KEYWORDS.concat(this.a.index.declarations.some((d) => d.kind === 'product') ? [] : ['product']),
      );
    if (atLineStart && !CONTINUES.has(p)) return this.keywords(CLAUSES[this.declaration] ?? []);
    if (word.includes('.')) return this.paths(word.slice(0, word.lastIndexOf('.') + 1));
    // Clauses of text, dates and sections: nothing to complete (but the header's currency).
    if (TEXT_CLAUSES.has(this.clause) && !CONTINUES.has(p)) {
      return this.clause === 'currency' ? this.words(CURRENCIES, 'unit') : [];
    }
    if (p === 'Colon' || p === 'Kw_of') return this.words(TYPE_NAMES, 'type');
    if (prev?.image === 'money') return this.words(CURRENCIES, 'unit');
    if (prev?.image === 'duration') return this.words(DURATION_UNITS.slice(0, 3), 'unit');
    if (p === 'NumberLit') return this.words(DURATION_UNITS, 'unit');
    if (p === 'Kw_hit') return this.words(HIT_POLICIES, 'mode');
    if (p === 'Kw_round' && this.clause === 'round') return this.words(ROUNDING_MODES, 'mode');
    if (p === 'Kw_each') return this.words(['item'], 'loop');
    if (p === 'Kw_in' && /\beach\s+\S+\s+in\s*$/.test(this.head)) return this.names((s) => isList(this.a, s));
    if (p === 'Kw_by' && this.clause === 'chosen')
      return this.names((s) => s.kind === 'fact' && this.typeOf(s.name) === 'date');
    const call = this.openCall();
    if (call?.fn === 'round' && call.commas === 1) return this.words(ROUNDING_MODES, 'mode');
    if ((this.clause === 'row' || this.clause === 'else') && this.declaration === 'table') return this.cell();
    const subject = this.comparisonSubject();
    const values = subject ? this.enumValues(subject) : [];
    return [...values, ...this.expression()];
  }

  // ---- what is offered
  keywords(words: readonly string[]): CompletionItem[] {
    return words.map((w, i) => ({ label: w, kind: 'keyword', sortText: `0${String(i).padStart(3, '0')}` }));
  }

  words(words: readonly string[], kind: CompletionKind): CompletionItem[] {
    return words.map((w, i) => ({ label: w, kind, sortText: `0${String(i).padStart(3, '0')}` }));
  }

  names(keep: (s: YkSymbol) => boolean = () => true): CompletionItem[] {
    const out: CompletionItem[] = [];
    for (const s of this.a.index.symbols.values()) {
      if (!['fact', 'formula', 'define', 'output', 'amount'].includes(s.kind) || !keep(s)) continue;
      const type = this.typeOf(s.name);
      const detail = [type, s.label].filter(Boolean).join(' — ');
      out.push({
        label: s.name,
        kind: s.kind as CompletionKind,
        sortText: `1${s.name}`,
        ...(detail ? { detail } : {}),
      });
    }
    // sum(claim.items.amount): a list's field as a list.
    for (const s of this.a.index.symbols.values()) {
      if (s.kind === 'field' && keep(s))
        out.push({ label: s.name, kind: 'field', sortText: `2${s.name}`, ...(s.label ? { detail: s.label } : {}) });
    }
    return out;
  }

  expression(): CompletionItem[] {
    const loop = this.loop();
    const items: CompletionItem[] = [];
    if (loop) {
      items.push({ label: loop.variable, kind: 'loop', sortText: '0', detail: `each element of ${loop.list}` });
      for (const f of this.fieldsOf(loop.list)) {
        items.push({
          label: `${loop.variable}.${f.name.slice(loop.list.length + 1)}`,
          kind: 'field',
          sortText: `0${f.name}`,
          ...(f.label ? { detail: f.label } : {}),
        });
      }
    }
    items.push(...this.names());
    for (const [name, def] of Object.entries(OPERATORS)) {
      if (name === def.name && /^[a-z_]+$/.test(name) && !OPERATOR_WORDS.has(name))
        items.push({ label: name, kind: 'function', sortText: `3${name}` });
    }
    items.push(...EXPRESSION_KEYWORDS.map((k): CompletionItem => ({ label: k, kind: 'keyword', sortText: `4${k}` })));
    return items;
  }

  // After `a.b.`: every name that continues the path, the loop variable's fields included.
  paths(base: string): CompletionItem[] {
    const loop = this.loop();
    const all =
      loop && base.startsWith(`${loop.variable}.`)
        ? this.fieldsOf(loop.list).map(
            (f): CompletionItem => ({
              label: `${loop.variable}.${f.name.slice(loop.list.length + 1)}`,
              kind: 'field',
              sortText: `0${f.name}`,
              ...(f.label ? { detail: f.label } : {}),
            }),
          )
        : this.names();
    return all.filter((i) => i.label.startsWith(base));
  }

  enumValues(owner: string): CompletionItem[] {
    const values = this.a.index.enums.get(owner);
    return [...(values?.values() ?? [])].map((v, i) => ({
      label: v.name,
      kind: 'enum',
      detail: v.label ? `${v.label} — value of ${owner}` : `value of ${owner}`,
      sortText: `0${String(i).padStart(3, '0')}`,
    }));
  }

  // A table row: the enum values of the column the cursor is in.
  cell(): CompletionItem[] {
    const name = /^\S+\s+(\S+)/.exec(this.a.lines.lineText(this.declarationLine()))?.[1] ?? '';
    const cols = this.a.index.columns.get(name);
    const rowText = this.head.replace(/^\s*(row|else)\b/, '');
    const arrow = rowText.indexOf('=>');
    const pipes = (s: string) => s.split('|').length - 1;
    const items: CompletionItem[] = [];
    if (arrow < 0) {
      for (const owner of cols?.inputs[pipes(rowText)] ?? []) items.push(...this.enumValues(owner));
      items.push(...this.words(CELL_WORDS, 'keyword').map((i) => ({ ...i, sortText: `5${i.label}` })));
    } else {
      const out = cols?.outputs[pipes(rowText.slice(arrow + 2))];
      if (out) items.push(...this.enumValues(out));
    }
    return items;
  }

  // ---- reading the text before the cursor
  declarationLine(): number {
    for (let line = this.a.lines.position(this.offset).line; line >= 0; line--) {
      if (/^[^\s#]/.test(this.a.lines.lineText(line))) return line;
    }
    return 0;
  }

  loop(): { variable: string; list: string } | undefined {
    const start = this.a.lines.starts[this.declarationLine()]!;
    const m = /\bfor\s+each\s+(\S+)\s+in\s+(\S+)/.exec(this.a.text.slice(start, this.offset));
    return m ? { variable: m[1]!, list: m[2]! } : undefined;
  }

  fieldsOf(list: string): YkSymbol[] {
    return [...this.a.index.symbols.values()].filter((s) => s.kind === 'field' && s.owner === list);
  }

  typeOf(name: string): string {
    const t = this.a.checked.types.names.get(name);
    return t ? typeText(t) : '';
  }

  // The enum a comparison is about: `x = |`, `x in (a, |`.
  comparisonSubject(): string | undefined {
    const toks = this.a.tokens.tokens;
    let i = indexBefore(toks, this.from);
    if (i < 0) return undefined;
    if (!COMPARISON.has(toks[i]!.tokenType.name)) {
      let depth = 0;
      for (const stop = i - SCAN; i >= 0 && i > stop; i--) {
        const n = toks[i]!.tokenType.name;
        if (n === 'RParen') depth++;
        else if (n === 'LParen' && depth-- === 0) break;
        else if (depth === 0 && n !== 'Comma' && n !== 'Identifier' && !n.startsWith('Kw_')) return undefined;
      }
      if (i < 1 || toks[i - 1]!.tokenType.name !== 'Kw_in') return undefined;
      i--;
      if (toks[i - 1]?.tokenType.name === 'Kw_not') i--;
    }
    const path: string[] = [];
    for (let j = i - 1; j >= 0; j -= 2) {
      path.unshift(toks[j]!.image);
      if (toks[j - 1]?.tokenType.name !== 'Dot') break;
    }
    const loop = this.loop();
    const name = path.join('.');
    return loop && path[0] === loop.variable ? `${loop.list}${name.slice(loop.variable.length)}` : name;
  }

  // The function call the cursor is inside, and how many arguments precede it.
  openCall(): { fn: string; commas: number } | undefined {
    const toks = this.a.tokens.tokens;
    let depth = 0;
    let commas = 0;
    const start = indexBefore(toks, this.from);
    for (let i = start; i >= 0 && i > start - SCAN; i--) {
      const n = toks[i]!.tokenType.name;
      if (n === 'RParen') depth++;
      else if (n === 'LParen') {
        if (depth-- === 0) return i > 0 ? { fn: toks[i - 1]!.image, commas } : undefined;
      } else if (n === 'Comma' && depth === 0) commas++;
      else if (toks[i]!.startOffset < this.lineStart && /^Kw_(when|unless|require|given)$/.test(n)) return undefined;
    }
    return undefined;
  }
}

// The first words of the lines that open a clause or a declaration.
const LINE_STARTS = new Set<string>([
  ...CLAUSE_WORDS.map((c) => c.split(' ')[0]!),
  ...DECLARATION_WORDS,
  'default',
  'used',
  'shared',
]);

function isList(a: Analysis, s: YkSymbol): boolean {
  return s.kind === 'fact' && a.checked.types.names.get(s.name)?.kind === 'list';
}

function inCommentOrString(before: string): boolean {
  let inString = false;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) return true;
  }
  return inString;
}

// The index of the last token that ends at or before an offset (-1 when none does).
function indexBefore(toks: IToken[], offset: number): number {
  return tokenIndexAt(toks, offset) - 1;
}

function tokenBefore(toks: IToken[], offset: number): IToken | undefined {
  const i = indexBefore(toks, offset);
  return i >= 0 ? toks[i] : undefined;
}

function dedupe(items: CompletionItem[]): CompletionItem[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.label) && seen.add(i.label));
}
