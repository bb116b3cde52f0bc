// The pamphlet pane: the seed text of the product's source with every passage the open file
// cites highlighted, and every line no rule cites marked, so that what is not encoded yet shows.
// A passage clicked lists the declarations citing it (each one a jump into the editor); a
// declaration under the cursor, or a reason of a decision, brings its passages into view.
import { html } from 'htm/preact';
import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Words } from '../i18n.js';
import { eventValue } from './dom.js';
import { type Citations, type Line, type Owner, type Passage, layout, passagesIn } from '../passages.js';

// What to bring into view: the passages of a declaration, or one quoted passage. `seq` changes
// on every request, so asking twice for the same thing scrolls again.
export type Focus = { owner: string; seq: number } | { source: string; quote: string; seq: number };

interface Props {
  w: Words;
  configured: boolean;
  seeds: Record<string, string> | null;
  citations: Citations | undefined;
  focus: Focus | undefined;
  goto(owner: Owner): void;
}

export function PamphletPane({ w, configured, seeds, citations, focus, goto }: Props) {
  const own = citations?.source ?? '';
  const cited = useMemo(
    () => [...new Set([own, ...(citations?.cites ?? []).map((c) => c.source)])].filter(Boolean),
    [citations, own],
  );
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const wanted = focus && 'source' in focus ? focus.source : undefined;
  const source = wanted ?? (chosen && cited.includes(chosen) ? chosen : own);
  useEffect(() => {
    if (wanted) setChosen(wanted);
  }, [focus]);
  const text = seeds?.[source];
  // Passages change only when the citations of this seed do, not on every keystroke.
  const signature = (citations?.cites ?? [])
    .filter((c) => c.source === source)
    .map((c) => `${c.owner.key}\u0001${c.quote}`)
    .join('\u0000');
  const passages = useMemo(
    () => (text ? passagesIn(text, source, citations?.cites ?? []) : []),
    [text, source, signature],
  );
  const lines = useMemo(() => (text ? layout(text, passages) : []), [text, passages]);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const body = useRef<HTMLDivElement>(null);

  // Highlight a set of passages (or a line when no passage of this file holds the quote).
  const show = (ids: number[], line?: number) => {
    const root = body.current;
    if (!root) return;
    for (const el of root.querySelectorAll('.active')) el.classList.remove('active');
    let first: Element | undefined;
    for (const el of root.querySelectorAll<HTMLElement>('mark[data-ids]')) {
      const mine = el.dataset['ids']!.split(' ').map(Number);
      if (mine.some((id) => ids.includes(id))) {
        el.classList.add('active');
        first ??= el;
      }
    }
    if (!first && line !== undefined) {
      first = root.querySelector(`[data-line="${line}"]`) ?? undefined;
      first?.classList.add('active');
    }
    first?.scrollIntoView({ block: 'center' });
  };

  useEffect(() => {
    if (!focus || !text) return;
    setNote(undefined);
    if ('owner' in focus) {
      const ids = passages.filter((p) => p.citers.some((o) => o.key === focus.owner)).map((p) => p.id);
      if (ids.length) {
        setSelected(ids[0]);
        show(ids);
      }
      return;
    }
    const exact = passages.find((p) => p.quote === focus.quote);
    if (exact) {
      setSelected(exact.id);
      show([exact.id]);
      return;
    }
    const at = text.indexOf(focus.quote);
    if (at < 0) return;
    setSelected(undefined);
    setNote(w.notInThisFile);
    show(
      [],
      lines.findIndex((l, i) => l.from <= at && (lines[i + 1]?.from ?? Infinity) > at),
    );
  }, [focus, lines]);

  if (!configured) return html`<div class="pane-empty" role="status">${w.noSources}</div>`;
  if (!text) return html`<div class="pane-empty" role="status">${own ? w.noSeed(source) : ''}</div>`;

  const pick = (id: number | undefined) => {
    setSelected(id);
    setNote(undefined);
    if (id !== undefined) show([id]);
  };
  const step = (by: number) => {
    if (!passages.length) return;
    const i = selected === undefined ? (by > 0 ? -1 : 0) : selected;
    pick((i + by + passages.length) % passages.length);
  };
  const nextUncited = () => {
    const root = body.current;
    if (!root) return;
    const top = root.getBoundingClientRect().top;
    const all = [...root.querySelectorAll<HTMLElement>('.ln.uncited')];
    const next = all.find((el) => el.getBoundingClientRect().top > top + 40) ?? all[0];
    if (!next) return;
    for (const el of root.querySelectorAll('.active')) el.classList.remove('active');
    next.classList.add('active');
    next.scrollIntoView({ block: 'center' });
  };
  const onClick = (e: MouseEvent) => {
    const m = (e.target as HTMLElement).closest<HTMLElement>('mark[data-ids]');
    if (!m) return;
    // The innermost passage under the click: the shortest.
    const ids = m.dataset['ids']!.split(' ').map(Number);
    pick(ids.map((id) => passages[id]!).sort((a, b) => a.to - a.from - (b.to - b.from))[0]!.id);
  };
  const sel = selected !== undefined ? passages[selected] : undefined;
  const citedLines = lines.filter((l) => l.cited).length;
  const textLines = lines.filter((l) => !l.blank).length;
  return html`
    <div class="pamphlet">
      <div class="pane-bar">
        ${
          cited.length > 1
            ? html`<label>${w.source} <select value=${source} onChange=${(e: Event) => setChosen(eventValue(e))}>
              ${cited.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>`
            : html`<span class="mono">${source}</span>`
        }
        <span class="count">${w.passages(passages.length)} · ${w.citedLines(citedLines, textLines)}</span>
        <span class="legend"><mark>${w.citedMark}</mark> <span class="uncited-key">${w.uncitedMark}</span></span>
        <span class="grow"></span>
        <button type="button" onClick=${() => step(-1)}>${w.prevPassage}</button>
        <button type="button" onClick=${() => step(1)}>${w.nextPassage}</button>
        <button type="button" onClick=${nextUncited}>${w.nextUncited}</button>
      </div>
      <${CitedBy} w=${w} passage=${sel} note=${note} goto=${goto} />
      <div class="seed" ref=${body} onClick=${onClick}><${SeedText} lines=${lines} /></div>
    </div>`;
}

function CitedBy({
  w,
  passage,
  note,
  goto,
}: {
  w: Words;
  passage: Passage | undefined;
  note?: string;
  goto(o: Owner): void;
}) {
  if (note) return html`<div class="cited-by" role="status">${note}</div>`;
  if (!passage) return html`<div class="cited-by muted">${w.citedByNone}</div>`;
  return html`
    <div class="cited-by" role="status" aria-live="polite">
      <div><strong>${w.citedBy}</strong> <span class="muted">§${passage.section}</span></div>
      <ul>${passage.citers.map(
        (o) => html`
        <li><button type="button" class="link" onClick=${() => goto(o)}>
          <span class="kind">${o.kind === 'row' ? w.rowOf(o.name, o.row ?? 0) : o.kind}</span>
          ${o.kind === 'row' ? '' : html` <code>${o.name}</code>`} ${o.label ? html`<span>${o.label}</span>` : ''}
        </button></li>`,
      )}
      </ul>
    </div>`;
}

// Thousands of lines: drawn again only when the passages change, never for a selection.
class SeedText extends Component<{ lines: Line[] }> {
  override shouldComponentUpdate(next: { lines: Line[] }): boolean {
    return next.lines !== this.props.lines;
  }
  override render() {
    return this.props.lines.map(
      (l) => html`
      <div class=${lineClass(l)} data-line=${l.n}>${l.segments.map((s) =>
        s.ids.length ? html`<mark data-ids=${s.ids.join(' ')}>${s.text}</mark>` : s.text,
      )}${l.blank ? '\u200b' : ''}</div>`,
    );
  }
}

function lineClass(l: Line): string {
  return `ln${l.cited ? ' cited' : ''}${!l.cited && !l.blank ? ' uncited' : ''}`;
}
