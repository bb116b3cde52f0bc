// One analysis of one product file: the real front end and checker, run on the editor's text,
// and the symbol index over the result. Everything the service answers is read off this.
import type { CstNode } from 'chevrotain';
import { tokenize, type Tokens } from '../dsl/tokens.js';
import { parse } from '../dsl/parser.js';
import { buildModel, type Model } from '../dsl/model.js';
import { type Diagnostic, sortDiagnostics } from '../dsl/diagnostics.js';
import { check, type Checked } from '../engine/pipeline/check.js';
import type { SourceFolder } from './host.js';
import type { IncrementalParser } from './incremental.js';
import { buildIndex, type SymbolIndex } from './symbols.js';

export interface Analysis {
  uri: string;
  text: string;
  readonly tokens: Tokens;
  cst: CstNode;
  model: Model;
  checked: Checked;
  // As the checker gives them, sorted by position.
  diagnostics: Diagnostic[];
  readonly index: SymbolIndex;
  lines: LineIndex;
  // Milliseconds per stage, for the bench (0 for a stage not run: the index until it is first
  // used, the whole file's tokens when the parse went in pieces and nothing has read them).
  timings: Record<'tokenize' | 'parse' | 'model' | 'check' | 'index', number>;
}

// With an IncrementalParser (one per document), declarations unchanged since its last parse are
// not parsed again (language/incremental.ts); without one, the file is parsed whole.
export function analyse(
  uri: string,
  text: string,
  seeds: SourceFolder | undefined,
  parser?: IncrementalParser,
): Analysis {
  const diagnostics: Diagnostic[] = [];
  const timings = { tokenize: 0, parse: 0, model: 0, check: 0, index: 0 };
  // The whole file's tokens: the whole-file parse needs them first; a parse in pieces tokenizes
  // each piece it parses, and the file's list is made only when a feature reads it.
  let tokens: Tokens | undefined;
  const lex = (into: Diagnostic[]): Tokens => {
    if (!tokens) {
      const t = performance.now();
      tokens = tokenize(text, uri, into);
      timings.tokenize = performance.now() - t;
    }
    return tokens;
  };
  const t1 = performance.now();
  const cst = parser
    ? parser.parse(text, uri, () => lex(diagnostics), diagnostics)
    : parse(lex(diagnostics), diagnostics);
  const t2 = performance.now();
  const model = buildModel(cst, uri, text, diagnostics);
  const t3 = performance.now();
  const checked = check(model, seeds);
  const t4 = performance.now();
  Object.assign(timings, { parse: t2 - t1 - timings.tokenize, model: t3 - t2, check: t4 - t3 });
  let index: SymbolIndex | undefined;
  return {
    uri,
    text,
    cst,
    model,
    checked,
    lines: new LineIndex(text),
    timings,
    diagnostics: sortDiagnostics([...diagnostics, ...checked.diagnostics]),
    // A file that parsed in pieces has no lexing errors: none can be left to report here.
    get tokens(): Tokens {
      return lex([]);
    },
    // Built on first use: diagnostics, the answer to every keystroke, do not need it.
    get index(): SymbolIndex {
      if (!index) {
        const t = performance.now();
        index = buildIndex(cst, text);
        timings.index = performance.now() - t;
      }
      return index;
    },
  };
}

// Offsets <-> 0-based line and UTF-16 character, as LSP counts them (and chevrotain's offsets).
export class LineIndex {
  readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo]! };
  }
  offset(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, line)]!;
    const end = line + 1 < this.starts.length ? this.starts[line + 1]! - 1 : this.text.length;
    return Math.min(start + Math.max(0, character), end);
  }
  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const end = line + 1 < this.starts.length ? this.starts[line + 1]! - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}
