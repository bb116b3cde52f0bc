// The performance bench (issues 7 and 17): one process, one run. First every engine must agree
// with yakkan (the hand-written baselines on every claim, outcome, deciding rules, payout and the
// three premiums; the other engines on every claim they are timed on and every 50th beyond); any
// disagreement exits 1 before a single timing is taken. Then interleaved throughput (bench/timing.ts:
// rounds in rotated order, gc() between passes, ratios per round), latency, scaling, cold load,
// cold CLI, memory, batch and diff.
//   npm run bench                 human tables
//   npm run bench -- --json       ... and a last line {"bench": [...]}
//   npm run bench -- --n 20000    a smaller corpus (default 100,000)
//   npm run bench -- --quick      throughput, agreement and scaling only
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { loadProduct, selectRevision, type LoadedProduct } from '../engine/loading/load.js';
import { decide, compile, type Compiled } from '../engine/pipeline/evaluate/index.js';
import { check } from '../engine/pipeline/check.js';
import { loadSources, projectRoot } from '../engine/loading/sources.js';
import { batchLine, decisionText } from '../engine/tools/batch.js';
import { parseProduct } from '../dsl/index.js';
import type { Decision } from '../engine/pipeline/decision-types.js';
import { hasErrors } from '../dsl/diagnostics.js';
import { nexiCorpus, cyberCorpus } from './corpus.js';
import { decideNexiDec, decideNexiInt, type HandDecision } from './nexi-handwritten.js';
import {
  groupsOf,
  prepare,
  yakkanFired,
  disagreements,
  jsonRulesEngine,
  jsonLogicEngine,
  zenEngine,
  loadZen,
  ruleLevels,
  type OtherEngine,
  type Prepared,
  type ZenModule,
} from './engines.js';
import { rulesProduct, rulesProductMixed, rulesProductMixedDense, tableProduct, scalingCorpus } from './scaling.js';
import { languageBench, renderLanguageBench } from './language.js';
import {
  type Contender,
  type Spread,
  type Timed,
  interleaved,
  median,
  ratios,
  sinkBit,
  spawnWall,
  spread,
} from './timing.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const JSON_OUT = argv.includes('--json');
// Throughput only: no cold starts, batch, diff or language service (for working on the evaluator).
const QUICK = argv.includes('--quick');
const N = Number(flag('--n') ?? 100_000);
const ROUNDS = Number(flag('--rounds') ?? 7);
const PASS_MS = Number(flag('--pass-ms') ?? 300);
// The share of amounts and rates written as pamphlets write them (9,000万円, 0.95).
const PAMPHLET = Number(flag('--pamphlet') ?? 0.3);
// Engines two orders of magnitude slower than yakkan cycle over a prepared slice of the corpus.
const SLOW_SLICE = Math.min(N, Number(flag('--slow-slice') ?? 2_000));
const CYBER_N = Math.min(N, Number(flag('--cyber-n') ?? 2_000));
const CYBER_SLOW = Math.ceil(CYBER_N / 10);
const IN_FLIGHT = 32;
const ROOT = projectRoot();
const TMP = join(tmpdir(), `yakkan-bench-${process.pid}`);
mkdirSync(TMP, { recursive: true });

const log = (s: string) => process.stderr.write(s + '\n');
const out = (s: string) => process.stdout.write(s + '\n');
let sink = 0;

function loaded(path: string): LoadedProduct {
  const p = loadProduct(path);
  if (hasErrors(p.diagnostics) || !p.revisions[p.revisions.length - 1]?.compiled)
    throw new Error(`${path} does not check clean`);
  return p;
}
const compiledOf = (path: string): Compiled => loaded(path).revisions.at(-1)!.compiled!;

function fail(msgs: string[]): never {
  log(`\nDISAGREEMENT (${msgs.length}):\n${msgs.slice(0, 30).join('\n')}`);
  process.exit(1);
}

// ---------------------------------------------------------------- agreement
// A money value as the decision shows it (an amount or formula), or null.
function shownMoney(d: Decision, name: string, kind: 'amounts' | 'formulas'): string | null {
  const v = d[kind].find((x) => x.name === name)?.value as { amount?: string } | string | null | undefined;
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? (v.amount ?? null) : v;
}
// Byte-equal text, not only equal value: the hand-written code writes amounts as yakkan shows them.
const sameMoney = (a: string | null, b: string | null) =>
  a === b || (a !== null && b !== null && new Decimal(a).eq(b) && a === b);

