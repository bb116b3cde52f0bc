// `yakkan lsp` at the protocol level: the server spawned, spoken to in JSON-RPC over stdio as an
// editor would, on a real product (cyber, the largest): diagnostics as `yakkan check` gives them,
// hover, completion, definition, a typo reported at its line and column with a quick fix, then
// rename, outline, formatting and semantic tokens, and a clean shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, type Message } from '../language/lsp-client.js';
import { loadProduct } from '../engine/loading/load.js';
import { formatSource } from '../dsl/format.js';
import { ROOT } from './helpers.js';

const FILE = join(ROOT, 'products', 'cyber', 'product.yk');
const URI = pathToFileURL(FILE).href;
const TEXT = readFileSync(FILE, 'utf8');
const LINES = TEXT.split('\n');
// Uses of policy.plan outside comments.
const PLAN_USES =
  LINES.filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .split(/policy\.plan\b/).length - 1;

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
interface LspDiagnostic {
  range: Range;
  severity: number;
  code: string;
  message: string;
}

// The position of the k-th character of the first line holding a snippet.
function pos(snippet: string, k = 0): Position {
  const line = LINES.findIndex((l) => l.includes(snippet));
  if (line < 0) throw new Error(`no ${snippet} in cyber`);
  return { line, character: LINES[line]!.indexOf(snippet) + k };
}

const diagnosticsOf = (version: number) => (m: Message) =>
  m.method === 'textDocument/publishDiagnostics' &&
  (m.params as { uri: string; version?: number }).uri === URI &&
  (m.params as { version?: number }).version === version;

describe('yakkan lsp', () => {
  let lsp: LspClient;
  const doc = { textDocument: { uri: URI } };

  beforeAll(async () => {
    lsp = LspClient.start();
    const init = await lsp.request<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    expect(Object.keys(init.capabilities)).toEqual(
      expect.arrayContaining([
        'textDocumentSync',
        'hoverProvider',
        'completionProvider',
        'definitionProvider',
        'referencesProvider',
        'renameProvider',
        'documentSymbolProvider',
        'documentFormattingProvider',
        'codeActionProvider',
        'semanticTokensProvider',
      ]),
    );
    lsp.notify('initialized', {});
  });
  afterAll(() => lsp?.kill());

  it('publishes the diagnostics of yakkan check when a product is opened', async () => {
    lsp.notify('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'yakkan', version: 1, text: TEXT } });
    const published = await lsp.next(diagnosticsOf(1));
    const got = (published.params as { diagnostics: LspDiagnostic[] }).diagnostics;
    const expected = loadProduct(FILE).diagnostics;
    expect(got.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`)).toEqual(
      expected.map((d) => `${d.span?.start.line}:${d.span?.start.column} ${d.code}`),
    );
  });

  it('hovers a fact with its label, type and declaration', async () => {
    const h = await lsp.request<{ contents: { kind: string; value: string }; range: Range }>('textDocument/hover', {
      ...doc,
      position: pos('policy.plan = premium', 3),
    });
    expect(h.contents.kind).toBe('markdown');
    expect(h.contents.value).toContain('**fact** `policy.plan` — 加入プラン');
    expect(h.contents.value).toMatch(/type: `enum\(standard.*premium.*\)`/);
    expect(h.range).toEqual({ start: pos('policy.plan = premium'), end: pos('policy.plan = premium', 11) });
  });

  it('completes the enum values after a comparison, then names', async () => {
    const c = await lsp.request<{ items: { label: string; kind: number; textEdit: { range: Range } }[] }>(
      'textDocument/completion',
      {
        ...doc,
        position: pos('policy.plan = premium', 14),
      },
    );
    expect(c.items.slice(0, 2).map((i) => i.label)).toEqual(['standard', 'premium']);
    expect(c.items.map((i) => i.label)).toEqual(expect.arrayContaining(['policy.it_option', 'claim.items', 'min']));
    expect(c.items[0]!.textEdit.range).toEqual({
      start: pos('policy.plan = premium', 14),
      end: pos('policy.plan = premium', 14),
    });
  });

  it('goes to the declaration of a fact and finds its uses', async () => {
    const defs = await lsp.request<{ uri: string; range: Range }[]>('textDocument/definition', {
      ...doc,
      position: pos('policy.plan = premium', 3),
    });
    expect(defs).toEqual([
      { uri: URI, range: { start: pos('fact policy.plan', 5), end: pos('fact policy.plan', 16) } },
    ]);
    const refs = await lsp.request<unknown[]>('textDocument/references', {
      ...doc,
      position: pos('policy.plan = premium', 3),
      context: { includeDeclaration: true },
    });
    expect(refs.length).toBe(PLAN_USES);
  });

  it('reports a typo at its line and column, and offers the fix its hint names', async () => {
    const at = pos('policy.plan = premium', 10);
    lsp.notify('textDocument/didChange', {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ range: { start: at, end: { ...at, character: at.character + 1 } }, text: 'm' }],
    });
    const published = await lsp.next(diagnosticsOf(2));
    const errors = (published.params as { diagnostics: LspDiagnostic[] }).diagnostics.filter((d) => d.severity === 1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'check/unknown-name',
      message: 'unknown name policy.plam\nhint: did you mean policy.plan?',
      range: { start: pos('policy.plan = premium'), end: pos('policy.plan = premium', 11) },
    });
    const actions = await lsp.request<
      { title: string; kind: string; edit: { changes: Record<string, { range: Range; newText: string }[]> } }[]
    >('textDocument/codeAction', { ...doc, range: { start: at, end: at }, context: { diagnostics: errors } });
    expect(actions).toEqual([expect.objectContaining({ title: 'Change to policy.plan', kind: 'quickfix' })]);
    const [edit] = actions[0]!.edit.changes[URI]!;
    lsp.notify('textDocument/didChange', {
      textDocument: { uri: URI, version: 3 },
      contentChanges: [{ range: edit!.range, text: edit!.newText }],
    });
    const fixed = await lsp.next(diagnosticsOf(3));
    expect((fixed.params as { diagnostics: LspDiagnostic[] }).diagnostics.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('renames, outlines, formats and highlights', async () => {
    const rename = await lsp.request<{ changes: Record<string, unknown[]> }>('textDocument/rename', {
      ...doc,
      position: pos('policy.plan = premium', 3),
      newName: 'policy.tier',
    });
    expect(rename.changes[URI]!.length).toBe(PLAN_USES);
    await expect(
      lsp.request('textDocument/rename', { ...doc, position: pos('policy.plan = premium', 3), newName: 'policy tier' }),
    ).rejects.toThrow(/not a name/);
    const symbols = await lsp.request<{ name: string }[]>('textDocument/documentSymbol', doc);
    expect(symbols[0]!.name).toBe('cyber');
    expect(symbols.map((s) => s.name)).toContain('liability_payout');
    const edits = await lsp.request<{ range: Range; newText: string }[]>('textDocument/formatting', {
      ...doc,
      options: { tabSize: 2, insertSpaces: true },
    });
    const offset = (p: Position) => LINES.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    const formatted = [...edits]
      .reverse()
      .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), TEXT);
    expect(formatted).toBe(formatSource(TEXT));
    const tokens = await lsp.request<{ data: number[] }>('textDocument/semanticTokens/full', doc);
    expect(tokens.data.length % 5).toBe(0);
    expect(tokens.data.length).toBeGreaterThan(5000);
  });

  it('shuts down when asked', async () => {
    expect(await lsp.stop()).toBe(0);
  });
});
