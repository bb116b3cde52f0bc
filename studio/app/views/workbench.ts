// One product: its files in the editor (left) with their problems, and beside them the pamphlet,
// the claim form, the cases and the revisions (right). The editor's text is the truth while it
// is edited: the pamphlet follows its citations and a claim is decided with it when it checks.
import { html } from 'htm/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Analysis, LanguageDiagnostic, LanguageService } from '../../../language/index.js';
import { api, ApiError } from '../api.js';
import { createEditor, type Editor } from '../editor.js';
import { type Facts, fieldsOf } from '../form.js';
import type { Lang, Words } from '../i18n.js';
import { type Citations, citationsOf, type Owner, ownerAt } from '../passages.js';
import type {
  CaseRun,
  CasesAnswer,
  Citation,
  FilesAnswer,
  ProductDetail,
  SaveAnswer,
  Session,
  Tried,
} from '../types.js';
import { CasesPane } from './cases.js';
import { ClaimPane, SaveCaseDialog } from './claim.js';
import { type Focus, PamphletPane } from './pamphlet.js';
import { RevisionsPane } from './revisions.js';

type Tab = 'pamphlet' | 'claim' | 'cases' | 'revisions';
const TABS: Tab[] = ['pamphlet', 'claim', 'cases', 'revisions'];

interface Props {
  w: Words;
  lang: Lang;
  id: string;
  file: string | undefined;
  service: LanguageService;
  session: Session;
  seeds: Record<string, string> | null;
  openFile(name: string): void;
}

interface Message {
  kind: 'ok' | 'error' | 'info';
  text: string;
  detail?: string;
}

const problemText = (x: unknown) => (x instanceof ApiError ? x.problem.detail : String(x));

