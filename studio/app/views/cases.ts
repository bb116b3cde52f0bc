// The product's case files, run against the version the server serves: pass or fail for each,
// run all again, and for a failing one the expected fields beside what the rules now decide.
import { html } from 'htm/preact';
import { useEffect } from 'preact/hooks';
import type { Words } from '../i18n.js';
import type { CaseRun, CasesAnswer } from '../types.js';
import { yamlish } from './claim.js';

interface Props {
  w: Words;
  cases: CasesAnswer | undefined;
  running: boolean;
  error: string | undefined;
  open: string | undefined;
  setOpen(file: string | undefined): void;
  runAll(): void;
  load(run: CaseRun): void;
}

export function CasesPane({ w, cases, running, error, open, setOpen, runAll, load }: Props) {
  // The case opened from elsewhere (just saved, say) is brought into view.
  useEffect(() => {
    if (open) document.querySelector(`.case[data-file="${CSS.escape(open)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [open, cases]);
  return html`
    <div class="cases">
      <div class="pane-bar">
        <button type="button" class="primary" onClick=${runAll} disabled=${running}>
          ${running ? w.running : w.runAll}
        </button>
        ${
          cases
            ? html`<span class=${cases.failed ? 'bad' : 'good'} role="status">
          ${w.passedFailed(cases.passed, cases.failed)}</span>`
            : ''
        }
      </div>
      ${error ? html`<div class="message error" role="alert">${error}</div>` : ''}
      ${cases && cases.cases.length === 0 ? html`<p class="pane-empty">${w.noCases}</p>` : ''}
      <ul class="case-list">
        ${(cases?.cases ?? []).map(
          (c) => html`
          <li class=${`case ${c.ok ? 'pass' : 'fail'}${open === c.file ? ' open' : ''}`} data-file=${c.file}>
            <button type="button" class="case-row" aria-expanded=${open === c.file}
              onClick=${() => setOpen(open === c.file ? undefined : c.file)}>
              <span class="mark" aria-hidden="true">${c.ok ? '✓' : '✗'}</span>
              <span class="mono">${c.file}</span> <span>${c.case}</span>
            </button>
            ${open === c.file ? html`<${CaseDetail} w=${w} run=${c} load=${load} />` : ''}
          </li>`,
        )}
      </ul>
    </div>`;
}

function CaseDetail({ w, run, load }: { w: Words; run: CaseRun; load(r: CaseRun): void }) {
  return html`
    <div class="case-detail">
      ${run.error ? html`<div class="message error">${run.error}</div>` : ''}
      ${
        run.mismatches.length
          ? html`
        <table class="mismatches">
          <thead><tr><th>${w.field}</th><th>${w.expected}</th><th>${w.actual}</th></tr></thead>
          <tbody>${run.mismatches.map(
            (m) => html`
            <tr>
              <td class="mono">${m.field}</td><td>${JSON.stringify(m.expected)}</td>
              <td class="bad">${JSON.stringify(m.actual)}</td>
            </tr>`,
          )}
          </tbody>
        </table>`
          : ''
      }
      <div class="side-by-side">
        <div><h4>${w.expected}</h4><pre>${yamlish(run.expected ?? {}).trim()}</pre></div>
        <div><h4>${w.actual}</h4><pre>${yamlish(run.actual ?? {}).trim()}</pre></div>
      </div>
      ${run.facts ? html`<button type="button" onClick=${() => load(run)}>${w.loadIntoForm}</button>` : ''}
    </div>`;
}
