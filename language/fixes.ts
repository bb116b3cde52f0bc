// Diagnostics for the editor, with the quick fixes their hints name. A hint that says "did you
// mean X?" (an unknown name, field, function, enum value, seed file or duration unit) becomes an
// edit replacing the word it is about with X; "write a - b with spaces" becomes that edit.
import { type Diagnostic, type Severity, editDistance } from '../dsl/diagnostics.js';
import type { Analysis } from './analysis.js';
import { type TextRange, tokenIndexAt } from './cst.js';
import type { TextEdit } from './navigation.js';

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface LanguageDiagnostic extends TextRange {
  severity: Severity;
  code: string;
  message: string;
  hint?: string;
  // 1-based, as `yakkan check` prints them.
  line: number;
  column: number;
  fixes: Fix[];
}

export function editorDiagnostics(a: Analysis): LanguageDiagnostic[] {
  return a.diagnostics.map((d) => {
    const from = clamp(d.span?.start.offset ?? 0, a.text.length);
    const to = Math.max(from, clamp(d.span?.end.offset ?? from, a.text.length));
    const pos = a.lines.position(from);
    return {
      from,
      to,
      severity: d.severity,
      code: d.code,
      message: d.message,
      line: pos.line + 1,
      column: pos.character + 1,
      fixes: fixesFor(a, d, { from, to }),
      ...(d.hint ? { hint: d.hint } : {}),
    };
  });
}

const clamp = (n: number, max: number) => Math.max(0, Math.min(n, max));

export function fixesFor(a: Analysis, d: Diagnostic, at: TextRange): Fix[] {
  const hint = d.hint ?? '';
  const minus = /write (\S+) - (\S+) with spaces/.exec(hint);
  if (minus) {
    const joined = `${minus[1]}-${minus[2]}`;
    const i = a.text.slice(at.from, at.to).indexOf(joined);
    if (i >= 0) {
      const from = at.from + i;
      return [
        {
          title: `Write ${minus[1]} - ${minus[2]}`,
          edits: [{ from, to: from + joined.length, insert: `${minus[1]} - ${minus[2]}` }],
        },
      ];
    }
  }
  const guess = /did you mean ([^?]+)\?/.exec(hint)?.[1];
  // "did you mean a, b, c?" lists the choices when none is close: nothing to pick for the user.
  if (!guess || guess.includes(', ')) return [];
  let best: (TextRange & { distance: number }) | undefined;
  for (const c of candidates(a, at)) {
    const text = a.text.slice(c.from, c.to);
    if (text === guess) continue;
    const distance = editDistance(text, guess);
    if (!best || distance < best.distance) best = { ...c, distance };
  }
  if (!best || best.distance > Math.max(2, Math.ceil(guess.length / 2))) return [];
  return [{ title: `Change to ${guess}`, edits: [{ from: best.from, to: best.to, insert: guess }] }];
}

// What a "did you mean" may be about: each name (a dotted path, or any part of it) under the
// diagnostic, the inside of each string, and a number with the word after it (`45 dyas`).
function candidates(a: Analysis, at: TextRange): TextRange[] {
  const toks = a.tokens.tokens;
  const out: TextRange[] = [];
  let i = tokenIndexAt(toks, at.from);
  for (; i < toks.length && toks[i]!.startOffset < Math.max(at.to, at.from + 1); i++) {
    const t = toks[i]!;
    const end = t.startOffset + t.image.length;
    if (t.tokenType.name === 'StringLit') out.push({ from: t.startOffset + 1, to: end - 1 });
    else if (t.tokenType.name !== 'Dot') {
      out.push({ from: t.startOffset, to: end });
      // The path this word starts: a.b.c
      let j = i;
      while (toks[j + 2] && toks[j + 1]!.tokenType.name === 'Dot') j += 2;
      if (j > i) out.push({ from: t.startOffset, to: toks[j]!.startOffset + toks[j]!.image.length });
      const prev = toks[i - 1];
      if (prev && prev.tokenType.name === 'NumberLit') out.push({ from: prev.startOffset, to: end });
    }
  }
  return out;
}