export function Workbench({ w, lang, id, file, service, session, seeds, openFile }: Props) {
  const [saved, setSaved] = useState<FilesAnswer | undefined>(undefined);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [detail, setDetail] = useState<ProductDetail | undefined>(undefined);
  const [tab, setTab] = useState<Tab>('pamphlet');
  const [diagnostics, setDiagnostics] = useState<LanguageDiagnostic[]>([]);
  const [citations, setCitations] = useState<Citations | undefined>(undefined);
  const [revision, setRevision] = useState<string | undefined>(undefined);
  const [focus, setFocus] = useState<Focus | undefined>(undefined);
  const [message, setMessage] = useState<Message | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const [facts, setFacts] = useState<Facts>({});
  const [asOf, setAsOf] = useState('');
  const [tried, setTried] = useState<Tried | undefined>(undefined);
  const [deciding, setDeciding] = useState(false);
  const [claimError, setClaimError] = useState<string | undefined>(undefined);
  const [cases, setCases] = useState<CasesAnswer | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const [casesError, setCasesError] = useState<string | undefined>(undefined);
  const [openCase, setOpenCase] = useState<string | undefined>(undefined);
  const [savingCase, setSavingCase] = useState(false);

  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<Editor | undefined>(undefined);
  const owners = useRef<Owner[]>([]);
  const lastOwner = useRef<string | undefined>(undefined);
  const seq = useRef(0);
  const saveRef = useRef<() => void>(() => {});
  const current = file ?? saved?.files[0]?.name;
  const uri = `${id}/${current ?? ''}`;

  const loadDetail = () =>
    api<ProductDetail>('GET', `/v1/products/${id}`).then(setDetail, (x) =>
      setMessage({ kind: 'error', text: problemText(x) }),
    );
  const runCases = async () => {
    setRunning(true);
    setCasesError(undefined);
    try {
      setCases(await api<CasesAnswer>('GET', `/studio/api/products/${id}/cases`));
    } catch (x) {
      setCasesError(problemText(x));
    } finally {
      setRunning(false);
    }
  };

  useEffect(() => {
    api<FilesAnswer>('GET', `/studio/api/products/${id}/files`).then(
      (a) => {
        setSaved(a);
        setTexts(Object.fromEntries(a.files.map((f) => [f.name, f.text])));
      },
      (x) => setMessage({ kind: 'error', text: problemText(x) }),
    );
    loadDetail();
  }, [id]);

  useEffect(() => {
    if (!host.current) return;
    const ed = createEditor(host.current, service, {
      analysed(u: string, a: Analysis, ds: LanguageDiagnostic[]) {
        const c = citationsOf(a);
        owners.current = c.owners;
        setDiagnostics(ds);
        setCitations(c);
        setRevision(a.model.product.revision);
        void u;
      },
      changed(u: string, text: string) {
        const name = u.slice(id.length + 1);
        setTexts((t) => ({ ...t, [name]: text }));
      },
      cursor(_u: string, offset: number) {
        const o = ownerAt(owners.current, offset);
        if (!o || o.key === lastOwner.current) return;
        lastOwner.current = o.key;
        setFocus({ owner: o.key, seq: ++seq.current });
      },
      save: () => saveRef.current(),
    });
    editor.current = ed;
    return () => ed.view.destroy();
  }, []);

  useEffect(() => {
    if (!saved || !current || !editor.current) return;
    const text = texts[current] ?? saved.files.find((f) => f.name === current)?.text ?? '';
    if (editor.current.uri() !== uri) editor.current.open(uri, text);
  }, [saved, current]);

  useEffect(() => {
    if (tab === 'cases' && !cases && !running) void runCases();
  }, [tab]);

  const edited = (f: string) => texts[f] !== undefined && texts[f] !== saved?.files.find((x) => x.name === f)?.text;
  const dirty = current !== undefined && edited(current);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;

  const save = async () => {
    const ed = editor.current;
    if (!ed || !current || saving) return;
    if (!session.saving.allowed) {
      setMessage({ kind: 'error', text: `${w.savingNotAllowed}: ${session.saving.why ?? ''}` });
      return;
    }
    setSaving(true);
    try {
      const source = ed.format();
      const r = await api<SaveAnswer>('PUT', `/studio/api/products/${id}/files/${encodeURIComponent(current)}`, {
        source,
      });
      setSaved((s) => s && { ...s, files: s.files.map((f) => (f.name === current ? { ...f, text: source } : f)) });
      setTexts((t) => ({ ...t, [current]: source }));
      setMessage(
        r.activated
          ? { kind: 'ok', text: w.savedActive(current) }
          : { kind: 'error', text: w.savedInactive(current, r.check.errors), detail: r.check.text || r.reload.message },
      );
      void loadDetail();
      if (cases) void runCases();
    } catch (x) {
      setMessage({ kind: 'error', text: problemText(x) });
    } finally {
      setSaving(false);
    }
  };
  saveRef.current = save;

  const decide = async () => {
    setDeciding(true);
    setClaimError(undefined);
    try {
      const draft = current && dirty ? { file: current, source: texts[current]! } : undefined;
      setTried(
        await api<Tried>('POST', `/studio/api/products/${id}/try`, {
          facts,
          ...(asOf ? { as_of: asOf } : {}),
          ...(draft ? { draft } : {}),
        }),
      );
    } catch (x) {
      setClaimError(problemText(x));
    } finally {
      setDeciding(false);
    }
  };

  const loadCase = (r: CaseRun) => {
    setFacts((r.facts ?? {}) as Facts);
    setAsOf(r.as_of ?? '');
    setTried(undefined);
    setTab('claim');
  };

  const cite = (c: Citation) => {
    setTab('pamphlet');
    setFocus({ source: c.source, quote: c.quote, seq: ++seq.current });
  };

  const goto = (o: Owner) => {
    const ed = editor.current;
    if (!ed) return;
    const text = ed.text();
    const eol = text.indexOf('\n', o.from);
    lastOwner.current = o.key;
    ed.select(o.from, eol < 0 || eol > o.to ? o.to : eol);
  };

  const schema = useMemo(() => {
    const revs = detail?.revisions ?? [];
    return (revs.find((r) => r.revision === revision) ?? revs[revs.length - 1])?.facts;
  }, [detail, revision]);
  const fields = useMemo(() => (schema ? fieldsOf(schema) : []), [schema]);

  const name = detail
    ? ((lang === 'en' ? (detail.name.en ?? detail.name.ja) : (detail.name.ja ?? detail.name.en)) ?? id)
    : id;
  const files = saved?.files.map((f) => f.name) ?? [];

  // The message and the split are keyed: the editor lives in the split, and Preact must never
  // recycle that element for the message that appears before it.
  return html`
    <div class="workbench">
      <div class="product-bar">
        <a href="#/" class="back">← ${w.back}</a>
        <h1><span>${name}</span> <code>${id}</code></h1>
        <div class="files" role="tablist" aria-label="files">
          ${files.map(
            (f) => html`
            <button type="button" role="tab" aria-selected=${f === current} class=${f === current ? 'on' : ''}
              onClick=${() => openFile(f)}>${f}${edited(f) ? ' ●' : ''}</button>`,
          )}
        </div>
        <span class="grow"></span>
        <span class=${`counts${errors ? ' bad' : ''}`} role="status">
          ${w.errors(errors)} · ${w.warnings(warnings)}${dirty ? html` · <em>${w.unsaved}</em>` : ''}
        </span>
        <button type="button" class="primary" title=${w.saveHint} onClick=${save}
          disabled=${saving || !session.saving.allowed}>${saving ? w.saving : w.save}</button>
      </div>
      ${
        message
          ? html`
        <div key="message" class=${`message ${message.kind}`} role=${message.kind === 'error' ? 'alert' : 'status'}>
          <span>${message.text}</span>
          <button type="button" class="small" aria-label="close" onClick=${() => setMessage(undefined)}>×</button>
          ${message.detail ? html`<pre>${message.detail}</pre>` : ''}
        </div>`
          : ''
      }
      <div key="split" class="split">
        <section class="left">
          <div class="editor-host" ref=${host}></div>
          <${Problems} w=${w} diagnostics=${diagnostics} editor=${editor} />
        </section>
        <section class="right">
          <div class="tabs" role="tablist">
            ${TABS.map(
              (t) => html`
              <button type="button" role="tab" id=${`tab-${t}`} aria-selected=${tab === t}
                class=${tab === t ? 'on' : ''} onClick=${() => setTab(t)}>
                ${w.tabs[t]}${t === 'cases' && cases ? html` ${casesBadge(cases)}` : ''}
              </button>`,
            )}
          </div>
          <div class="tab-body" role="tabpanel" aria-labelledby=${`tab-${tab}`}>
            ${
              tab === 'pamphlet'
                ? html`<${PamphletPane} w=${w} configured=${session.sources.configured} seeds=${seeds}
              citations=${citations} focus=${focus} goto=${goto} />`
                : ''
            }
            ${
              tab === 'claim'
                ? html`<${ClaimPane} w=${w} lang=${lang} fields=${fields} facts=${facts} setFacts=${setFacts}
              asOf=${asOf} setAsOf=${setAsOf} example=${saved?.example ?? null} result=${tried} busy=${deciding}
              error=${claimError} decide=${decide} cite=${cite} saveCase=${() => setSavingCase(true)} />`
                : ''
            }
            ${
              tab === 'cases'
                ? html`<${CasesPane} w=${w} cases=${cases} running=${running} error=${casesError}
              open=${openCase} setOpen=${setOpenCase} runAll=${runCases}
              load=${loadCase} />`
                : ''
            }
            ${tab === 'revisions' ? html`<${RevisionsPane} w=${w} id=${id} files=${files} />` : ''}
          </div>
        </section>
      </div>
      ${
        savingCase && tried
          ? html`<${SaveCaseDialog} w=${w} id=${id} result=${tried} facts=${facts} asOf=${asOf}
        taken=${saved?.cases ?? []} close=${() => setSavingCase(false)}
        saved=${(run: CaseRun) => {
          setSavingCase(false);
          setSaved((s) => s && { ...s, cases: [...s.cases, run.file] });
          setMessage({ kind: run.ok ? 'ok' : 'error', text: w.caseSaved(run.file, run.ok) });
          setOpenCase(run.file);
          setTab('cases');
          void runCases();
        }} />`
          : ''
      }
    </div>`;
}

