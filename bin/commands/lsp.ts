// yakkan lsp: the Language Server Protocol over stdio, a thin adapter over the language service
// (language/). It converts LSP's line/character positions to the service's offsets and back;
// everything a `.yk` file means is decided by the service.
import {
  type CodeAction,
  CodeActionKind,
  CompletionItemKind,
  type Diagnostic as LspDiagnostic,
  DiagnosticSeverity,
  type DocumentSymbol,
  ErrorCodes,
  ProposedFeatures,
  type Range,
  ResponseError,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  type TextEdit as LspTextEdit,
  createConnection,
} from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { defineCommand } from '../args.js';
import {
  type CompletionKind,
  LanguageService,
  type LanguageDiagnostic,
  type OutlineItem,
  type TextEdit,
  type TextRange,
  TOKEN_MODIFIERS,
  TOKEN_TYPES,
} from '../../language/index.js';
import { nodeHost } from '../../language/node-host.js';

export const command = defineCommand({
  name: 'lsp',
  args: '',
  summary: 'the language server for .yk product files (LSP over stdio)',
  description: `Speaks the Language Server Protocol on stdin and stdout, for any editor: diagnostics as
\`yakkan check\` gives them (with quick fixes where a hint names one), hover, completion, go to
definition, find references, rename, the document outline, formatting and semantic highlighting.
Citations are checked against the seed folder \`yakkan check\` uses (YAKKAN_SOURCES), or --sources.
editors/vscode/ is a VS Code client; docs/language.md shows how to use it from Neovim.`,
  positionals: { max: 0 },
  options: {
    stdio: { type: 'boolean', help: 'talk over stdin and stdout (the default; editors pass it)' },
    sources: { type: 'string', value: 'DIR', help: 'the seed folder citations quote (default: as yakkan check)' },
    clientProcessId: { type: 'string', value: 'PID', help: 'passed by some clients; not used' },
  },
  run({ values }) {
    return serve(new LanguageService(nodeHost(values.sources)));
  },
});

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  fact: CompletionItemKind.Variable,
  field: CompletionItemKind.Field,
  formula: CompletionItemKind.Function,
  define: CompletionItemKind.Function,
  table: CompletionItemKind.Class,
  output: CompletionItemKind.Property,
  amount: CompletionItemKind.Value,
  enum: CompletionItemKind.EnumMember,
  function: CompletionItemKind.Function,
  type: CompletionItemKind.TypeParameter,
  unit: CompletionItemKind.Unit,
  mode: CompletionItemKind.EnumMember,
  loop: CompletionItemKind.Variable,
};

const SYMBOL_KINDS: Record<OutlineItem['kind'], SymbolKind> = {
  product: SymbolKind.Module,
  fact: SymbolKind.Variable,
  field: SymbolKind.Field,
  formula: SymbolKind.Function,
  define: SymbolKind.Function,
  table: SymbolKind.Class,
  output: SymbolKind.Property,
  amount: SymbolKind.Struct,
  rule: SymbolKind.Event,
  enum: SymbolKind.EnumMember,
  loop: SymbolKind.Variable,
  row: SymbolKind.Array,
  step: SymbolKind.Operator,
};

