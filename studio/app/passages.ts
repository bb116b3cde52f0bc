// The pamphlet beside the rules: which passages of a seed the open file cites, and which
// declaration cites each one. Citations are read off the editor's own analysis (every citation
// of the model carries its span), so the pane follows the text as it is typed, before any save.
import type { Analysis } from '../../language/index.js';

// A declaration (or a table row) that cites: what the pane lists under "cited by".
export interface Owner {
  key: string;
  kind: string;
  name: string;
  label?: string;
  row?: number;
  from: number;
  to: number;
}

export interface Cite {
  source: string;
  section: string;
  quote: string;
  owner: Owner;
}

export interface Passage {
  id: number;
  source: string;
  section: string;
  quote: string;
  // Offsets in the seed text.
  from: number;
  to: number;
  citers: Owner[];
}

interface CitationLike {
  source: string;
  section: string;
  quote: string;
}

function isCitation(x: unknown): x is CitationLike {
  const c = x as CitationLike;
  return typeof c.source === 'string' && typeof c.section === 'string' && typeof c.quote === 'string';
}

// Declarations and table rows, innermost first when one holds the other.
function owners(a: Analysis): Owner[] {
  const out: Owner[] = [];
  for (const r of a.index.rows) {
    out.push({
      key: `${r.table.name}#${r.index}`,
      kind: 'row',
      name: r.table.name,
      row: r.index,
      from: r.from,
      to: r.to,
      ...(r.table.label ? { label: r.table.label } : {}),
    });
  }
  for (const d of a.index.declarations) {
    if (!d.extent) continue;
    out.push({
      key: `${d.kind}:${d.name}`,
      kind: d.keyword ?? d.kind,
      name: d.name,
      from: d.extent.from,
      to: d.extent.to,
      ...(d.label ? { label: d.label } : {}),
    });
  }
  return out;
}

export function ownerAt(list: Owner[], offset: number): Owner | undefined {
  let best: Owner | undefined;
  for (const o of list) {
    if (offset >= o.from && offset <= o.to && (!best || o.to - o.from < best.to - best.from)) best = o;
  }
  return best;
}

export interface Citations {
  owners: Owner[];
  cites: Cite[];
  // The seed the product names (`source "..."`).
  source: string;
}

export function citationsOf(a: Analysis): Citations {
  const list = owners(a);
  const cites: Cite[] = [];
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    if (isCitation(x)) {
      const span = a.model.spans.get(x);
      const owner = span ? ownerAt(list, span.start.offset) : undefined;
      if (owner) cites.push({ source: x.source, section: x.section, quote: x.quote, owner });
      return;
    }
    for (const v of Object.values(x)) walk(v);
  };
  walk(a.model.product);
  return { owners: list, cites, source: a.model.product.source };
}

// The passages of one seed that the citations quote (the first occurrence, as the checker finds
// it), each with every declaration that cites it.
export function passagesIn(text: string, source: string, cites: Cite[]): Passage[] {
  const byQuote = new Map<string, Passage>();
  for (const c of cites) {
    if (c.source !== source || c.quote === '') continue;
    let p = byQuote.get(c.quote);
    if (!p) {
      const from = text.indexOf(c.quote);
      if (from < 0) continue;
      p = { id: 0, source, section: c.section, quote: c.quote, from, to: from + c.quote.length, citers: [] };
      byQuote.set(c.quote, p);
    }
    if (!p.citers.some((o) => o.key === c.owner.key)) p.citers.push(c.owner);
  }
  const out = [...byQuote.values()].sort((x, y) => x.from - y.from || y.to - x.to);
  out.forEach((p, i) => (p.id = i));
  return out;
}

export interface Segment {
  text: string;
  ids: number[];
}

export interface Line {
  n: number;
  from: number;
  segments: Segment[];
  cited: boolean;
  blank: boolean;
}

// The seed cut into lines, and each line into runs covered by the same passages.
export function layout(text: string, passages: Passage[]): Line[] {
  const starts = new Map<number, number[]>();
  const ends = new Map<number, number[]>();
  for (const p of passages) {
    (starts.get(p.from) ?? starts.set(p.from, []).get(p.from)!).push(p.id);
    (ends.get(p.to) ?? ends.set(p.to, []).get(p.to)!).push(p.id);
  }
  const points = [...new Set([...starts.keys(), ...ends.keys()])].sort((a, b) => a - b);
  let k = 0;
  const active = new Set<number>();
  const lines: Line[] = [];
  let from = 0;
  for (let n = 0; ; n++) {
    const nl = text.indexOf('\n', from);
    const end = nl < 0 ? text.length : nl;
    while (k < points.length && points[k]! < from) k++;
    const cuts = [from];
    for (; k < points.length && points[k]! <= end; k++) if (points[k]! > from) cuts.push(points[k]!);
    if (cuts[cuts.length - 1] !== end) cuts.push(end);
    const segments: Segment[] = [];
    for (let i = 0; i < cuts.length; i++) {
      const at = cuts[i]!;
      for (const id of ends.get(at) ?? []) active.delete(id);
      for (const id of starts.get(at) ?? []) active.add(id);
      const next = cuts[i + 1];
      if (next !== undefined && next > at) segments.push({ text: text.slice(at, next), ids: [...active] });
    }
    const line = text.slice(from, end);
    lines.push({ n, from, segments, cited: segments.some((s) => s.ids.length > 0), blank: line.trim() === '' });
    if (nl < 0) break;
    from = nl + 1;
  }
  return lines;
}
