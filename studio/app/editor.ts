// CodeMirror 6 as a thin adapter over the language service running in the page: highlighting
// from the real tokenizer (semantic tokens), diagnostics with their hints and quick fixes,
// hover, completion, and formatting (applied before a save). The service analyses a text once;
// the linter, the highlighter, hover and completion all ask it about the same text.
import { basicSetup } from 'codemirror';
import { type Extension, EditorState, Prec, type Range, StateEffect, StateField } from '@codemirror/state';
import {
  activateHover,
  closeHoverTooltips,
  Decoration,
  type DecorationSet,
  EditorView,
  hasHoverTooltips,
  hoverTooltip,
  keymap,
  ViewPlugin,
  type ViewUpdate,
} from '@codemirror/view';
import { type Diagnostic as CmDiagnostic, linter, lintGutter } from '@codemirror/lint';
import {
  autocompletion,
  type Completion,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import type { Analysis, LanguageDiagnostic, LanguageService } from '../../language/index.js';
import { renderMarkdown } from './markdown.js';

export interface EditorEvents {
  // After each analysis of the text shown (debounced while typing).
  analysed(uri: string, a: Analysis, diagnostics: LanguageDiagnostic[]): void;
  changed(uri: string, text: string): void;
  cursor(uri: string, offset: number): void;
  save(): void;
}

export interface Editor {
  view: EditorView;
  open(uri: string, text: string): void;
  uri(): string;
  text(): string;
  // Replaces the whole text (a revert), keeping the undo history.
  setText(text: string): void;
  select(from: number, to: number): void;
  applyFix(edits: { from: number; to: number; insert: string }[]): void;
  // Formats the text in place (one undoable step); returns the text after.
  format(): string;
}

const ANALYSE_DELAY = 120;

const setTokens = StateEffect.define<DecorationSet>();

const tokensField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    let d = deco.map(tr.changes);
    for (const e of tr.effects) if (e.is(setTokens)) d = e.value;
    return d;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const marks = new Map<string, Decoration>();
function mark(cls: string): Decoration {
  let m = marks.get(cls);
  if (!m) marks.set(cls, (m = Decoration.mark({ class: cls })));
  return m;
}

const COMPLETION_TYPES: Record<string, string> = {
  keyword: 'keyword',
  fact: 'variable',
  field: 'property',
  formula: 'function',
  define: 'function',
  table: 'class',
  output: 'property',
  amount: 'variable',
  enum: 'enum',
  function: 'function',
  type: 'type',
  unit: 'constant',
  mode: 'constant',
  loop: 'variable',
};

export function createEditor(parent: HTMLElement, service: LanguageService, events: EditorEvents): Editor {
  let uri = '';
  const states = new Map<string, EditorState>();

  // The service answers about the text it was last given: give it the one on screen first.
  const sync = (view: EditorView): string => {
    service.update(uri, view.state.doc.toString());
    return uri;
  };

  const analyse = (view: EditorView) => {
    if (!uri) return;
    sync(view);
    const a = service.analysis(uri);
    const ranges: Range<Decoration>[] = [];
    for (const t of service.semanticTokens(uri)) {
      const cls = `yk-${t.type}${t.declaration ? ' yk-decl' : ''}`;
      ranges.push(mark(cls).range(t.from, t.from + t.length));
    }
    view.dispatch({ effects: setTokens.of(Decoration.set(ranges, true)) });
    events.analysed(uri, a, service.diagnostics(uri));
  };

  const analyser = ViewPlugin.fromClass(
    class {
      timer: ReturnType<typeof setTimeout> | undefined;
      constructor(readonly view: EditorView) {
        this.schedule(0);
      }
      update(u: ViewUpdate) {
        if (u.docChanged) {
          events.changed(uri, u.state.doc.toString());
          this.schedule(ANALYSE_DELAY);
        }
        if (u.selectionSet) events.cursor(uri, u.state.selection.main.head);
      }
      schedule(ms: number) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => analyse(this.view), ms);
      }
      destroy() {
        clearTimeout(this.timer);
      }
    },
  );

  const lint = linter(
    (view) => {
      if (!uri) return [];
      const u = sync(view);
      return service.diagnostics(u).map((d) => cmDiagnostic(d, view.state.doc.length));
    },
    { delay: ANALYSE_DELAY },
  );

  const hover = hoverTooltip((view, pos) => {
    if (!uri) return null;
    const h = service.hover(sync(view), pos);
    if (!h) return null;
    return { pos: h.from, end: h.to, above: true, create: () => ({ dom: renderMarkdown(h.markdown) }) };
  });

  const complete = (ctx: CompletionContext): CompletionResult | null => {
    if (!uri) return null;
    const c = service.complete(sync(ctx.view!), ctx.pos);
    if (
      c.items.length === 0 ||
      (!ctx.explicit && c.from === c.to && !/[\s(,=<>]$/.test(ctx.state.sliceDoc(c.from - 1, c.from)))
    ) {
      return null;
    }
    const options: Completion[] = c.items.map((it, i) => ({
      label: it.label,
      type: COMPLETION_TYPES[it.kind] ?? 'text',
      boost: Math.max(-99, 99 - i),
      ...(it.detail ? { detail: it.detail } : {}),
    }));
    return { from: c.from, to: c.to, options, validFor: /^[\p{L}\p{N}_\-.]*$/u };
  };

  const applyEdits = (view: EditorView, edits: { from: number; to: number; insert: string }[]) => {
    const len = view.state.doc.length;
    view.dispatch({
      changes: edits.filter((e) => e.to <= len).map((e) => ({ from: e.from, to: e.to, insert: e.insert })),
    });
  };

  const fixAtCursor = (view: EditorView): boolean => {
    if (!uri) return false;
    const pos = view.state.selection.main.head;
    const fixes = service.fixes(sync(view), { from: pos, to: pos });
    if (!fixes[0]) return false;
    applyEdits(view, fixes[0].edits);
    return true;
  };

  const extensions: Extension[] = [
    basicSetup,
    tokensField,
    analyser,
    lint,
    lintGutter(),
    hover,
    autocompletion({ override: [complete], activateOnTyping: true }),
    // Above basicSetup's keys: its Mod-i selects the parent syntax node, which .yk has none of.
    Prec.high(
      keymap.of([
        {
          key: 'Mod-s',
          preventDefault: true,
          run: () => {
            events.save();
            return true;
          },
        },
        { key: 'Mod-.', run: fixAtCursor },
        // Hover from the keyboard: what the name at the cursor is, until the cursor moves.
        {
          key: 'Mod-i',
          preventDefault: true,
          run: (view) => {
            activateHover(view, view.state.selection.main.head, 1, {
              tooltip: hover,
              until: (tr) => tr.docChanged || tr.selection !== undefined,
            });
            return true;
          },
        },
        {
          key: 'Escape',
          run: (view) => {
            if (!hasHoverTooltips(view.state)) return false;
            view.dispatch({ effects: closeHoverTooltips });
            return true;
          },
        },
      ]),
    ),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': 'product rules (.yk)' }),
  ];

  const view = new EditorView({ parent, state: EditorState.create({ doc: '', extensions }) });

  const ed: Editor = {
    view,
    open(next, text) {
      if (uri) states.set(uri, view.state);
      uri = next;
      const kept = states.get(next);
      view.setState(kept && kept.doc.toString() === text ? kept : EditorState.create({ doc: text, extensions }));
    },
    uri: () => uri,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    select(from, to) {
      const len = view.state.doc.length;
      view.dispatch({
        selection: { anchor: Math.min(from, len), head: Math.min(to, len) },
        effects: EditorView.scrollIntoView(Math.min(from, len), { y: 'center' }),
      });
      view.focus();
    },
    applyFix(edits) {
      applyEdits(view, edits);
      view.focus();
    },
    format() {
      sync(view);
      const edits = service.format(uri);
      if (!edits.length) return view.state.doc.toString();
      // The formatter's one edit spans every line it touched: keep the cursor on its line and
      // the view where it was, rather than where that edit starts.
      const head = view.state.selection.main.head;
      const line = view.state.doc.lineAt(head);
      const top = view.scrollDOM.scrollTop;
      applyEdits(view, edits);
      const after = view.state.doc.line(Math.min(line.number, view.state.doc.lines));
      view.dispatch({ selection: { anchor: Math.min(after.from + (head - line.from), after.to) } });
      view.scrollDOM.scrollTop = top;
      return view.state.doc.toString();
    },
  };
  return ed;
}

function cmDiagnostic(d: LanguageDiagnostic, length: number): CmDiagnostic {
  const from = Math.min(d.from, length);
  return {
    from,
    to: Math.min(Math.max(d.to, from), length),
    severity: d.severity === 'error' ? 'error' : 'warning',
    source: d.code,
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
    actions: d.fixes.map((f) => ({
      name: f.title,
      // The diagnostic may have moved with edits since it was made: its fix moves with it.
      apply(view: EditorView, at: number) {
        const shift = at - from;
        view.dispatch({ changes: f.edits.map((e) => ({ from: e.from + shift, to: e.to + shift, insert: e.insert })) });
      },
    })),
  };
}