function serve(service: LanguageService): Promise<number> {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);

  const doc = (uri: string): TextDocument | undefined => documents.get(uri);
  const range = (d: TextDocument, r: TextRange): Range => ({ start: d.positionAt(r.from), end: d.positionAt(r.to) });
  const edit = (d: TextDocument, e: TextEdit): LspTextEdit => ({ range: range(d, e), newText: e.insert });
  // A handler that fails answers with nothing (and says why in the client's log), never kills the server.
  const guard =
    <A extends unknown[], R>(fallback: R, f: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return f(...args);
      } catch (e) {
        connection.console.error(`yakkan lsp: ${(e as Error).message}`);
        return fallback;
      }
    };

  // Diagnostics go out once the burst of changes that arrived together has been applied.
  const pending = new Set<string>();
  const validate = (uri: string): void => {
    if (pending.has(uri)) return;
    pending.add(uri);
    setImmediate(() => {
      pending.delete(uri);
      const d = doc(uri);
      if (!d || !service.has(uri)) return;
      guard(undefined, () => {
        const diagnostics = service.diagnostics(uri).map((x) => lspDiagnostic(d, x));
        void connection.sendDiagnostics({ uri, version: d.version, diagnostics });
      })();
    });
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['.'] },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      semanticTokensProvider: {
        legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] },
        full: true,
      },
    },
    serverInfo: { name: 'yakkan' },
  }));

  documents.onDidChangeContent((e) => {
    service.update(e.document.uri, e.document.getText(), e.document.version);
    validate(e.document.uri);
  });
  documents.onDidClose((e) => {
    service.close(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      const h = d && service.hover(d.uri, d.offsetAt(p.position));
      return h ? { contents: { kind: 'markdown' as const, value: h.markdown }, range: range(d, h) } : null;
    }),
  );

  connection.onCompletion(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return null;
      const c = service.complete(d.uri, d.offsetAt(p.position));
      const r = range(d, c);
      return {
        isIncomplete: false,
        items: c.items.map((i) => ({
          label: i.label,
          kind: COMPLETION_KINDS[i.kind],
          sortText: i.sortText,
          filterText: i.label,
          textEdit: { range: r, newText: i.label },
          ...(i.detail ? { detail: i.detail } : {}),
        })),
      };
    }),
  );

  connection.onDefinition(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      return d
        ? service.definition(d.uri, d.offsetAt(p.position)).map((r) => ({ uri: d.uri, range: range(d, r) }))
        : null;
    }),
  );

  connection.onReferences(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return null;
      return service
        .references(d.uri, d.offsetAt(p.position), p.context.includeDeclaration)
        .map((r) => ({ uri: d.uri, range: range(d, r) }));
    }),
  );

  connection.onPrepareRename(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return null;
      const r = service.prepareRename(d.uri, d.offsetAt(p.position));
      if ('error' in r) return new ResponseError(ErrorCodes.InvalidRequest, r.error);
      return { range: range(d, r), placeholder: r.placeholder };
    }),
  );

  connection.onRenameRequest(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return null;
      const r = service.rename(d.uri, d.offsetAt(p.position), p.newName);
      if ('error' in r) return new ResponseError(ErrorCodes.InvalidRequest, r.error);
      return { changes: { [d.uri]: r.edits.map((e) => edit(d, e)) } };
    }),
  );

  connection.onDocumentSymbol(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      const symbol = (o: OutlineItem): DocumentSymbol => ({
        name: o.name,
        kind: SYMBOL_KINDS[o.kind],
        range: range(d!, o.range),
        selectionRange: range(d!, o.selection),
        children: o.children.map(symbol),
        ...(o.detail ? { detail: o.detail } : {}),
      });
      return d ? service.outline(d.uri).map(symbol) : null;
    }),
  );

  connection.onDocumentFormatting(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      return d ? service.format(d.uri).map((e) => edit(d, e)) : null;
    }),
  );

  connection.onCodeAction(
    guard(null, (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return null;
      const from = d.offsetAt(p.range.start);
      const to = d.offsetAt(p.range.end);
      const actions: CodeAction[] = [];
      for (const x of service.diagnostics(d.uri)) {
        if (x.from > to || x.to < from) continue;
        for (const f of x.fixes) {
          actions.push({
            title: f.title,
            kind: CodeActionKind.QuickFix,
            isPreferred: true,
            diagnostics: [lspDiagnostic(d, x)],
            edit: { changes: { [d.uri]: f.edits.map((e) => edit(d, e)) } },
          });
        }
      }
      return actions;
    }),
  );

  connection.languages.semanticTokens.on(
    guard({ data: [] }, (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return { data: [] };
      const data: number[] = [];
      let line = 0;
      let char = 0;
      for (const t of service.semanticTokens(d.uri)) {
        const pos = d.positionAt(t.from);
        const mods = (t.declaration ? 1 : 0) | (t.defaultLibrary ? 2 : 0);
        data.push(
          pos.line - line,
          pos.line === line ? pos.character - char : pos.character,
          t.length,
          TOKEN_TYPES.indexOf(t.type),
          mods,
        );
        line = pos.line;
        char = pos.character;
      }
      return { data };
    }),
  );

  documents.listen(connection);
  return new Promise((resolve) => {
    connection.onExit(() => resolve(0));
    connection.listen();
  });
}

function lspDiagnostic(d: TextDocument, x: LanguageDiagnostic): LspDiagnostic {
  return {
    range: { start: d.positionAt(x.from), end: d.positionAt(x.to) },
    severity: x.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: x.code,
    source: 'yakkan',
    message: x.hint ? `${x.message}\nhint: ${x.hint}` : x.message,
  };
}
