// "Try a claim": the form generated from the facts schema, the decision with its reasons (each
// citation a link into the pamphlet pane), the explanation in Japanese or English, and "Save as
// case" once the user has looked at the decision and confirms it is the expected one.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import {
  type Facts,
  type Field,
  countLeaves,
  getAt,
  inputValue,
  moneyPreview,
  pointerOf,
  setAt,
  textOf,
} from '../form.js';
import type { Lang, Words } from '../i18n.js';
import type { CaseRun, Citation, Decision, Tried } from '../types.js';
import { eventValue } from './dom.js';

type Keys = (string | number)[];

interface Marks {
  missing: Set<string>;
  errors: Map<string, string>;
}

interface Props {
  w: Words;
  lang: Lang;
  fields: Field[];
  facts: Facts;
  setFacts(f: Facts): void;
  asOf: string;
  setAsOf(d: string): void;
  example: Facts | null;
  result: Tried | undefined;
  busy: boolean;
  error: string | undefined;
  decide(): void;
  cite(c: Citation): void;
  saveCase(): void;
}

export function ClaimPane(p: Props) {
  const { w, fields, facts, result } = p;
  const d = result?.decision;
  const marks: Marks = {
    missing: new Set([...(d?.missing ?? []), ...(d?.items ?? []).flatMap((i) => i.missing)]),
    errors: new Map((d?.errors ?? []).map((e) => [e.pointer, e.message])),
  };
  const top = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!result) return;
    top.current?.scrollIntoView({ block: 'start' });
  }, [result]);
  const set = (keys: Keys, v: unknown) => p.setFacts(setAt(facts, keys, v));
  const byPath = new Map<string, Field>();
  const index = (fs: Field[]): void => {
    for (const f of fs) {
      byPath.set(f.path, f);
      index(f.children ?? []);
    }
  };
  index(fields);
  const focusField = (path: string, pointer?: string) => {
    const sel = pointer ? `[data-pointer="${pointer}"]` : `[data-path="${path}"]`;
    const el = document.querySelector<HTMLElement>(`.claim-form ${sel}`);
    el?.closest('details')?.setAttribute('open', '');
    el?.focus();
  };
  return html`
    <div class="claim" ref=${top}>
      <form class="pane-bar" onSubmit=${(e: Event) => {
        e.preventDefault();
        p.decide();
      }}>
        ${
          p.example ? html`<button type="button" onClick=${() => p.setFacts(p.example!)}>${w.loadExample}</button>` : ''
        }
        <button type="button" onClick=${() => p.setFacts({})}>${w.clear}</button>
        <label>${w.asOf} <input type="date" value=${p.asOf} onInput=${(e: Event) => p.setAsOf(eventValue(e))} /></label>
        <span class="grow"></span>
        <button type="submit" class="primary" disabled=${p.busy}>${p.busy ? w.deciding : w.decide}</button>
      </form>
      ${p.error ? html`<div class="message error" role="alert">${p.error}</div>` : ''}
      ${result ? html`<${DecisionView} ...${p} result=${result} byPath=${byPath} focusField=${focusField} />` : ''}
      <div class="claim-form">
        ${fields.map((f) => html`<${Group} w=${w} f=${f} keys=${[f.key]} facts=${facts} set=${set} marks=${marks} />`)}
      </div>
    </div>`;
}

interface FieldProps {
  w: Words;
  f: Field;
  keys: Keys;
  facts: Facts;
  set(keys: Keys, v: unknown): void;
  marks: Marks;
}

function hasMark(f: Field, marks: Marks, pointer: string): boolean {
  return (
    [...marks.missing].some((m) => m === f.path || m.startsWith(`${f.path}.`)) ||
    [...marks.errors.keys()].some((e) => e === pointer || e.startsWith(`${pointer}/`))
  );
}

function Group(props: FieldProps) {
  const { w, f, keys, facts, marks } = props;
  if (f.kind !== 'group') return html`<${Row} ...${props} />`;
  const value = getAt(facts, keys);
  const given = value && typeof value === 'object' ? Object.keys(value).length : 0;
  const flagged = hasMark(f, marks, pointerOf(keys));
  return html`
    <details class=${`group${flagged ? ' flagged' : ''}`} open=${flagged || given > 0 || keys.length > 1 || undefined}>
      <summary><span class="mono">${f.key}</span> <span class="muted">${w.fields(countLeaves(f.children ?? []))}${
        given ? ` · ${given}✓` : ''
      }</span></summary>
      ${(f.children ?? []).map((c) => html`<${Group} ...${props} f=${c} keys=${[...keys, c.key]} />`)}
    </details>`;
}

