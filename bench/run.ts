// The performance bench (issue 7): one process, one run. First every engine must agree with
// yakkan (the hand-written code on every claim, the other engines on every claim they are timed
// on and every 10th beyond); any disagreement exits 1 before a single timing is taken. Then
// throughput, latency, cold load, cold CLI, memory, scaling and batch.
//   npm run bench                 human table
//   npm run bench -- --json       ... and a last line {"bench": [...]}
//   npm run bench -- --n 20000    a smaller corpus (default 100,000)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, createWriteStream, existsSync, statSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { loadProduct } from '../engine/loading/load.js';
import { decide, compile, type Compiled } from '../engine/pipeline/evaluate/index.js';
import { check } from '../engine/pipeline/check.js';
import { loadSources, projectRoot } from '../engine/loading/sources.js';
import { parseProduct } from '../dsl/index.js';
import type { Decision } from '../engine/pipeline/decision-types.js';
import { hasErrors } from '../dsl/diagnostics.js';
import { nexiCorpus, cyberCorpus } from './corpus.js';
import { decideNexi } from './nexi-handwritten.js';
import {
  groupsOf, prepare, yakkanFired, disagreements, jsonRulesEngine, jsonLogicEngine, zenEngine, loadZen, type OtherEngine, type Prepared,
} from './engines.js';
import { rulesProduct, tableProduct, scalingCorpus } from './scaling.js';
import { languageBench, renderLanguageBench } from './language.js';

const argv = process.argv.slice(2);
const flag = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const JSON_OUT = argv.includes('--json');
const N = Number(flag('--n') ?? 100_000);
const ROUNDS = Number(flag('--rounds') ?? 5);
// Engines two orders of magnitude slower than yakkan are timed on a slice of the corpus (every
// case still goes through the agreement check), so the bench stays within a few minutes.
const SLOW_SLICE = Math.min(N, Number(flag('--slow-slice') ?? 5_000));
const CYBER_N = Math.min(N, Number(flag('--cyber-n') ?? 2_000));
const CYBER_SLOW = Math.ceil(CYBER_N / 10);
const ROOT = projectRoot();
const TMP = join(tmpdir(), `yakkan-bench-${process.pid}`);
mkdirSync(TMP, { recursive: true });

const log = (s: string) => process.stderr.write(s + '\n');
const out = (s: string) => process.stdout.write(s + '\n');

function compiledOf(path: string): Compiled {
  const p = loadProduct(path);
  const rev = p.revisions[p.revisions.length - 1];
  if (hasErrors(p.diagnostics) || !rev?.compiled) throw new Error(`${path} does not check clean`);
  return rev.compiled;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const pct = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

interface Row {
  name: string;
  corpus: string;
  decisionsPerSecond: number;
  // Per second of this process's CPU time (all its threads): on a shared host, wall-clock
  // throughput drops when other work takes the cores; CPU time mostly does not.
  cpuPerSecond?: number;
  ratioToBaseline: number | null;
  p50Us: number;
  p99Us: number;
  cases: number;
}
const rows: Row[] = [];
let sink = 0; // keeps results alive so the JIT cannot drop the work
const agreement: string[] = [];

type Fn = (i: number) => unknown;

// The corpus is cut into ROUNDS consecutive slices, each timed as one round (throughput is the
// median round); each call is also timed alone for p50/p99. One pass over the corpus per engine
// keeps the bench within minutes; the hrtime pair costs ~0.1 µs per call, inside every number.
async function measure(name: string, corpus: string, n: number, fn: Fn, isAsync: boolean): Promise<Omit<Row, 'ratioToBaseline'>> {
  const rates: number[] = [];
  const cpuRates: number[] = [];
  const lat = new Float64Array(n);
  const per = Math.ceil(n / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    const from = r * per;
    const to = Math.min(n, from + per);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = from; i < to; i++) {
      const a = process.hrtime.bigint();
      const v = isAsync ? await fn(i) : fn(i);
      lat[i] = Number(process.hrtime.bigint() - a) / 1000;
      sink ^= v ? 1 : 0;
    }
    const c = process.cpuUsage(c0);
    rates.push((to - from) / ((performance.now() - t0) / 1000));
    cpuRates.push((to - from) / ((c.user + c.system) / 1e6));
  }
  lat.sort();
  return { name, corpus, decisionsPerSecond: median(rates), cpuPerSecond: median(cpuRates), p50Us: pct(lat, 0.5), p99Us: pct(lat, 0.99), cases: n };
}

