// The incremental parse (language/incremental.ts) against its reference, the whole file parsed by
// dsl/parser.ts: the same model, the same spans and the same diagnostics, on every product file
// (parsed cold, then again after edits elsewhere), and after each of a seeded run of random
// keystrokes on cyber, errors included.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Analysis, analyse } from '../language/analysis.js';
import { IncrementalParser } from '../language/incremental.js';
import { productFiles } from '../engine/loading/load.js';
import { ROOT, productDirs } from './helpers.js';

// Everything the analysis hands on, as text: the model, where each declaration and citation is,
// and the diagnostics with their positions.
function fingerprint(a: Analysis): string {
  const p = a.model.product;
  const span = (o: object) => {
    const s = a.model.spans.get(o);
    return s
      ? `${s.start.line}:${s.start.column}:${s.start.offset}-${s.end.line}:${s.end.column}:${s.end.offset}`
      : '-';
  };
  const located = [...p.facts, ...p.formulas, ...p.tables, ...p.rules, ...p.amounts, ...p.derived].map(span);
  const cites = [...p.rules, ...p.formulas, ...p.tables, ...p.amounts].flatMap((x) => x.cite.map(span));
  const rows = p.tables.flatMap((t) => t.rows.map(span));
  const diagnostics = a.diagnostics.map(
    (d) => `${d.code} ${d.span ? `${d.span.start.offset}-${d.span.end.offset}` : ''} ${d.message}`,
  );
  return JSON.stringify({ product: p, located, cites, rows, diagnostics });
}

// A tiny seeded generator (mulberry32), so a failure can be replayed.
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('incremental parse = whole-file parse', () => {
  const files = productDirs().flatMap((d) => productFiles(d).filter((f) => f.endsWith('.yk')));
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s, cold and after edits elsewhere', (_n, file) => {
    const text = readFileSync(file, 'utf8');
    const parser = new IncrementalParser();
    expect(fingerprint(analyse(file, text, undefined, parser))).toBe(fingerprint(analyse(file, text, undefined)));
    // A line added near the top moves every later declaration: each must land where it now is.
    const at = text.indexOf('\nfact ') + 1;
    const moved = `${text.slice(0, at)}fact zz.added: boolean "added"\n\n${text.slice(at)}`;
    expect(fingerprint(analyse(file, moved, undefined, parser))).toBe(fingerprint(analyse(file, moved, undefined)));
    expect(parser.last.parsed).toBeLessThanOrEqual(2);
    expect(fingerprint(analyse(file, text, undefined, parser))).toBe(fingerprint(analyse(file, text, undefined)));
  });

  it('after each of 40 random keystrokes on cyber', () => {
    const next = random(15);
    const original = readFileSync(join(ROOT, 'products', 'cyber', 'product.yk'), 'utf8');
    let text = original;
    const parser = new IncrementalParser();
    const inserts = [
      'a',
      ' ',
      '\n',
      'fact x: boolean\n',
      '(',
      '"',
      '=',
      'and ',
      '#',
      '\nexclude e "x"\n  when a\n',
      '1',
    ];
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
    let whole = 0;
    for (let k = 0; k < 40; k++) {
      const r = next();
      const at = Math.floor(next() * text.length);
      if (r < 0.35) {
        // Typing inside a label or a note: the file stays clean.
        const quote = text.indexOf('"', at);
        if (quote > 0) text = `${text.slice(0, quote + 1)}${pick(['新', 'a', ' '])}${text.slice(quote + 1)}`;
      } else if (r < 0.6) text = text.slice(0, at) + pick(inserts) + text.slice(at);
      else if (r < 0.85) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
      // Now and then back to the clean file, as an undo would.
      else text = original;
      const incremental = analyse('cyber.yk', text, undefined, parser);
      if (parser.last.whole) whole++;
      expect(fingerprint(incremental), `keystroke ${k}`).toBe(fingerprint(analyse('cyber.yk', text, undefined)));
    }
    // Both paths ran: clean files in pieces, files with errors whole.
    expect(whole).toBeGreaterThan(0);
    expect(whole).toBeLessThan(40);
  });
});