function inputId(pointer: string): string {
  return `fact${pointer.replace(/[^\w-]/g, '_')}`;
}

function Row(props: FieldProps) {
  const { w, f, keys, facts, set, marks } = props;
  if (f.kind === 'list') return html`<${List} ...${props} />`;
  const pointer = pointerOf(keys);
  const id = inputId(pointer);
  const value = getAt(facts, keys);
  const missing = marks.missing.has(f.path);
  const error = marks.errors.get(pointer);
  const change = (e: Event) => set(keys, inputValue(f, (e.target as HTMLInputElement).value));
  const common = {
    id,
    'data-path': f.path,
    'data-pointer': pointer,
    'aria-invalid': missing || error ? 'true' : undefined,
  };
  let input: unknown;
  let preview: string | undefined;
  switch (f.kind) {
    case 'boolean':
      input = html`<select ...${common} value=${textOf(value)} onChange=${change}>
        <option value="">${w.unset}</option><option value="true">${w.yes}</option><option value="false">${w.no}</option>
      </select>`;
      break;
    case 'enum':
      input = html`<select ...${common} value=${textOf(value)} onChange=${change}>
        <option value="">${w.unset}</option>
        ${f.choices!.map(
          (c) => html`
          <option value=${c.value}>${c.label ? `${c.label} (${c.value})` : c.value}</option>`,
        )}
      </select>`;
      break;
    case 'date':
      input = html`<input ...${common} type="date" value=${textOf(value)} onInput=${change} />`;
      break;
    case 'time':
      input = html`<input ...${common} type="time" value=${textOf(value)} onInput=${change} />`;
      break;
    case 'integer':
      input = html`<input ...${common} type="number" step="1" value=${textOf(value)} onInput=${change} />`;
      break;
    default: {
      const text = textOf(value);
      if (f.kind === 'money' && text) preview = moneyPreview(text) ?? w.notMoney;
      const hint =
        f.kind === 'money'
          ? '1億2,000万円'
          : f.kind === 'rate'
            ? '90%'
            : f.kind === 'duration'
              ? `30 ${f.unit ?? ''}`
              : '';
      input = html`<input ...${common} type="text" inputmode=${f.kind === 'text' ? undefined : 'decimal'}
        placeholder=${hint} value=${text} onInput=${change} />`;
    }
  }
  return html`
    <div class=${`field${missing ? ' missing' : ''}${error ? ' invalid' : ''}`}>
      <label for=${id}>${f.label ?? f.key} <code>${f.path}</code></label>
      <div class="input">${input}${
        preview
          ? html`<span class=${`preview${preview === w.notMoney ? ' bad' : ''}`}>${
              preview === w.notMoney ? preview : `= ${preview}`
            }</span>`
          : ''
      }
        ${error ? html`<span class="bad">${error}</span>` : ''}</div>
    </div>`;
}

function List(props: FieldProps) {
  const { w, f, keys, facts, set, marks } = props;
  const list = (getAt(facts, keys) as unknown[] | undefined) ?? [];
  const add = () => set(keys, [...list, f.children ? {} : undefined]);
  const remove = (i: number) => set(keys, list.length === 1 ? undefined : list.filter((_, j) => j !== i));
  const flagged = hasMark(f, marks, pointerOf(keys));
  return html`
    <fieldset class=${`list${flagged ? ' flagged' : ''}`}>
      <legend>${f.label ?? f.key} <code>${f.path}</code></legend>
      ${list.map(
        (_, i) => html`
        <fieldset class="element">
          <legend>
            ${w.item(i + 1)} <button type="button" class="small" onClick=${() => remove(i)}>${w.remove}</button>
          </legend>
          ${
            f.children
              ? f.children.map((c) => html`<${Group} ...${props} f=${c} keys=${[...keys, i, c.key]} />`)
              : html`<${Row} ...${props} f=${{ ...f.element!, key: String(i) }} keys=${[...keys, i]} />`
          }
        </fieldset>`,
      )}
      <button type="button" onClick=${add}>${w.add}</button>
    </fieldset>`;
}