function fail(msgs: string[]): never {
  log(`\nDISAGREEMENT (${msgs.length}):\n${msgs.slice(0, 30).join('\n')}`);
  process.exit(1);
}

// yakkan's payout and premiums, as the hand-written function reports them.
function yakkanMoney(d: Decision, name: string, kind: 'amounts' | 'formulas'): string | null {
  const a = d[kind].find((x) => x.name === name);
  const v = a?.value as { amount?: string } | string | null | undefined;
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? v.amount ?? null : v;
}
const sameMoney = (a: string | null, b: string | null) => (a === null || b === null ? a === b : new Decimal(a).eq(b));

// Lean (trace: false) against full trace: the same outcome, deciding rules, missing facts and
// amounts; lean mode may show fewer reasons, but each one it shows must be the full trace's.
function sameDecision(lean: Decision, full: Decision): boolean {
  const key = (r: Decision['reasons'][number]) => `${r.rule}#${r.item ?? ''}`;
  const fullReasons = new Map(full.reasons.map((r) => [key(r), JSON.stringify(r)]));
  return lean.outcome === full.outcome && lean.deciding.join() === full.deciding.join() && lean.missing.join() === full.missing.join() &&
    lean.reasons.every((r) => fullReasons.get(key(r)) === JSON.stringify(r)) &&
    JSON.stringify(lean.amounts.map((x) => x.value)) === JSON.stringify(full.amounts.map((x) => x.value));
}

