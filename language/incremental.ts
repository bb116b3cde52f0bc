// Parsing an edited file again, declaration by declaration. A keystroke changes one declaration;
// the others parse to the same CST as before, only at shifted positions. So the file is cut
// where a line starts with a declaring keyword, each piece is parsed once (by the real parser,
// as a file of its own behind a stand-in header) and kept by its text, and a later parse reuses
// every piece whose text is unchanged, moving its tokens and nodes to where the piece now is.
//
// The reference is dsl/parser.ts parse() on the whole file: a file whose pieces do not all parse
// cleanly, or that has no header, is parsed that way, so every error is reported exactly as
// `yakkan check` reports it. For a file that parses cleanly, the pieces' CSTs joined are the
// file's CST: a declaration ends where a line starts with a declaring keyword, because those
// keywords cannot continue an expression, a clause or a type (dsl/keywords.ts STRUCTURAL_WORDS).
// test/language-incremental.test.ts holds the two equal on every product file and on seeded
// random edits of cyber.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Diagnostic } from '../dsl/diagnostics.js';
import { DECLARATION_WORDS } from '../dsl/keywords.js';
import { parse } from '../dsl/parser.js';
import { type Tokens, tokenize } from '../dsl/tokens.js';
import { isToken } from './cst.js';

// A line that starts a declaration (the header, `product`, is the first piece's).
const DECLARATION_LINE = new RegExp(`^(?:${DECLARATION_WORDS.filter((w) => w !== 'product').join('|')})[ \\t]`, 'gm');
// Declarations are parsed as files of their own, behind this header (whole lines, so columns stay).
const STAND_IN = 'product x\n';

interface Piece {
  cst: CstNode;
  // Every token and located node of the piece, and where the piece's text starts now.
  tokens: IToken[];
  nodes: CstNode[];
  offset: number;
  line: number;
}

export class IncrementalParser {
  // Pieces by kind and text ('H' the header piece, 'D' a declaration); a text may occur more
  // than once in a file (a declaration written twice), hence a list.
  private pieces = new Map<string, Piece[]>();
  // How the last parse went: pieces reused, pieces parsed, or the whole file parsed.
  last = { reused: 0, parsed: 0, whole: false };

  // The CST of the file, as parse(tokens()) gives it, with the diagnostics it gives; the file's
  // tokens are asked for only when the file is parsed whole.
  parse(text: string, file: string, tokens: () => Tokens, diagnostics: Diagnostic[]): CstNode {
    const starts = [0, ...[...text.matchAll(DECLARATION_LINE)].map((m) => m.index!).filter((i) => i > 0)];
    const previous = this.pieces;
    const used = new Map<string, Piece[]>();
    this.last = { reused: 0, parsed: 0, whole: false };
    const header: CstElement[] = [];
    const declarations: CstElement[] = [];
    let line = 1;
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i]!;
      const piece = text.slice(from, starts[i + 1] ?? text.length);
      const key = (i === 0 ? 'H' : 'D') + piece;
      let p = previous.get(key)?.pop();
      if (p) this.last.reused++;
      else p = this.parsePiece(piece, file, i === 0);
      const cst = p?.cst.children;
      const ok =
        p && (i === 0 ? cst!['header']?.length === 1 && !cst!['declaration'] : cst!['declaration']?.length === 1);
      if (!ok) {
        // Keep every piece for the next parse: the error is usually fixed by the next keystroke.
        for (const [k, ps] of used) previous.set(k, [...(previous.get(k) ?? []), ...ps]);
        this.pieces = previous;
        this.last.whole = true;
        return parse(tokens(), diagnostics);
      }
      move(p!, from, line);
      used.set(key, [...(used.get(key) ?? []), p!]);
      (i === 0 ? header : declarations).push(...(i === 0 ? cst!['header']! : cst!['declaration']!));
      line += countLines(piece);
    }
    this.pieces = used;
    return { name: 'file', children: { header, declaration: declarations } };
  }

  // A piece on its own: the header piece as it is, a declaration behind the stand-in header.
  // Undefined when it has an error: the whole file is then parsed as one.
  private parsePiece(text: string, file: string, first: boolean): Piece | undefined {
    this.last.parsed++;
    const diagnostics: Diagnostic[] = [];
    const cst = parse(tokenize(first ? text : STAND_IN + text, file, diagnostics), diagnostics);
    if (diagnostics.length) return undefined;
    const piece: Piece = { cst, tokens: [], nodes: [], offset: 0, line: 1 };
    collect(cst, piece);
    if (!first) move(piece, 0, 1, STAND_IN.length, countLines(STAND_IN));
    return piece;
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function collect(n: CstNode, piece: Piece): void {
  if (n.location) piece.nodes.push(n);
  for (const key in n.children) {
    for (const e of n.children[key]!) {
      if (isToken(e)) piece.tokens.push(e);
      else collect(e, piece);
    }
  }
}

// Move a piece so that its text starts at `offset`, on `line` (from where it is, or from a
// stand-in prefix of `prefixLength` characters and `prefixLines` lines that is dropped).
function move(p: Piece, offset: number, line: number, prefixLength = 0, prefixLines = 0): void {
  const dOffset = offset - p.offset - prefixLength;
  const dLine = line - p.line - prefixLines;
  p.offset = offset;
  p.line = line;
  if (dOffset === 0 && dLine === 0) return;
  for (const t of p.tokens) {
    t.startOffset += dOffset;
    if (t.endOffset !== undefined) t.endOffset += dOffset;
    if (t.startLine !== undefined) t.startLine += dLine;
    if (t.endLine !== undefined) t.endLine += dLine;
  }
  for (const n of p.nodes) {
    const l = n.location!;
    l.startOffset += dOffset;
    if (l.endOffset !== undefined) l.endOffset += dOffset;
    if (l.startLine !== undefined) l.startLine += dLine;
    if (l.endLine !== undefined) l.endLine += dLine;
  }
}
