// One diagnostic type for every stage. User mistakes become diagnostics; an exception is a bug.

export interface Position {
  line: number;
  column: number;
  offset: number;
}

// A span in a DSL file, or a JSON pointer into a JSON product file.
export interface Span {
  file: string;
  start: Position;
  end: Position;
  pointer?: string;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  span?: Span;
  hint?: string;
}

export function spanAt(file: string, line: number, column: number, offset: number, length: number): Span {
  return {
    file,
    start: { line, column, offset },
    end: { line, column: column + Math.max(length, 1), offset: offset + length },
  };
}

export function pointerSpan(file: string, pointer: string): Span {
  const zero = { line: 0, column: 0, offset: 0 };
  return { file, start: zero, end: zero, pointer };
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const fa = a.span?.file ?? '';
    const fb = b.span?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const oa = a.span?.start.offset ?? -1;
    const ob = b.span?.start.offset ?? -1;
    if (oa !== ob) return oa - ob;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}

export function hasErrors(ds: Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

// Rendered like a compiler: header, location, the source line, a caret under the span, the hint.
export function renderDiagnostic(d: Diagnostic, sources: Map<string, string>): string {
  const out: string[] = [`${d.severity}[${d.code}]: ${d.message}`];
  const s = d.span;
  if (s && s.pointer !== undefined) {
    out.push(`  --> ${s.file}#${s.pointer}`);
  } else if (s) {
    out.push(`  --> ${s.file}:${s.start.line}:${s.start.column}`);
    const text = sources.get(s.file);
    const line = text?.split('\n')[s.start.line - 1];
    if (line !== undefined) {
      const num = String(s.start.line);
      const pad = ' '.repeat(num.length);
      const width =
        s.end.line === s.start.line
          ? Math.max(1, s.end.column - s.start.column)
          : Math.max(1, line.length - s.start.column + 1);
      const lead = [...line.slice(0, s.start.column - 1)]
        .map((c) => (c === '\t' ? '\t' : isWide(c) ? '  ' : ' '))
        .join('');
      const marked = [...line.slice(s.start.column - 1, s.start.column - 1 + width)]
        .map((c) => (isWide(c) ? '^^' : '^'))
        .join('');
      out.push(`${pad} |`);
      out.push(`${num} | ${line.replace(/\r$/, '')}`);
      out.push(`${pad} | ${lead}${marked || '^'}`);
    }
  }
  if (d.hint) out.push(`  = hint: ${d.hint}`);
  return out.join('\n');
}

// East Asian wide characters take two terminal columns; carets must line up under them.
function isWide(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6)
  );
}

export function renderDiagnostics(ds: Diagnostic[], sources: Map<string, string>): string {
  const sorted = sortDiagnostics(ds);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  const body = sorted.map((d) => renderDiagnostic(d, sources)).join('\n\n');
  const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return body ? `${body}\n\n${summary}` : summary;
}

// Did-you-mean: the closest candidate by edit distance, if it is close enough to be a likely typo.
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
