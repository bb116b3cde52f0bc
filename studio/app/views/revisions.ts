// Two editions of the product side by side: the structural diff of their rules and what the
// change does to the product's cases (engine/tools/diff.ts, as `yakkan diff --cases` reports it).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import type { Words } from '../i18n.js';
import type { DiffAnswer } from '../types.js';

export function RevisionsPane({ w, id, files }: { w: Words; id: string; files: string[] }) {
  const [oldFile, setOld] = useState(files[0] ?? '');
  const [newFile, setNew] = useState(files[files.length - 1] ?? '');
  const [answer, setAnswer] = useState<DiffAnswer | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  if (files.length < 2) return html`<p class="pane-empty">${w.oneEdition}</p>`;
  const compare = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(
        await api<DiffAnswer>(
          'GET',
          `/studio/api/products/${id}/diff?old=${encodeURIComponent(oldFile)}&new=${encodeURIComponent(newFile)}`,
        ),
      );
    } catch (x) {
      setError(x instanceof ApiError ? x.problem.detail : String(x));
    } finally {
      setBusy(false);
    }
  };
  const pick = (label: string, value: string, set: (v: string) => void) => html`
    <label>${label} <select value=${value} onChange=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
      ${files.map((f) => html`<option value=${f}>${f}</option>`)}</select></label>`;
  const r = answer?.report;
  const b = r?.behaviour;
  return html`
    <div class="revisions">
      <form class="pane-bar" onSubmit=${compare}>
        ${pick(w.oldEdition, oldFile, setOld)} → ${pick(w.newEdition, newFile, setNew)}
        <button type="submit" class="primary" disabled=${busy}>${w.compare}</button>
      </form>
      ${error ? html`<div class="message error" role="alert">${error}</div>` : ''}
      ${r ? html`<p class="muted">${base(r.old.file)} (${r.old.revision}) → ${base(r.new.file)} (${r.new.revision})</p>` : ''}
      ${b ? html`<${Decisions} w=${w} b=${b} />` : ''}
      ${r ? html`<${Changes} w=${w} changes=${r.structural} />` : ''}
      ${answer ? html`<details><summary>${w.fullReport}</summary><pre>${answer.text}</pre></details>` : ''}
    </div>`;
}

type Report = DiffAnswer['report'];

// What the change does to the product's cases, grouped by the rule changes behind it.
function Decisions({ w, b }: { w: Words; b: NonNullable<Report['behaviour']> }) {
  return html`
    <h3>${w.decisions(b.changed, b.cases)}</h3>
    <p class="muted">${w.datedIn}: ${Object.entries(b.inForce)
      .map(([k, n]) => `${w.editions[k] ?? k} ${n}`)
      .join(', ')}</p>
    ${Object.entries(b.transitions).map(([t, n]) => html`<div class="mono">${n} × ${t}</div>`)}
    <ul class="groups">
      ${b.groups.map(
        (g) => html`
          <li>
            <div>${g.count} × ${w.because} ${g.causes.join('; ')}</div>
            ${g.because?.length ? html`<div class="muted">${w.via} ${g.because.join(', ')}</div>` : ''}
            <ul>
              ${g.examples.map(
                (e) =>
                  html`<li class="small"><span class="mono">${e.ref}</span>: ${e.old.outcome} → ${e.new.outcome}</li>`,
              )}
            </ul>
          </li>`,
      )}
    </ul>`;
}

function Changes({ w, changes }: { w: Words; changes: Report['structural'] }) {
  if (changes.length === 0) return html`<h3>${w.structural}</h3><p>${w.noChanges}</p>`;
  return html`
    <h3>${w.structural} (${changes.length})</h3>
    <ul class="changes">
      ${changes.map(
        (c) => html`
          <li class=${c.change}>
            <span class="tag">${c.change}</span> <code>${c.id}</code>
            ${c.field ? html` <span class="muted">${c.field}</span>` : ''}
            <div class="change-text">
              ${c.old !== undefined ? html`<del>${clip(c.old)}</del>` : ''}
              ${c.new !== undefined ? html`<ins>${clip(c.new)}</ins>` : ''}
            </div>
          </li>`,
      )}
    </ul>`;
}

function base(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

function clip(s: string): string {
  return s.length > 240 ? `${s.slice(0, 240)}…` : s;
}