// Lean (trace: false) against full trace: the same outcome, deciding rules, missing facts and
// amounts; lean mode may show fewer reasons, but each one it shows must be the full trace's.
function sameDecision(lean: Decision, full: Decision): boolean {
  const key = (r: Decision['reasons'][number]) => `${r.rule}#${r.item ?? ''}`;
  const fullReasons = new Map(full.reasons.map((r) => [key(r), JSON.stringify(r)]));
  return (
    lean.outcome === full.outcome &&
    lean.deciding.join() === full.deciding.join() &&
    lean.missing.join() === full.missing.join() &&
    lean.reasons.every((r) => fullReasons.get(key(r)) === JSON.stringify(r)) &&
    JSON.stringify(lean.amounts.map((x) => x.value)) === JSON.stringify(full.amounts.map((x) => x.value))
  );
}

const PREMIUMS = [
  ['political', 'political_premium'],
  ['credit', 'credit_premium'],
  ['total', 'total_premium'],
] as const;

interface Agreement {
  line: string;
  premiumsCompared: number;
}

// yakkan (both modes) and the hand-written functions are compared on every case (the premiums
// against the full trace, which computes every formula); the engines that need prepared facts on
// the first othersAll cases and every othersStride-th beyond.
async function agree(
  label: string,
  c: Compiled,
  corpus: Record<string, unknown>[],
  others: OtherEngine[],
  hand: boolean,
  othersAll: number,
  othersStride: number,
): Promise<Agreement> {
  const gs = groupsOf(c);
  const levels = ruleLevels(gs);
  const bad: string[] = [];
  const t0 = performance.now();
  const outcomes: Record<string, number> = {};
  let premiumsCompared = 0;
  let othersN = 0;
  const compareHand = (i: number, name: string, h: HandDecision, full: Decision) => {
    const payout = shownMoney(full, 'payout', 'amounts');
    if (
      h.outcome !== full.outcome ||
      [...h.deciding].sort().join() !== [...full.deciding].sort().join() ||
      !sameMoney(h.payout, payout)
    ) {
      bad.push(
        `${label}#${i}: ${name} ${h.outcome} [${h.deciding}] ${h.payout}, yakkan ${full.outcome} [${full.deciding}] ${payout}`,
      );
    }
    for (const [k, formula] of PREMIUMS) {
      const y = shownMoney(full, formula, 'formulas');
      const v = h.premiums![k];
      if (y === null && v === null) continue;
      premiumsCompared++;
      if (!sameMoney(v, y)) bad.push(`${label}#${i}: ${formula} ${name} ${v}, yakkan ${y}`);
    }
  };
  for (let i = 0; i < corpus.length; i++) {
    const f = corpus[i]!;
    const d = decide(c, f, { trace: false });
    const dt = decide(c, f, { trace: true });
    outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
    if (d.outcome === 'error') bad.push(`${label}#${i}: facts rejected: ${JSON.stringify(d.errors)}`);
    if (!sameDecision(d, dt)) bad.push(`${label}#${i}: trace:false and trace:true decide differently`);
    if (hand) {
      compareHand(i, 'hand-written integer-exact', decideNexiInt(f, true), dt);
      compareHand(i, 'hand-written decimal.js', decideNexiDec(f, true), dt);
    }
    if (others.length && d.outcome !== 'error' && (i < othersAll || i % othersStride === 0)) {
      othersN++;
      // d.items is empty when a claim-level rule blocks, but per-item reasons are still there.
      const itemCount = dt.reasons.reduce((m, r) => Math.max(m, (r.item ?? -1) + 1), 0);
      const p = prepare(c, gs, f, itemCount);
      const yak = yakkanFired(dt);
      for (const e of others) {
        bad.push(
          ...disagreements(yak, await e.run(p), e.name, e.ladder ? levels : undefined).map(
            (m) => `${label}#${i}: ${m}`,
          ),
        );
      }
    }
    if (bad.length > 30) fail(bad);
  }
  // A comparison that compares nothing proves nothing.
  if (hand && premiumsCompared === 0) bad.push(`${label}: no premium was compared`);
  if (bad.length) fail(bad);
  const line =
    `${label}: yakkan trace on/off${hand ? ', hand-written integer-exact and decimal.js' : ''} agree on all ${corpus.length.toLocaleString()} cases` +
    `${hand ? ` (outcome, deciding rules, payout; ${premiumsCompared.toLocaleString()} premium values)` : ''}; ${others.map((e) => e.name).join(', ')} on ${othersN.toLocaleString()}` +
    ` (rules fired); outcomes ${JSON.stringify(outcomes)}`;
  log(`  ${line} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return { line, premiumsCompared };
}

// ---------------------------------------------------------------- contenders
function otherContenders(es: OtherEngine[], corpus: string, prepared: Prepared[]): Contender[] {
  return es.map((e) => ({
    name: e.name,
    corpus,
    n: prepared.length,
    run: (i: number) => e.run(prepared[i]!),
    async: e.name !== 'json-logic-js',
    inFlight: e.inFlight ?? 1,
  }));
}

function enginesFor(c: Compiled, zen: ZenModule | string): OtherEngine[] {
  const gs = groupsOf(c);
  return [
    jsonRulesEngine(gs),
    jsonRulesEngine(gs, true),
    jsonLogicEngine(gs),
    ...(typeof zen === 'string' ? [] : [zenEngine(zen, gs), zenEngine(zen, gs, IN_FLIGHT)]),
  ];
}

// NDJSON line in, decision line out, as a batch worker does it (engine/tools/batch.ts batchLine:
// parse, decide, serialise), on this thread.
function ndjson(p: LoadedProduct, lines: string[], trace: boolean): (i: number) => unknown {
  const decideFacts = decisionText(p, { trace });
  return (i) => batchLine(lines[i]!, i + 1, decideFacts).text.length;
}

// ---------------------------------------------------------------- cold measurements (child processes)
function child(args: string[], env: Record<string, string> = {}): Record<string, number | boolean> {
  const r = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'dist', 'bench', 'child.js'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | boolean>;
}

const wall = (cmd: string[], env: Record<string, string> = {}) => spawnWall(ROOT, cmd, env);

async function batchWall(product: string, file: string, workers: number, trace: boolean): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const sinkFile = createWriteStream('/dev/null');
    sinkFile.on('open', (fd) => {
      const args = [
        join(ROOT, 'bin', 'yakkan.js'),
        'batch',
        product,
        file,
        '--workers',
        String(workers),
        ...(trace ? [] : ['--no-trace']),
      ];
      const p = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', fd, 'inherit'] });
      p.on('exit', (code) => {
        sinkFile.close();
        code === 0 ? resolve() : reject(new Error(`batch exited ${code}`));
      });
    });
  });
  return performance.now() - t0;
}

// ---------------------------------------------------------------- report helpers
const fmt = (x: number, d = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—';
const fmtSpread = (s: Spread, d: number) => `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)})`;

interface Row {
  name: string;
  corpus: string;
  rate: Spread;
  cpuRate?: number;
  // Ratios to the baselines, per round.
  toDecimal?: Spread;
  toInteger?: Spread;
  p50Us?: number;
  p99Us?: number;
  note?: string;
}

function timedRow(t: Timed, base?: { dec: Timed; int: Timed }): Row {
  return {
    name: t.name,
    corpus: t.corpus,
    rate: spread(t.rates),
    cpuRate: median(t.cpuRates),
    p50Us: t.p50Us,
    p99Us: t.p99Us,
    ...(base ? { toDecimal: ratios(t, base.dec), toInteger: ratios(t, base.int) } : {}),
  };
}

// ---------------------------------------------------------------- cold starts, CLI batch, diff, language
async function coldBatchDiff(generated: [string, string][], hasCyber: boolean, lines: string[]) {
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
  if (hasCyber && largest[0] !== 'cyber') loadTargets.push(['cyber', productFiles['cyber']!]);
  for (const [name, file] of generated)
    if (!name.includes('10000') && !name.includes('dense')) loadTargets.push([`${name} (generated)`, file]);
  const loads: {
    product: string;
    coldMs: number;
    cachedMs: number;
    warmMs: number;
    rules: number;
    kbPerProduct: number;
    lines: number;
  }[] = [];
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
    for (let k = 0; k < 3; k++) compiledOfFresh(file);
    loads.push({
      product: name,
      coldMs: median(cold.map((x) => x['ms'] as number)),
      cachedMs: median(cached.map((x) => x['ms'] as number)),
      warmMs: (performance.now() - t0) / 3,
      rules: cold[0]!['rules'] as number,
      kbPerProduct: (mem['bytesPerProduct'] as number) / 1024,
      lines: countLines(file),
    });
  }
  // Cold `yakkan decide`, spawn to exit, interleaved with a bare `node -e 0` so that both see the
  // same host: NEXI and the largest product (cyber), from the compiled-model cache and from the DSL.
  const claimOf = (id: string) => join(ROOT, 'products', id, 'examples', 'claim.yaml');
  const decideCmd = (id: string) => [join(ROOT, 'bin', 'yakkan.js'), 'decide', `products/${id}`, claimOf(id)];
  const coldIds = ['nexi-ip-license', ...(hasCyber ? ['cyber'] : [])];
  // The first run writes the cache entries; the timed ones are a user's second and later runs.
  for (const id of coldIds) wall(decideCmd(id), cacheEnv);
  const coldRuns: Record<string, number[]> = { bare: [] };
  for (let k = 0; k < 5; k++) {
    coldRuns['bare']!.push(wall(['-e', '0']));
    for (const id of coldIds) {
      (coldRuns[`${id} cached`] ??= []).push(wall(decideCmd(id), cacheEnv));
      (coldRuns[`${id} dsl`] ??= []).push(wall(decideCmd(id), { YAKKAN_CACHE: 'off' }));
    }
  }
  const coldMedian = Object.fromEntries(Object.entries(coldRuns).map(([k, v]) => [k, median(v)]));
  const claimFile = claimOf('nexi-ip-license');
  const phasesOf = (args: string[]) =>
    JSON.parse(
      spawnSync(
        process.execPath,
        [join(ROOT, 'dist', 'bench', 'cold-phases.js'), 'products/nexi-ip-license', claimFile, ...args],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...cacheEnv } },
      ).stdout,
    ) as Record<string, number>;
  const phases = phasesOf(['--cache']);
  const phasesDsl = phasesOf([]);

  // ---- batch through the CLI
  log('batch');
  const batchN = Math.min(N, 50_000);
  const ndjsonFile = join(TMP, 'nexi.ndjson');
  writeFileSync(ndjsonFile, lines.slice(0, batchN).join('\n') + '\n');
  const batch: { workers: number; trace: boolean; lines: number; linesPerSecond: number }[] = [];
  const workerCounts = [1, availableParallelism()].filter((x, i, a) => a.indexOf(x) === i);
  for (const trace of [false, true]) {
    const n = trace ? Math.min(batchN, 20_000) : batchN;
    const file = trace ? join(TMP, 'nexi-trace.ndjson') : ndjsonFile;
    if (trace) writeFileSync(file, lines.slice(0, n).join('\n') + '\n');
    for (const w of workerCounts) {
      const ms = await batchWall('products/nexi-ip-license', file, w, trace);
      batch.push({ workers: w, trace, lines: n, linesPerSecond: n / (ms / 1000) });
    }
  }

  // ---- diff of the two real revisions of 000 over a generated corpus (1 and 2 workers; two sizes:
  // the peak memory must not grow with the corpus)
  log('diff');
  // Sizes where the cases, not the fixed cost (threads, both revisions loaded in each), dominate.
  const diffN = Math.min(N, 100_000);
  const ipDir = join(ROOT, 'products', 'overseas-ip-litigation');
  const diffCorpus = join(TMP, 'ip.ndjson');
  const tGen = performance.now();
  const gen = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'yakkan.js'),
      'cases',
      'generate',
      ipDir,
      '--count',
      String(diffN),
      '--seed',
      '1',
      '--out',
      diffCorpus,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (gen.status !== 0) fail([`cases generate failed: ${gen.stderr}`]);
  const genPerSecond = diffN / ((performance.now() - tGen) / 1000);
  // The first n cases of the corpus, as a corpus of their own.
  const corpusLines = readFileSync(diffCorpus, 'utf8').split('\n');
  const firstCases = (n: number, name: string): string => {
    const file = join(TMP, name);
    writeFileSync(file, `${corpusLines.slice(0, n).join('\n')}\n`);
    return file;
  };
  const halfCorpus = firstCases(diffN / 2, 'ip-half.ndjson');
  const diffs: DiffRun[] = [];
  const diffRun = (corpusFile: string, jobs: number) => {
    const r = child(['diff', join(ipDir, '2024-07.yk'), join(ipDir, 'product.yk'), corpusFile, String(jobs)]);
    return {
      jobs,
      cases: r['cases'] as number,
      ms: r['ms'] as number,
      casesPerSecond: (r['cases'] as number) / ((r['ms'] as number) / 1000),
      changed: r['changed'] as number,
      maxRssMB: r['maxRssMB'] as number,
    };
  };
  for (const jobs of workerCounts) diffs.push(diffRun(diffCorpus, jobs));
  const diffHalf = diffRun(halfCorpus, workerCounts.at(-1)!);
  // The fixed cost alone (threads, both revisions loaded in each): 1,000 cases on the same workers.
  const diffTiny = diffRun(firstCases(1000, 'ip-tiny.ndjson'), workerCounts.at(-1)!);

  // ---- the language service: keystroke to diagnostics on cyber (bench/language.ts)
  log('language service');
  const language = await languageBench();

  return { loads, coldIds, coldMedian, phases, phasesDsl, batch, diffs, diffHalf, diffTiny, genPerSecond, language };
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const started = performance.now();
  log(
    `yakkan bench: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), corpus ${N.toLocaleString()} NEXI claims, ${ROUNDS} rounds of ${PASS_MS} ms`,
  );
  const zen = await loadZen();
  const zenNote = typeof zen === 'string' ? zen : undefined;
  if (zenNote) log(`  note: ${zenNote}`);
  const agreement: Agreement[] = [];

  // ---- NEXI
  const nexiProduct = loaded(join(ROOT, 'products', 'nexi-ip-license'));
  const nexi = nexiProduct.revisions.at(-1)!.compiled!;
  const corpus = nexiCorpus(N, undefined, PAMPHLET);
  const others = enginesFor(nexi, zen);
  // zen with calls in flight decides as zen does: agreement once, for the sequential one.
  const checked = others.filter((e) => !e.inFlight || e.inFlight === 1);
  log('agreement');
  agreement.push(await agree('nexi', nexi, corpus, checked, true, SLOW_SLICE, 50));

  // ---- cyber (multi-item), when it checks clean
  let cyber: { c: Compiled; corpus: Record<string, unknown>[]; others: OtherEngine[] } | undefined;
  let cyberNote: string | undefined;
  if (existsSync(join(ROOT, 'products', 'cyber', 'product.yk'))) {
    try {
      // The claims are variations on the case files of both editions: those the 2021-03 edition
      // (product.yk) decides.
      const cp = loaded(join(ROOT, 'products', 'cyber'));
      const rev = cp.revisions.find((r) => r.file.endsWith('product.yk') && r.compiled)!;
      // Variations of the three-plan cases can keep its `economy` plan, which this edition refuses:
      // the engines are compared on facts the edition accepts.
      const claims = cyberCorpus(ROOT, CYBER_N * 4, undefined, PAMPHLET).filter(
        (f) => selectRevision(cp, f).rev === rev && decide(rev.compiled!, f, { trace: false }).outcome !== 'error',
      );
      const c = rev.compiled!;
      cyber = { c, corpus: claims.slice(0, CYBER_N), others: enginesFor(c, zen) };
      agreement.push(
        await agree(
          'cyber',
          c,
          cyber.corpus,
          cyber.others.filter((e) => !e.inFlight || e.inFlight === 1),
          false,
          CYBER_SLOW,
          10,
        ),
      );
    } catch (e) {
      cyberNote = `cyber skipped: ${(e as Error).message}`;
      log(`  ${cyberNote}`);
    }
  }

  // ---- NEXI, interleaved
  log('throughput: NEXI, interleaved');
  const gs = groupsOf(nexi);
  const prepared = corpus.slice(0, SLOW_SLICE).map((f) => prepare(nexi, gs, f, 0));
  const lines = corpus.map((f) => JSON.stringify(f));
  const nx = (name: string, run: (i: number) => unknown): Contender => ({ name, corpus: 'nexi', n: N, run });
  const nexiSet: Contender[] = [
    nx('hand-written, integer-exact (no premiums)', (i) => decideNexiInt(corpus[i]!)),
    nx('hand-written, decimal.js (no premiums)', (i) => decideNexiDec(corpus[i]!)),
    nx('hand-written, decimal.js, with the premiums', (i) => decideNexiDec(corpus[i]!, true)),
    nx('yakkan, lean (trace: false)', (i) => decide(nexi, corpus[i]!, { trace: false })),
    nx('yakkan, full trace (trace: true)', (i) => decide(nexi, corpus[i]!, { trace: true })),
    nx('yakkan, NDJSON line in → decision line out, lean', ndjson(nexiProduct, lines, false)),
    nx('yakkan, NDJSON line in → decision line out, full trace', ndjson(nexiProduct, lines, true)),
    ...otherContenders(others, 'nexi', prepared),
  ];
  const nexiTimed = await interleaved(nexiSet, { rounds: ROUNDS, passMs: PASS_MS, latencyCalls: 5_000, log });
  const base = { int: nexiTimed[0]!, dec: nexiTimed[1]! };
  const rows: Row[] = nexiTimed.map((t) => timedRow(t, base));
  // The full trace computes every formula: its fair baseline computes the premiums too.
  const decP = nexiTimed[2]!;
  const fullTrace = nexiTimed[4]!;
  const ndLean = nexiTimed[5]!;
  const ndFull = nexiTimed[6]!;

  // ---- cyber, interleaved (no hand-written baseline: ratios to yakkan lean)
  if (cyber) {
    log('throughput: cyber, interleaved');
    const cy = cyber;
    const cgs = groupsOf(cy.c);
    const cprep = cy.corpus
      .slice(0, CYBER_SLOW)
      .map((f) => prepare(cy.c, cgs, f, ((f['claim'] as Record<string, unknown>)['items'] as unknown[]).length));
    const cs: Contender[] = [
      {
        name: 'yakkan, lean (trace: false)',
        corpus: 'cyber',
        n: cy.corpus.length,
        run: (i) => decide(cy.c, cy.corpus[i]!, { trace: false }),
      },
      {
        name: 'yakkan, full trace (trace: true)',
        corpus: 'cyber',
        n: cy.corpus.length,
        run: (i) => decide(cy.c, cy.corpus[i]!, { trace: true }),
      },
      ...otherContenders(cy.others, 'cyber', cprep),
    ];
    const ct = await interleaved(cs, { rounds: Math.max(3, ROUNDS - 2), passMs: PASS_MS, latencyCalls: 500, log });
    for (const t of ct)
      rows.push({
        ...timedRow(t),
        note: t === ct[0] ? '' : `${fmtSpread(ratios(ct[0]!, t), 1)}× slower than yakkan lean`,
      });
  }

  // ---- scaling: generated products, written as DSL
  log('scaling');
  const genDir = join(TMP, 'products');
  mkdirSync(genDir, { recursive: true });
  const generated: [string, string, string][] = [
    ['rules-1000', 'rules-1000.yk', rulesProduct(1000)],
    ['rules-1000, not indexable', 'mixed-1000.yk', rulesProductMixed(1000)],
    // The earlier mixed product: ~150 cover rules fire per claim, so ~150 reasons per decision.
    ['rules-1000, not indexable, dense', 'mixed-dense-1000.yk', rulesProductMixedDense(1000)],
    ['table-1000', 'table-1000.yk', tableProduct(1000)],
    ['table-10000', 'table-10000.yk', tableProduct(10_000, 250_000)],
  ];
  const scorpus = scalingCorpus(Math.min(N, 20_000));
  const scs: Contender[] = [];
  const scalingOutcomes: Record<string, Record<string, number>> = {};
  for (const [name, file, text] of generated) {
    writeFileSync(join(genDir, file), text);
    const c = compiledOf(join(genDir, file));
    const outcomes: Record<string, number> = {};
    for (const f of scorpus.slice(0, 2000)) {
      const d = decide(c, f, { trace: false });
      outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
      if (d.outcome !== decide(c, f, { trace: true }).outcome)
        fail([`${name}: lean and full trace decide differently`]);
    }
    if (outcomes['error']) fail([`${name}: generated facts rejected`]);
    scalingOutcomes[name] = outcomes;
    // Steady state: a product's generated functions (1,000 rules in words of 32) take V8 some
    // 40,000 calls to optimise, more than the timing's own warm-up pass makes.
    for (let k = 0; k < 2; k++) for (const f of scorpus) sink += decide(c, f, { trace: false }).reasons.length;
    scs.push({
      name: 'yakkan, lean (trace: false)',
      corpus: name,
      n: scorpus.length,
      run: (i) => decide(c, scorpus[i]!, { trace: false }),
    });
  }
  for (const t of await interleaved(scs, {
    rounds: Math.max(3, ROUNDS - 2),
    passMs: PASS_MS,
    latencyCalls: 2_000,
    log,
  })) {
    rows.push({ ...timedRow(t), note: `outcomes ${JSON.stringify(scalingOutcomes[t.corpus])}` });
  }

  const slow = QUICK
    ? undefined
    : await coldBatchDiff(
        generated.map(([name, file]) => [name, join(genDir, file)]),
        cyber !== undefined,
        lines,
      );

  // ---- report
  const totalS = (performance.now() - started) / 1000;
  out(`\nyakkan bench — node ${process.version}, ${availableParallelism()} cores, ${cpus()[0]?.model ?? ''}`);
  out(
    `corpus: ${N.toLocaleString()} NEXI claims (seeded; ${Math.round(PAMPHLET * 100)}% of amounts and rates written as pamphlets write them), ` +
      `${cyber ? `${cyber.corpus.length.toLocaleString()} cyber claims (1–8 items)` : (cyberNote ?? 'no cyber product')}; ${ROUNDS} interleaved rounds of ${PASS_MS} ms per contender, ` +
      `rotated order, gc() before each pass; median (min–max over rounds); other engines cycle over ${SLOW_SLICE.toLocaleString()} prepared NEXI claims`,
  );
  if (zenNote) out(`note: ${zenNote}`);
  for (const a of agreement) out(`agreement: ${a.line}`);
  out('');
  out(
    '| engine | corpus | decisions/s | × hand-written decimal.js | × hand-written integer-exact | per CPU-second | p50 µs | p99 µs | |',
  );
  out('|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    out(
      `| ${r.name} | ${r.corpus} | ${fmtSpread(r.rate, 0)} | ${r.toDecimal ? fmtSpread(r.toDecimal, 3) : ''} | ${r.toInteger ? fmtSpread(r.toInteger, 4) : ''} | ` +
        `${fmt(r.cpuRate ?? NaN)} | ${fmt(r.p50Us ?? NaN, 1)} | ${fmt(r.p99Us ?? NaN, 1)} | ${r.note ?? ''} |`,
    );
  }
  if (slow) reportSlow(slow);

  const find = (prefix: string, corpusName = 'nexi') =>
    rows.find((r) => r.name.startsWith(prefix) && r.corpus === corpusName);
  const lean = find('yakkan, lean')!;
  const leanTimed = nexiTimed[3]!;
  const byName = (prefix: string) => nexiTimed.find((t) => t.name.startsWith(prefix));
  const jreT = byName('json-rules-engine, ladder');
  const zenT = byName('zen-engine, 32');
  const fullToDecP = ratios(fullTrace, decP);
  const mixed = find('yakkan', 'rules-1000, not indexable');
  const t10k = find('yakkan', 'table-10000');
  const targets: Target[] = [
    {
      target: 'yakkan lean >= 1.0x hand-written decimal.js',
      value: `${fmtSpread(lean.toDecimal!, 3)}x`,
      holds: lean.toDecimal!.median >= 1,
    },
    {
      target: 'yakkan lean >= 0.1x hand-written integer-exact',
      value: `${fmtSpread(lean.toInteger!, 4)}x`,
      holds: lean.toInteger!.median >= 0.1,
    },
    {
      target: 'full trace >= 0.5x hand-written decimal.js (with the premiums, as the full trace computes them)',
      value: `${fmtSpread(fullToDecP, 3)}x (${fmtSpread(ratios(fullTrace, base.dec), 3)}x without)`,
      holds: fullToDecP.median >= 0.5,
    },
    {
      target: '>= 100x json-rules-engine at its best (ladder priorities, stop())',
      value: jreT ? `${fmtSpread(ratios(leanTimed, jreT), 1)}x` : 'n/a',
      holds: jreT ? ratios(leanTimed, jreT).median >= 100 : null,
    },
    {
      target: `>= 50x zen-engine with ${IN_FLIGHT} calls in flight`,
      value: zenT ? `${fmtSpread(ratios(leanTimed, zenT), 1)}x` : (zenNote ?? 'n/a'),
      holds: zenT ? ratios(leanTimed, zenT).median >= 50 : null,
    },
    {
      target: 'batch >= 150,000 lines/s per core, lean (NDJSON in, decisions out, on one core)',
      value: `${fmtSpread(spread(ndLean.rates), 0)}${slow ? `; CLI ${fmt(slow.batch.find((b) => !b.trace && b.workers === 1)!.linesPerSecond)} on 1 worker` : ''}`,
      holds: median(ndLean.rates) >= 150_000,
    },
    {
      target: 'batch >= 40,000 lines/s per core, full trace (on one core)',
      value: `${fmtSpread(spread(ndFull.rates), 0)}${slow ? `; CLI ${fmt(slow.batch.find((b) => b.trace && b.workers === 1)!.linesPerSecond)} on 1 worker` : ''}`,
      holds: median(ndFull.rates) >= 40_000,
    },
    {
      target: '1,000 rules the index cannot use >= 50,000 decisions/s',
      value: mixed ? fmtSpread(mixed.rate, 0) : 'n/a',
      holds: mixed ? mixed.rate.median >= 50_000 : null,
    },
    {
      target: '10,000-row table >= 200,000 decisions/s',
      value: t10k ? fmtSpread(t10k.rate, 0) : 'n/a',
      holds: t10k ? t10k.rate.median >= 200_000 : null,
    },
    ...(slow ? slowTargets(slow) : []),
  ];
  out('');
  out('| target | this run | holds |');
  out('|---|---|---|');
  for (const t of targets) out(`| ${t.target} | ${t.value} | ${t.holds === null ? 'n/a' : t.holds ? 'yes' : 'no'} |`);
  out(`\nbench time ${fmt(totalS)} s (sink ${(sink ^ sinkBit()) & 1})`);
  rmSync(TMP, { recursive: true, force: true });
  if (JSON_OUT) {
    out(
      JSON.stringify({
        bench: rows.map((r) => ({
          name: `${r.name} [${r.corpus}]`,
          decisionsPerSecond: Math.round(r.rate.median),
          min: Math.round(r.rate.min),
          max: Math.round(r.rate.max),
          ratioToDecimal: r.toDecimal ?? null,
          ratioToInteger: r.toInteger ?? null,
          cpuPerSecond: Math.round(r.cpuRate ?? NaN),
          p50Us: r.p50Us,
          p99Us: r.p99Us,
        })),
        node: process.version,
        cores: availableParallelism(),
        premiumsCompared: agreement[0]!.premiumsCompared,
        ...(slow ?? {}),
        targets: targets.map((t) => ({ target: t.target, value: t.value, holds: t.holds })),
      }),
    );
  }
}

interface Target {
  target: string;
  value: string;
  holds: boolean | null;
}
type Slow = Awaited<ReturnType<typeof coldBatchDiff>>;

function reportSlow(s: Slow): void {
  out('');
  out('| end to end (CLI, NEXI; 000 for diff) | lines | lines/s | per worker |');
  out('|---|---:|---:|---:|');
  for (const b of s.batch)
    out(
      `| yakkan batch --workers ${b.workers}${b.trace ? '' : ' --no-trace'} | ${fmt(b.lines)} | ${fmt(b.linesPerSecond)} | ${fmt(b.linesPerSecond / b.workers)} |`,
    );
  for (const d of s.diffs)
    out(
      `| yakkan diff 2024-07 → 2025-06, --jobs ${d.jobs} (cases) | ${fmt(d.cases)} | ${fmt(d.casesPerSecond)} | ${fmt(d.casesPerSecond / d.jobs)} |`,
    );
  out('');
  out(
    '| product | lines | rules | cold load+compile from DSL ms (fresh node) | cold load from cache ms | warm ms | heap per loaded copy KB |',
  );
  out('|---|---:|---:|---:|---:|---:|---:|');
  for (const l of s.loads)
    out(
      `| ${l.product} | ${l.lines} | ${l.rules} | ${fmt(l.coldMs, 1)} | ${fmt(l.cachedMs, 1)} | ${fmt(l.warmMs, 1)} | ${fmt(l.kbPerProduct)} |`,
    );
  out('');
  const showPhases = (ph: Record<string, number>) =>
    Object.entries(ph)
      .filter(([k]) => k !== 'bytes')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const cm = s.coldMedian;
  out(
    `cold \`yakkan decide\` (example claim, spawn to exit, median of 5, interleaved): bare \`node -e 0\` ${fmt(cm['bare']!)} ms; ` +
      s.coldIds
        .map((id) => `${id} ${fmt(cm[`${id} cached`]!)} ms cached, ${fmt(cm[`${id} dsl`]!)} ms from the DSL`)
        .join('; '),
  );
  out(`  phases of one cold NEXI decide, cached (ms): ${showPhases(s.phases)}`);
  out(`  phases of one cold NEXI decide, from the DSL (ms): ${showPhases(s.phasesDsl)}`);
  const best = s.diffs[s.diffs.length - 1]!;
  const million = diffMillion(s);
  out(
    `diff: ${fmt(best.cases)} generated overseas-ip cases (${fmt(s.genPerSecond)}/s to generate), ${fmt(best.changed)} changed; ${fmt(best.casesPerSecond)} cases/s on ${best.jobs} worker${best.jobs === 1 ? '' : 's'} (${fmt(s.diffs[0]!.casesPerSecond)}/s on 1); 1,000,000 cases in ~${fmt(million.seconds)} s (${million.how}); peak RSS ${fmt(best.maxRssMB)} MB for ${fmt(best.cases)} cases, ${fmt(s.diffHalf.maxRssMB)} MB for ${fmt(s.diffHalf.cases)}`,
  );
  out('');
  out(renderLanguageBench(s.language));
}

