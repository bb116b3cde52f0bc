// The language service's keystroke-to-diagnostics time on the largest product (cyber): an edit
// applied, the diagnostics returned. Two ways: in process (LanguageService.update, then
// diagnostics: what the browser studio pays) and through `yakkan lsp` over stdio (didChange to
// publishDiagnostics: what an editor waits). Target: under 50 ms.
//   node dist/bench/language.js [--rounds N] [--json]
// bench/run.ts includes its rows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LanguageService, LineIndex, minimalEdit } from '../language/index.js';
import { nodeHost } from '../language/node-host.js';
import { LspClient } from '../language/lsp-client.js';
import { projectRoot } from '../engine/loading/sources.js';

export interface KeystrokeResult {
  name: string;
  rounds: number;
  medianMs: number;
  p95Ms: number;
  // In-process rounds only: CPU time, which other work on a shared host does not inflate.
  cpuMedianMs?: number;
  // In-process rounds only: median milliseconds per stage.
  stages?: Record<string, number>;
}

const FILE = join(projectRoot(), 'products', 'cyber', 'product.yk');

// The keystrokes, in a loop: a typo in a fact's name (an error appears), its fix, a character
// typed into a label (nothing changes), a dangling operator (a syntax error: the recovering
// parser runs) and its removal.
function edits(text: string): string[] {
  const name = 'when policy.plan = premium';
  const i = text.indexOf(name);
  const label = text.indexOf('"加入プラン');
  const formula = text.indexOf('\n  = ', text.indexOf('\nformula '));
  const eol = text.indexOf('\n', formula + 1);
  if (i < 0 || label < 0 || formula < 0) throw new Error('bench/language.ts: cyber no longer has the text it edits');
  return [
    text.slice(0, i + 15) + 'm' + text.slice(i + 16),
    text,
    text.slice(0, label + 1) + '新' + text.slice(label + 1),
    text,
    text.slice(0, eol) + ' +' + text.slice(eol),
    text,
  ];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.95 * xs.length))]!;

export function inProcess(rounds: number): KeystrokeResult {
  const text = readFileSync(FILE, 'utf8');
  const texts = edits(text);
  const service = new LanguageService(nodeHost());
  service.update('cyber', text);
  service.diagnostics('cyber');
  const wall: number[] = [];
  const cpu: number[] = [];
  const stages: Record<string, number[]> = {};
  // Warm-up rounds first: the JIT compiles on a background thread, which the first rounds pay for.
  for (let r = -texts.length * 2; r < rounds; r++) {
    const next = texts[(r + texts.length * 2) % texts.length]!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    service.update('cyber', next, r);
    service.diagnostics('cyber');
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (r < 0) continue;
    wall.push(ms);
    cpu.push((c.user + c.system) / 1000);
    for (const [k, v] of Object.entries(service.analysis('cyber').timings))
      if (k !== 'index') (stages[k] ??= []).push(v);
  }
  return {
    name: 'language service, in process (update + diagnostics)',
    rounds,
    medianMs: median(wall),
    p95Ms: p95(wall),
    cpuMedianMs: median(cpu),
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])),
  };
}

export async function overLsp(rounds: number): Promise<KeystrokeResult> {
  const text = readFileSync(FILE, 'utf8');
  const texts = edits(text);
  const uri = pathToFileURL(FILE).href;
  const lsp = LspClient.start();
  try {
    await lsp.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    lsp.notify('initialized', {});
    const published = (version: number) =>
      lsp.next(
        (m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { version?: number }).version === version,
      );
    lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yakkan', version: 0, text } });
    await published(0);
    let current = text;
    const wall: number[] = [];
    for (let r = -texts.length * 2; r < rounds; r++) {
      const version = r + texts.length * 2 + 1;
      // As an editor sends a keystroke: the range it replaced, in the text before it.
      const next = texts[(version - 1) % texts.length]!;
      const lines = new LineIndex(current);
      const contentChanges = minimalEdit(current, next).map((e) => ({
        range: { start: lines.position(e.from), end: lines.position(e.to) },
        text: e.insert,
      }));
      current = next;
      const t0 = performance.now();
      lsp.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
      await published(version);
      if (r >= 0) wall.push(performance.now() - t0);
    }
    await lsp.stop();
    return {
      name: 'yakkan lsp over stdio (didChange → publishDiagnostics)',
      rounds,
      medianMs: median(wall),
      p95Ms: p95(wall),
    };
  } finally {
    lsp.kill();
  }
}

export async function languageBench(rounds = 60): Promise<KeystrokeResult[]> {
  return [inProcess(rounds), await overLsp(rounds)];
}

export function renderLanguageBench(results: KeystrokeResult[]): string {
  const f = (x: number) => x.toFixed(1);
  const lines = [
    '| keystroke → diagnostics, cyber (product.yk, 1,200 lines) | rounds | median ms | p95 ms | CPU median ms ' +
      '| < 50 ms |',
    '|---|---:|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.rounds} | ${f(r.medianMs)} | ${f(r.p95Ms)} | ` +
        `${r.cpuMedianMs === undefined ? '—' : f(r.cpuMedianMs)} | ${r.medianMs < 50 ? 'yes' : 'no'} |`,
    ),
  ];
  const stages = results.find((r) => r.stages)?.stages;
  if (stages)
    lines.push(
      `  stages, median ms: ${Object.entries(stages)
        .map(([k, v]) => `${k} ${f(v)}`)
        .join(', ')}`,
    );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(argv[i + 1]) : 60;
  const results = await languageBench(rounds);
  process.stdout.write(renderLanguageBench(results) + '\n');
  if (argv.includes('--json')) process.stdout.write(JSON.stringify({ language: results }) + '\n');
}