function Problems({
  w,
  diagnostics,
  editor,
}: {
  w: Words;
  diagnostics: LanguageDiagnostic[];
  editor: { current: Editor | undefined };
}) {
  return html`
    <div class="problems" aria-label=${w.problems}>
      <div class="problems-head">${w.problems} <span class="keys">${w.keys}</span></div>
      ${diagnostics.length === 0 ? html`<div class="muted ok">${w.noProblems}</div>` : ''}
      <ul>${diagnostics.slice(0, 200).map(
        (d) => html`
        <li class=${`problem ${d.severity}`}>
          <button type="button" class="link where" onClick=${() => editor.current?.select(d.from, d.to)}>
            <span class="sev">${d.severity === 'error' ? '✗' : '!'}</span> ${w.line(d.line, d.column)}</button>
          <span class="msg">${d.message}</span> <code class="muted">${d.code}</code>
          ${d.hint ? html`<div class="hint">${w.hint}: ${d.hint}</div>` : ''}
          ${d.fixes.map(
            (f) => html`
            <button type="button" class="small fix" onClick=${() => editor.current?.applyFix(f.edits)}>
              ${w.fix}: ${f.title}
            </button>`,
          )}
        </li>`,
      )}
      </ul>
    </div>`;
}

function casesBadge(c: CasesAnswer) {
  return html`<span class=${c.failed ? 'bad' : 'good'}>${c.failed ? `✗${c.failed}` : '✓'}</span>`;
}
