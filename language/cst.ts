// Reading chevrotain's concrete syntax tree (dsl/parser.ts). A CST node keeps its children by
// label, not in source order; these helpers read them, and skip what error recovery inserted
// (tokens without a position), so every range they return is real text.
import type { CstElement, CstNode, IToken } from 'chevrotain';

export interface TextRange {
  from: number;
  to: number;
}

export function isToken(e: CstElement | undefined): e is IToken {
  return e !== undefined && (e as IToken).image !== undefined;
}

export function childNodes(n: CstNode, key: string): CstNode[] {
  return ((n.children[key] ?? []) as CstElement[]).filter((e): e is CstNode => !isToken(e));
}

export function childNode(n: CstNode, key: string, i = 0): CstNode | undefined {
  return childNodes(n, key)[i];
}

export function childTokens(n: CstNode, key: string): IToken[] {
  return ((n.children[key] ?? []) as CstElement[]).filter((e): e is IToken => isToken(e) && isReal(e));
}

export function childToken(n: CstNode, key: string, i = 0): IToken | undefined {
  return childTokens(n, key)[i];
}

// Every real token under a node, in source order.
export function tokensUnder(n: CstNode): IToken[] {
  const out: IToken[] = [];
  const walk = (m: CstNode): void => {
    for (const list of Object.values(m.children)) {
      for (const e of list as CstElement[]) {
        if (isToken(e)) {
          if (isReal(e)) out.push(e);
        } else walk(e);
      }
    }
  };
  walk(n);
  return out.sort((a, b) => a.startOffset - b.startOffset);
}

export function isReal(t: IToken): boolean {
  return !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

export function tokenRange(t: IToken): TextRange {
  return { from: t.startOffset, to: t.startOffset + t.image.length };
}

export function tokensRange(ts: IToken[]): TextRange | undefined {
  if (ts.length === 0) return undefined;
  return { from: ts[0]!.startOffset, to: ts[ts.length - 1]!.startOffset + ts[ts.length - 1]!.image.length };
}

// A node's extent; a node rebuilt by error recovery has no location, so its tokens stand in.
export function nodeRange(n: CstNode): TextRange | undefined {
  const l = n.location;
  if (l && Number.isFinite(l.startOffset) && l.endOffset !== undefined && Number.isFinite(l.endOffset)) {
    return { from: l.startOffset, to: l.endOffset + 1 };
  }
  return tokensRange(tokensUnder(n));
}

export function within(r: TextRange, offset: number): boolean {
  return offset >= r.from && offset <= r.to;
}

// The index of the first token that ends after an offset (tokens.length when none does).
export function tokenIndexAt(toks: IToken[], offset: number): number {
  let lo = 0;
  let hi = toks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid]!.startOffset + toks[mid]!.image.length <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