// yakkan (both modes) and the hand-written function are compared on every case; the engines that
// need prepared facts, on every case they are timed on (the first othersAll) and every
// othersStride-th case beyond.
async function agree(label: string, c: Compiled, corpus: Record<string, unknown>[], others: OtherEngine[], hand: boolean, othersAll: number, othersStride: number): Promise<void> {
  const gs = groupsOf(c);
  const bad: string[] = [];
  const t0 = performance.now();
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < corpus.length; i++) {
    const f = corpus[i]!;
    const d = decide(c, f, { trace: false });
    const dt = decide(c, f, { trace: true });
    outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
    if (d.outcome === 'error') bad.push(`${label}#${i}: facts rejected: ${JSON.stringify(d.errors)}`);
    if (!sameDecision(d, dt)) bad.push(`${label}#${i}: trace:false and trace:true decide differently`);
    if (hand) {
      const h = decideNexi(f);
      const payout = yakkanMoney(d, 'payout', 'amounts');
      if (h.outcome !== d.outcome || [...h.deciding].sort().join() !== [...d.deciding].sort().join() || !sameMoney(h.payout, payout)) {
        bad.push(`${label}#${i}: hand-written ${h.outcome} [${h.deciding}] ${h.payout}, yakkan ${d.outcome} [${d.deciding}] ${payout}`);
      }
      if (h.premiums) {
        for (const [k, name] of [['political', 'political_premium'], ['credit', 'credit_premium']] as const) {
          const y = yakkanMoney(d, name, 'formulas');
          if (y !== null && h.premiums[k] !== null && !sameMoney(h.premiums[k], y)) bad.push(`${label}#${i}: ${name} hand-written ${h.premiums[k]}, yakkan ${y}`);
        }
      }
    }
    if (others.length && d.outcome !== 'error' && (i < othersAll || i % othersStride === 0)) {
      // d.items is empty when a claim-level rule blocks, but per-item reasons are still there.
      const itemCount = dt.reasons.reduce((m, r) => Math.max(m, (r.item ?? -1) + 1), 0);
      const p = prepare(c, gs, f, itemCount);
      const yak = yakkanFired(dt);
      for (const e of others) bad.push(...disagreements(yak, await e.run(p), e.name).map((m) => `${label}#${i}: ${m}`));
    }
    if (bad.length > 30) fail(bad);
  }
  if (bad.length) fail(bad);
  const othersN = corpus.filter((_, i) => i < othersAll || i % othersStride === 0).length;
  const line = `${label}: yakkan trace on/off${hand ? ' and hand-written' : ''} agree on all ${corpus.length.toLocaleString()} cases; ${others.map((e) => e.name).join(', ')} on ${othersN.toLocaleString()}; outcomes ${JSON.stringify(outcomes)}`;
  agreement.push(line);
  log(`  ${line} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

// ---------------------------------------------------------------- cold measurements (child processes)
function child(args: string[], env: Record<string, string> = {}): Record<string, number | boolean> {
  const r = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'dist', 'bench', 'child.js'), ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | boolean>;
}

// Spawn to exit, in ms; the decision goes nowhere (printing it is in the number, reading it is not).
function wall(cmd: string[], env: Record<string, string> = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, cmd, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

async function batchWall(product: string, file: string, workers: number): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const sinkFile = createWriteStream('/dev/null');
    sinkFile.on('open', (fd) => {
      const p = spawn(process.execPath, [join(ROOT, 'bin', 'yakkan.js'), 'batch', product, file, '--workers', String(workers), '--no-trace'], { cwd: ROOT, stdio: ['ignore', fd, 'inherit'] });
      p.on('exit', (code) => { sinkFile.close(); code === 0 ? resolve() : reject(new Error(`batch exited ${code}`)); });
    });
  });
  return performance.now() - t0;
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const started = performance.now();
  log(`yakkan bench: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), corpus ${N.toLocaleString()} NEXI claims, ${ROUNDS} rounds`);
  const zen = await loadZen();
  const zenNote = typeof zen === 'string' ? zen : undefined;
  if (zenNote) log(`  note: ${zenNote}`);

  // ---- NEXI
  const nexi = compiledOf(join(ROOT, 'products', 'nexi-ip-license'));
  const corpus = nexiCorpus(N);
  const gs = groupsOf(nexi);
  const others: OtherEngine[] = [jsonRulesEngine(gs), jsonLogicEngine(gs), ...(typeof zen === 'string' ? [] : [zenEngine(zen, gs)])];
  log('agreement');
  await agree('nexi', nexi, corpus, others, true, SLOW_SLICE, 10);

  // ---- cyber (multi-item), when it checks clean
  const cyberPath = join(ROOT, 'products', 'cyber', 'product.yk');
  let cyber: { c: Compiled; corpus: Record<string, unknown>[]; others: OtherEngine[] } | undefined;
  let cyberNote: string | undefined;
  if (existsSync(cyberPath)) {
    try {
      const c = compiledOf(join(ROOT, 'products', 'cyber'));
      const cgs = groupsOf(c);
      cyber = { c, corpus: cyberCorpus(ROOT, CYBER_N), others: [jsonRulesEngine(cgs), jsonLogicEngine(cgs), ...(typeof zen === 'string' ? [] : [zenEngine(zen, cgs)])] };
      await agree('cyber', c, cyber.corpus, cyber.others, false, CYBER_SLOW, 10);
    } catch (e) {
      cyberNote = `cyber skipped: ${(e as Error).message}`;
      log(`  ${cyberNote}`);
    }
  }

  log('throughput and latency');
  const base = await measure('hand-written TypeScript (decimal.js)', 'nexi', N, (i) => decideNexi(corpus[i]!), false);
  rows.push({ ...base, ratioToBaseline: 1 });
  const push = (r: Omit<Row, 'ratioToBaseline'>, ratio = true) => { rows.push({ ...r, ratioToBaseline: ratio ? r.decisionsPerSecond / base.decisionsPerSecond : null }); log(`  ${r.name}: ${Math.round(r.decisionsPerSecond).toLocaleString()}/s`); };
  push(await measure('yakkan, reasons (trace: false)', 'nexi', N, (i) => decide(nexi, corpus[i]!, { trace: false }), false));
  push(await measure('yakkan, full trace (trace: true)', 'nexi', N, (i) => decide(nexi, corpus[i]!, { trace: true }), false));
  // The other engines read prepared facts; preparing them (yakkan work) is not timed.
  const slice = corpus.slice(0, SLOW_SLICE);
  const prepared: Prepared[] = slice.map((f) => prepare(nexi, gs, f, 0));
  for (const e of others) {
    const isAsync = e.name !== 'json-logic-js';
    push(await measure(e.name, 'nexi', SLOW_SLICE, (i) => e.run(prepared[i]!), isAsync));
  }
  if (cyber) {
    const cy = cyber;
    push(await measure('yakkan, reasons (trace: false)', 'cyber', cy.corpus.length, (i) => decide(cy.c, cy.corpus[i]!, { trace: false }), false), false);
    push(await measure('yakkan, full trace (trace: true)', 'cyber', cy.corpus.length, (i) => decide(cy.c, cy.corpus[i]!, { trace: true }), false), false);
    const cgs = groupsOf(cy.c);
    const cslice = cy.corpus.slice(0, CYBER_SLOW);
    const cprep = cslice.map((f) => prepare(cy.c, cgs, f, ((f['claim'] as Record<string, unknown>)['items'] as unknown[]).length));
    for (const e of cy.others) push(await measure(e.name, 'cyber', cprep.length, (i) => e.run(cprep[i]!), e.name !== 'json-logic-js'), false);
  }

  // ---- scaling: generated products, written as DSL
  log('scaling');
  const genDir = join(TMP, 'products');
  mkdirSync(genDir, { recursive: true });
  const generated: Record<string, string> = {
    'rules-1000': join(genDir, 'rules-1000.yk'),
    'table-1000': join(genDir, 'table-1000.yk'),
  };
  writeFileSync(generated['rules-1000']!, rulesProduct(1000));
  writeFileSync(generated['table-1000']!, tableProduct(1000));
  const scorpus = scalingCorpus(Math.min(N, 20_000));
  for (const [name, file] of Object.entries(generated)) {
    const c = compiledOf(file);
    const outcomes = new Set(scorpus.slice(0, 2000).map((f) => decide(c, f, { trace: false }).outcome));
    if (outcomes.has('error')) fail([`${name}: generated facts rejected`]);
    // Warm up first (the JIT compiles on a background thread, which a short timed run would pay
    // for), then time the whole corpus: 5 rounds of 4,000.
    for (let k = 0; k < 2; k++) for (const f of scorpus.slice(0, 5000)) sink ^= decide(c, f, { trace: false }).outcome.length;
    const n = scorpus.length;
    push(await measure(`yakkan, reasons (trace: false)`, name, n, (i) => decide(c, scorpus[i]!, { trace: false }), false), false);
  }

  // ---- cold: load-and-compile per product, memory, CLI
  log('cold load, memory, CLI');
  const productFiles: Record<string, string> = {};
  for (const d of readdirSync(join(ROOT, 'products')).sort()) {
    const f = join(ROOT, 'products', d, 'product.yk');
    if (existsSync(f)) productFiles[d] = f;
  }
  const largest = Object.entries(productFiles).sort((a, b) => statSync(b[1]).size - statSync(a[1]).size)[0]!;
  const loadTargets: [string, string][] = [['nexi-ip-license', productFiles['nexi-ip-license']!]];
  if (largest[0] !== 'nexi-ip-license') loadTargets.push(largest);
  if (cyber && largest[0] !== 'cyber') loadTargets.push(['cyber', productFiles['cyber']!]);
  loadTargets.push(['rules-1000 (generated)', generated['rules-1000']!], ['table-1000 (generated)', generated['table-1000']!]);
  const loads: { product: string; coldMs: number; cachedMs: number; warmMs: number; rules: number; kbPerProduct: number; lines: number }[] = [];
  // The compiled-model cache (engine/loading/product-cache.ts) lives in a folder of this run only, so
  // "cached" means: this file was loaded once before by some process, as the CLI's second run sees it.
  const cacheEnv = { YAKKAN_CACHE: join(TMP, 'cache') };
  for (const [name, file] of loadTargets) {
    const cold = [0, 1, 2].map(() => child(['load', file]));
    child(['load-cached', file], cacheEnv);
    const cached = [0, 1, 2].map(() => child(['load-cached', file], cacheEnv));
    if (cold.some((x) => x['errors'])) fail([`${name} does not check clean`]);
    const mem = child(['memory', file, name.includes('generated') ? '4' : '20']);
    const t0 = performance.now();
    for (let k = 0; k < 5; k++) compiledOfFresh(file);
    loads.push({
      product: name, coldMs: median(cold.map((x) => x['ms'] as number)), cachedMs: median(cached.map((x) => x['ms'] as number)), warmMs: (performance.now() - t0) / 5, rules: cold[0]!['rules'] as number,
      kbPerProduct: (mem['bytesPerProduct'] as number) / 1024, lines: countLines(file),
    });
  }
  const claimFile = join(ROOT, 'products', 'nexi-ip-license', 'examples', 'claim.yaml');
  const decideCmd = [join(ROOT, 'bin', 'yakkan.js'), 'decide', 'products/nexi-ip-license', claimFile];
  // The first run writes the cache entries; the timed ones are a user's second and later runs.
  wall(decideCmd, cacheEnv);
  const cli = [0, 1, 2, 3, 4].map(() => wall(decideCmd, cacheEnv));
  const cliNoCache = [0, 1, 2, 3, 4].map(() => wall(decideCmd, { YAKKAN_CACHE: 'off' }));
  const nodeBare = [0, 1, 2].map(() => wall(['-e', '0']));
  const phasesOf = (args: string[]) => JSON.parse(spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'cold-phases.js'), 'products/nexi-ip-license', claimFile, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...cacheEnv } }).stdout) as Record<string, number>;
  const phases = phasesOf(['--cache']);
  const phasesDsl = phasesOf([]);

  // ---- batch through the CLI, on all cores
  log('batch');
  const batchN = Math.min(N, 50_000);
  const ndjson = join(TMP, 'nexi.ndjson');
  writeFileSync(ndjson, corpus.slice(0, batchN).map((f) => JSON.stringify(f)).join('\n') + '\n');
  const batch: { workers: number; decisionsPerSecond: number }[] = [];
  for (const w of [1, availableParallelism()].filter((x, i, a) => a.indexOf(x) === i)) {
    const ms = await batchWall('products/nexi-ip-license', ndjson, w);
    batch.push({ workers: w, decisionsPerSecond: batchN / (ms / 1000) });
    rows.push({ name: `yakkan batch --workers ${w} --no-trace (CLI, end to end)`, corpus: 'nexi', decisionsPerSecond: batchN / (ms / 1000), ratioToBaseline: batchN / (ms / 1000) / base.decisionsPerSecond, p50Us: NaN, p99Us: NaN, cases: batchN });
  }

  // ---- diff of two real revisions over a generated corpus (issue 6: a 1,000,000-case diff must
  // stream, use every core and finish in minutes). Two sizes: the peak memory must not grow.
  log('diff');
  const diffN = Math.min(N, 30_000);
  const ipDir = join(ROOT, 'products', 'overseas-ip-litigation');
  const diffCorpus = join(TMP, 'ip.ndjson');
  const tGen = performance.now();
  const gen = spawnSync(process.execPath, [join(ROOT, 'bin', 'yakkan.js'), 'cases', 'generate', ipDir, '--count', String(diffN), '--seed', '1', '--out', diffCorpus], { cwd: ROOT, encoding: 'utf8' });
  if (gen.status !== 0) fail([`cases generate failed: ${gen.stderr}`]);
  const genPerSecond = diffN / ((performance.now() - tGen) / 1000);
  const halfCorpus = join(TMP, 'ip-half.ndjson');
  writeFileSync(halfCorpus, readFileSync(diffCorpus, 'utf8').split('\n').slice(0, diffN / 2).join('\n') + '\n');
  const diffs: { jobs: number; cases: number; casesPerSecond: number; changed: number; maxRssMB: number }[] = [];
  const diffRun = (corpusFile: string, jobs: number) => {
    const r = child(['diff', join(ipDir, '2024-07.yk'), join(ipDir, 'product.yk'), corpusFile, String(jobs)]);
    return { jobs, cases: r['cases'] as number, casesPerSecond: (r['cases'] as number) / ((r['ms'] as number) / 1000), changed: r['changed'] as number, maxRssMB: r['maxRssMB'] as number };
  };
  for (const jobs of [1, availableParallelism()].filter((x, i, a) => a.indexOf(x) === i)) {
    const d = diffRun(diffCorpus, jobs);
    diffs.push(d);
    rows.push({ name: `yakkan diff 2024-07 → 2025-06, NDJSON, --jobs ${jobs} (cases/s; 2 decisions each, 4 when changed)`, corpus: 'overseas-ip generated', decisionsPerSecond: d.casesPerSecond, ratioToBaseline: null, p50Us: NaN, p99Us: NaN, cases: d.cases });
  }
  const diffHalf = diffRun(halfCorpus, availableParallelism());

  // ---- the language service: keystroke to diagnostics on cyber (bench/language.ts)
  log('language service');
  const language = await languageBench();

  // ---- report
  const totalS = (performance.now() - started) / 1000;
  const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—');
  out(`\nyakkan bench — node ${process.version}, ${availableParallelism()} cores, ${cpus()[0]?.model ?? ''}`);
  out(`corpus: ${N.toLocaleString()} NEXI claims (seeded), ${cyber ? `${cyber.corpus.length.toLocaleString()} cyber claims (1–8 items)` : cyberNote ?? 'no cyber product'}; ${ROUNDS} rounds, median; slow engines timed on ${SLOW_SLICE.toLocaleString()} NEXI cases`);
  if (zenNote) out(`note: ${zenNote}`);
  for (const a of agreement) out(`agreement: ${a}`);
  out('');
  out('| engine | corpus | decisions/s | × hand-written | per CPU-second | p50 µs | p99 µs |');
  out('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) out(`| ${r.name} | ${r.corpus} | ${fmt(r.decisionsPerSecond)} | ${r.ratioToBaseline === null ? '' : fmt(r.ratioToBaseline, 3)} | ${r.cpuPerSecond === undefined ? '—' : fmt(r.cpuPerSecond)} | ${fmt(r.p50Us, 1)} | ${fmt(r.p99Us, 1)} |`);
  out('');
  out('| product | lines | rules | cold load+compile from DSL ms (fresh node) | cold load from cache ms | warm ms | heap per loaded copy KB |');
  out('|---|---:|---:|---:|---:|---:|---:|');
  for (const l of loads) out(`| ${l.product} | ${l.lines} | ${l.rules} | ${fmt(l.coldMs, 1)} | ${fmt(l.cachedMs, 1)} | ${fmt(l.warmMs, 1)} | ${fmt(l.kbPerProduct)} |`);
  out('');
  const showPhases = (ph: Record<string, number>) => Object.entries(ph).filter(([k]) => k !== 'bytes').map(([k, v]) => `${k} ${v}`).join(', ');
  out(`cold \`yakkan decide\` (nexi example claim, spawn to exit): median ${fmt(median(cli))} ms (min ${fmt(Math.min(...cli))}) with the compiled-model cache; ${fmt(median(cliNoCache))} ms with YAKKAN_CACHE=off (from the DSL); bare \`node -e 0\`: ${fmt(median(nodeBare))} ms`);
  out(`  phases of one cold decide, cached (ms): ${showPhases(phases)}`);
  out(`  phases of one cold decide, from the DSL (ms): ${showPhases(phasesDsl)}`);

  const best = diffs[diffs.length - 1]!;
  out(`diff: ${fmt(best.cases)} generated overseas-ip cases (${fmt(genPerSecond)}/s to generate), ${fmt(best.changed)} changed; ${fmt(best.casesPerSecond)} cases/s on ${best.jobs} worker${best.jobs === 1 ? '' : 's'} (${fmt(diffs[0]!.casesPerSecond)}/s on 1): 1,000,000 cases in ~${fmt(1_000_000 / best.casesPerSecond / 60, 1)} min; peak RSS ${fmt(best.maxRssMB)} MB for ${fmt(best.cases)} cases, ${fmt(diffHalf.maxRssMB)} MB for ${fmt(diffHalf.cases)}`);
  out('');
  out(renderLanguageBench(language));

  const get = (name: string, corpus = 'nexi') => rows.find((r) => r.name.startsWith(name) && r.corpus === corpus);
  const yr = get('yakkan, reasons')!;
  const jre = get('json-rules-engine');
  const zr = get('zen-engine');
  const maxLoad = Math.max(...loads.filter((l) => !l.product.includes('generated')).map((l) => l.coldMs));
  const targets: { target: string; value: string; holds: boolean | null }[] = [
    { target: 'yakkan with reasons >= 0.5x hand-written', value: `${fmt(yr.ratioToBaseline!, 3)}x (${fmt(yr.cpuPerSecond! / base.cpuPerSecond!, 3)}x per CPU-second)`, holds: yr.ratioToBaseline! >= 0.5 },
    { target: 'yakkan with reasons >= 25x json-rules-engine', value: jre ? `${fmt(yr.decisionsPerSecond / jre.decisionsPerSecond, 1)}x` : 'n/a', holds: jre ? yr.decisionsPerSecond / jre.decisionsPerSecond >= 25 : null },
    { target: 'yakkan ahead of zen-engine', value: zr ? `${fmt(yr.decisionsPerSecond / zr.decisionsPerSecond, 1)}x` : zenNote ?? 'n/a', holds: zr ? yr.decisionsPerSecond > zr.decisionsPerSecond : null },
    ...['rules-1000', 'table-1000'].map((c) => { const r = get('yakkan, reasons', c)!; return { target: `${c}: >= 100,000 decisions/s`, value: `${fmt(r.decisionsPerSecond)} (${fmt(r.cpuPerSecond ?? NaN)} per CPU-second)`, holds: r.decisionsPerSecond >= 100_000 }; }),
    { target: `largest product (${largest[0]}) loads+compiles from DSL < 50 ms (cold)`, value: `${fmt(maxLoad, 1)} ms`, holds: maxLoad < 50 },
    { target: 'cold yakkan decide < 300 ms (product unchanged since its last load: cache hit)', value: `${fmt(median(cli))} ms`, holds: median(cli) < 300 },
    { target: 'cold yakkan decide < 300 ms (YAKKAN_CACHE=off: from the DSL)', value: `${fmt(median(cliNoCache))} ms`, holds: median(cliNoCache) < 300 },
    ...language.map((l) => ({ target: `keystroke → diagnostics on cyber < 50 ms: ${l.name}`, value: `median ${fmt(l.medianMs, 1)} ms, p95 ${fmt(l.p95Ms, 1)} ms`, holds: l.medianMs < 50 })),
  ];
  out('');
  out('| target | this run | holds |');
  out('|---|---|---|');
  for (const t of targets) out(`| ${t.target} | ${t.value} | ${t.holds === null ? 'n/a' : t.holds ? 'yes' : 'no'} |`);
  out(`\nbench time ${fmt(totalS)} s (sink ${sink & 1})`);
  rmSync(TMP, { recursive: true, force: true });
  if (JSON_OUT) {
    out(JSON.stringify({
      bench: rows.map((r) => ({ name: `${r.name} [${r.corpus}]`, decisionsPerSecond: Math.round(r.decisionsPerSecond), ratioToBaseline: r.ratioToBaseline === null ? null : Number(r.ratioToBaseline.toFixed(4)) })),
      cpuPerSecond: Object.fromEntries(rows.filter((r) => r.cpuPerSecond !== undefined).map((r) => [`${r.name} [${r.corpus}]`, Math.round(r.cpuPerSecond!)])),
      node: process.version, cores: availableParallelism(),
      load: loads, coldDecideMs: median(cli), coldDecideNoCacheMs: median(cliNoCache), coldPhasesMs: phases, coldPhasesDslMs: phasesDsl, diff: { generatedPerSecond: genPerSecond, runs: [...diffs, diffHalf] }, batch, language, targets: targets.map((t) => ({ target: t.target, value: t.value, holds: t.holds })),
    }));
  }
}

// In-process parse + check + compile, bypassing loadProduct's cache: the warm cost of a reload.
function compiledOfFresh(file: string): void {
  const { model } = parseProduct(readFileSync(file, 'utf8'), file);
  sink ^= compile(check(model, loadSources())).rules.length;
}

function countLines(file: string): number {
  return readFileSync(file, 'utf8').split('\n').length;
}

main().catch((e) => {
  log(String((e as Error).stack ?? e));
  process.exit(1);
});