const GOOD = new Set(['covered']);
const PENDING = new Set(['undetermined']);

function outcomeClass(o: string): string {
  return GOOD.has(o) ? 'good' : PENDING.has(o) ? 'pending' : 'bad';
}

interface DecisionProps extends Props {
  result: Tried;
  byPath: Map<string, Field>;
  focusField(path: string, pointer?: string): void;
}

function DecisionView({ w, lang, result, cite, saveCase, byPath, focusField }: DecisionProps) {
  const d = result.decision;
  const labelOf = (path: string) => byPath.get(path)?.label;
  const missing = [...new Set([...d.missing, ...d.items.flatMap((i) => i.missing)])];
  return html`
    <section class="decision" aria-label=${w.outcome}>
      <div class=${`outcome ${outcomeClass(d.outcome)}`} role="status">
        <span class="big">${w.outcomes[d.outcome] ?? d.outcome}</span>
        <span>${w.eligibility}: ${w.elig[d.eligibility] ?? d.eligibility}</span>
        ${d.product.revision ? html`<span>${w.revision}: ${d.product.revision}</span>` : ''}
        <span class="grow"></span>
        <button type="button" onClick=${saveCase}>${w.saveCase}</button>
      </div>
      <div class="muted small">
        ${result.used === 'draft' ? w.usedDraft : w.usedSaved}${result.note ? ` — ${result.note}` : ''}
      </div>
      ${
        missing.length
          ? html`
        <div class="missing-list"><strong>${w.missing}</strong>
          <ul>${missing.map(
            (m) => html`<li><button type="button" class="link" onClick=${() => focusField(m)}>
            <code>${m}</code> ${labelOf(m) ?? ''}</button></li>`,
          )}</ul></div>`
          : ''
      }
      ${
        d.errors.length
          ? html`
        <div class="missing-list bad"><strong>${w.invalid}</strong>
          <ul>${d.errors.map(
            (e) => html`<li><button type="button" class="link" onClick=${() => focusField('', e.pointer)}>
            <code>${e.pointer}</code> ${e.message}</button></li>`,
          )}</ul></div>`
          : ''
      }
      ${
        d.amounts.length
          ? html`
        <h3>${w.amounts}</h3>
        <table class="amounts"><tbody>${d.amounts.map(
          (a) => html`
          <tr><th>${a.label ?? a.name} <code>${a.name}</code></th><td>${shown(a.value)}</td></tr>`,
        )}</tbody></table>`
          : ''
      }
      <${Reasons} w=${w} d=${d} cite=${cite} />
      <details class="explanation" open>
        <summary>${w.explanation} (${lang === 'ja' ? '日本語' : 'English'})</summary>
        <pre>${result.explanation[lang]}</pre>
      </details>
    </section>`;
}

function shown(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object' && v && 'amount' in v) {
    const m = v as { amount: string; currency: string };
    return `${m.amount.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m.currency === 'JPY' ? '円' : ` ${m.currency}`}`;
  }
  return Array.isArray(v) ? v.map(shown).join(', ') : String(v);
}

