// The document outline: the header, then every declaration with its label; a table's outputs
// and rows, an amount's steps and a list fact's fields beneath it.
import type { Analysis } from './analysis.js';
import { type TextRange, childNodes, nodeRange } from './cst.js';
import type { SymbolKind, YkSymbol } from './symbols.js';

export interface OutlineItem {
  name: string;
  detail?: string;
  kind: SymbolKind | 'row' | 'step';
  range: TextRange;
  selection: TextRange;
  children: OutlineItem[];
}

export function outline(a: Analysis): OutlineItem[] {
  const owned = new Map<string, YkSymbol[]>();
  for (const s of a.index.symbols.values()) {
    if ((s.kind === 'field' || s.kind === 'output') && s.owner) {
      const list = owned.get(s.owner) ?? [];
      list.push(s);
      owned.set(s.owner, list);
    }
  }
  const item = (s: YkSymbol, name = s.name): OutlineItem => {
    const selection = s.decl ?? s.extent ?? { from: 0, to: 0 };
    const detail = [s.kind === 'rule' || s.kind === 'product' ? s.keyword : undefined, s.label]
      .filter(Boolean)
      .join(' · ');
    return {
      name: name || '(unnamed)',
      kind: s.kind,
      range: s.extent ?? selection,
      selection,
      children: [],
      ...(detail ? { detail } : {}),
    };
  };
  return a.index.declarations.map((s) => {
    const it = item(s);
    if (s.kind === 'product') {
      const ja = a.model.product.name.ja;
      if (ja) it.detail = ja;
    }
    for (const c of owned.get(s.name) ?? []) it.children.push(item(c, c.name.slice(s.name.length + 1)));
    if (s.kind === 'table') {
      for (const r of a.index.rows.filter((x) => x.table === s)) {
        const name = `${r.index === 0 ? 'else' : r.cells.join(' | ')} => ${r.outputs.join(' | ')}`;
        it.children.push({
          name,
          kind: 'row',
          range: r,
          selection: r,
          children: [],
          detail: r.index === 0 ? 'else' : `row ${r.index}`,
        });
      }
    }
    if (s.kind === 'amount' && s.node) {
      for (const step of childNodes(s.node, 'step')) {
        const r = nodeRange(step);
        if (!r) continue;
        const text = a.text.slice(r.from, r.to).split('\n')[0]!.replace(/\s+/g, ' ').trim();
        it.children.push({
          name: text.length > 80 ? `${text.slice(0, 79)}…` : text,
          kind: 'step',
          range: r,
          selection: r,
          children: [],
        });
      }
    }
    return it;
  });
}