interface DiffRun {
  jobs: number;
  cases: number;
  ms: number;
  casesPerSecond: number;
  changed: number;
  maxRssMB: number;
}

// 1,000,000 cases on the most workers: the fixed cost once (threads, both revisions loaded in
// each; measured on 1,000 cases), then the rate the rest of the largest run went at. Dividing
// 1,000,000 by one run's rate would count the fixed cost once per run's worth of cases.
function diffMillion(s: Slow): { seconds: number; how: string } {
  const best = s.diffs[s.diffs.length - 1]!;
  const tiny = s.diffTiny;
  const marginal = (best.cases - tiny.cases) / ((best.ms - tiny.ms) / 1000);
  if (!(marginal > 0 && Number.isFinite(marginal)) || tiny.jobs !== best.jobs)
    return { seconds: 1_000_000 / best.casesPerSecond, how: `at ${fmt(best.casesPerSecond)} cases/s` };
  const fixed = tiny.ms / 1000;
  return {
    seconds: fixed + (1_000_000 - tiny.cases) / marginal,
    how: `${fmt(fixed, 1)} s for the first 1,000, then ${fmt(marginal)} cases/s`,
  };
}

function slowTargets(s: Slow): Target[] {
  const best = s.diffs[s.diffs.length - 1]!;
  const id = s.coldIds[s.coldIds.length - 1]!;
  const cm = s.coldMedian;
  const coldRatio = (k: string) => cm[`${id} ${k}`]! / cm['bare']!;
  return [
    {
      target: `diff of 1,000,000 cases (000 pair) < 30 s on ${best.jobs} cores`,
      value: `~${fmt(diffMillion(s).seconds)} s (${diffMillion(s).how})`,
      holds: diffMillion(s).seconds < 30,
    },
    {
      target: 'diff memory flat in corpus size (peak RSS at 2x the cases within 10%)',
      value: `${fmt(s.diffHalf.maxRssMB)} → ${fmt(best.maxRssMB)} MB`,
      holds: best.maxRssMB <= s.diffHalf.maxRssMB * 1.1,
    },
    {
      target: `cold yakkan decide (${id}) from the DSL <= 2.5x bare node`,
      value: `${fmt(coldRatio('dsl'), 2)}x (${fmt(cm[`${id} dsl`]!)} ms)`,
      holds: coldRatio('dsl') <= 2.5,
    },
    {
      target: `cold yakkan decide (${id}) cached <= 1.5x bare node`,
      value: `${fmt(coldRatio('cached'), 2)}x (${fmt(cm[`${id} cached`]!)} ms)`,
      holds: coldRatio('cached') <= 1.5,
    },
    ...s.language.map((l) => ({
      target: `keystroke → diagnostics on cyber < 50 ms: ${l.name}`,
      value: `median ${fmt(l.medianMs, 1)} ms, p95 ${fmt(l.p95Ms, 1)} ms`,
      holds: l.medianMs < 50,
    })),
  ];
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