function Reasons({ w, d, cite }: { w: Words; d: Decision; cite(c: Citation): void }) {
  const seen = new Set<string>();
  const deciding = d.reasons.filter((r) => {
    const k = `${r.rule}#${r.item ?? ''}`;
    if (!r.deciding || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (!deciding.length) return '';
  return html`
    <h3>${w.reasons}</h3>
    <ul class="reasons">${deciding.map(
      (r) => html`
      <li class="reason">
        <div><span class="kind">${w.kinds[r.kind] ?? r.kind}</span> <strong>${r.label ?? r.rule}</strong>
          <code>${r.rule}</code>${r.item !== undefined ? html` <span class="tag">${w.item(r.item + 1)}</span>` : ''}
          <span class=${`result ${r.result}`}>${w.results[r.result] ?? r.result}</span></div>
        <${Cites} w=${w} cites=${r.cite} cite=${cite} />
        ${
          r.checks.length
            ? html`<ul class="checks">${r.checks.map(
                (c) => html`
          <li class=${c.result === true ? 'ok' : c.result === false ? 'no' : 'unknown'}>
            ${c.result === true ? '✓' : c.result === false ? '✗' : '?'} <code>${c.fact}</code> ${shown(c.actual)}${
              c.required !== null && c.required !== undefined
                ? html` <span class="muted">(${shown(c.required)})</span>`
                : ''
            }
          </li>`,
              )}</ul>`
            : ''
        }
      </li>`,
    )}
    </ul>`;
}

// A rule's citations, the first few shown: a cover rule of cyber quotes a dozen passages.
function Cites({ w, cites, cite }: { w: Words; cites: Citation[]; cite(c: Citation): void }) {
  const [all, setAll] = useState(false);
  const shown = all ? cites : cites.slice(0, 2);
  return html`
    <ul class="cites">${shown.map(
      (c) => html`
      <li><button type="button" class="link cite" onClick=${() => cite(c)}>§${c.section} 「${
        c.quote.length > 90 ? `${c.quote.slice(0, 90)}…` : c.quote
      }」</button></li>`,
    )}
      ${
        cites.length > shown.length
          ? html`<li><button type="button" class="small" onClick=${() => setAll(true)}>${w.moreCites(
              cites.length - shown.length,
            )}</button></li>`
          : ''
      }
    </ul>`;
}

// The confirmation before a case file is written: its name, its title and what it will expect.
export function SaveCaseDialog({
  w,
  id,
  result,
  facts,
  asOf,
  taken,
  close,
  saved,
}: {
  w: Words;
  id: string;
  result: Tried;
  facts: Facts;
  asOf: string;
  taken: string[];
  close(): void;
  saved(r: CaseRun): void;
}) {
  const n = Math.max(0, ...taken.map((f) => Number(/^(\d+)/.exec(f)?.[1] ?? 0))) + 1;
  const d = result.decision;
  const slug = [d.outcome, ...d.deciding.slice(0, 1)].join('-').replace(/[^\w-]/g, '');
  const [file, setFile] = useState(`${String(n).padStart(3, '0')}-studio-${slug}.yaml`);
  const [title, setTitle] = useState(`studio: ${d.outcome}${d.deciding.length ? ` by ${d.deciding.join(', ')}` : ''}`);
  const [error, setError] = useState<string | undefined>(undefined);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const run = await api<CaseRun>('POST', `/studio/api/products/${id}/cases`, {
        file,
        title,
        facts,
        expect: result.expect,
        ...(asOf ? { as_of: asOf } : {}),
      });
      saved(run);
    } catch (x) {
      setError(x instanceof ApiError ? x.problem.detail : String(x));
    }
  };
  return html`
    <dialog ref=${ref} class="dialog" onClose=${close} aria-labelledby="save-case-title">
      <form method="dialog" onSubmit=${submit}>
        <h2 id="save-case-title">${w.saveCaseTitle}</h2>
        <p>${w.saveCaseIntro}</p>
        <label>${w.caseFile} <input name="file" value=${file} onInput=${(e: Event) => setFile(eventValue(e))} /></label>
        <label>
          ${w.caseTitle} <input name="title" value=${title} onInput=${(e: Event) => setTitle(eventValue(e))} />
        </label>
        <pre class="expect">${yamlish({ expect: result.expect }).trim()}</pre>
        ${error ? html`<div class="message error" role="alert">${error}</div>` : ''}
        <div class="buttons">
          <button type="button" onClick=${close}>${w.cancel}</button>
          <button type="submit" class="primary">${w.confirm}</button>
        </div>
      </form>
    </dialog>`;
}

// The expectation as the case file will hold it (close enough to the YAML written to review it).
export function yamlish(x: unknown, indent = ''): string {
  if (x === null || typeof x !== 'object') return JSON.stringify(x);
  if (Array.isArray(x)) {
    if (x.every((v) => v === null || typeof v !== 'object')) return `[${x.map((v) => JSON.stringify(v)).join(', ')}]`;
    return x.map((v) => `\n${indent}- ${yamlish(v, `${indent}  `).trimStart()}`).join('');
  }
  return Object.entries(x)
    .map(([k, v]) => {
      const inner = yamlish(v, `${indent}  `);
      return `\n${indent}${k}:${inner.startsWith('\n') ? inner : ` ${inner}`}`;
    })
    .join('');
}
