// The decision service under load (issue 14), all on 127.0.0.1, every phase bounded in time:
//   npm run bench:server                 the table (about two minutes)
//   npm run bench:server -- --json       ... and a last line {"benchServer": {...}}
//   npm run bench:server -- --seconds 10 --rounds 5   longer phases, more rounds
// The server runs as `yakkan serve` in its own process pinned to one core (taskset), autocannon
// drives it from this process; the in-process figure is measured here on the same claims, in the
// same run, so the HTTP/in-process ratio compares like with like on this host at this moment.
// Phases: in-process decide; HTTP without the log, with the SQLite log, with the request log;
// the log's own append rate; twice the sustainable rate (503s, peak memory); kill -9 during a
// burst (decisions answered but lost from the log).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideIn, loadProduct } from '../engine/loading/load.js';
import { openLog, type DecideRequest } from '../server/log/store.js';
import { entryFor } from '../server/log/replay.js';
import { snapshotOf } from '../server/log/snapshot.js';
import { nexiCorpus } from './corpus.js';
import { startServe, type ServeProcess } from '../server/child.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const JSON_OUT = argv.includes('--json');
const SECONDS = Number(flag('--seconds') ?? 5);
const ROUNDS = Number(flag('--rounds') ?? 3);
const CONNECTIONS = 16;
const PRODUCT = 'products/nexi-ip-license';
const TMP = mkdtempSync(join(tmpdir(), 'yakkan-bench-server-'));
const say = (s: string) => process.stderr.write(`${s}\n`);

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Running = Promise<AutocannonResult> & {
  on(event: 'response', f: (client: unknown, status: number) => void): void;
};
type Autocannon = (o: Record<string, unknown>) => Running;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// The same claims for every phase: a seeded NEXI corpus, every kind of outcome.
const CLAIMS = nexiCorpus(2000);
const BODIES = CLAIMS.map((c) => JSON.stringify(c));

function inProcess(options: DecideRequest): number {
  const p = loadProduct(PRODUCT);
  for (const c of CLAIMS.slice(0, 500)) JSON.stringify(decideIn(p, c, options).decision);
  const t = performance.now();
  let n = 0;
  while (performance.now() - t < Math.min(SECONDS, 5) * 1000) {
    for (let i = 0; i < 200; i++) JSON.stringify(decideIn(p, CLAIMS[n++ % CLAIMS.length], options).decision);
  }
  return n / ((performance.now() - t) / 1000);
}

type Server = ServeProcess;

// `yakkan serve` pinned to core 0 (when taskset exists): one core, as the issue asks.
function serve(args: string[]): Promise<Server> {
  const pinned = spawnSync('taskset', ['--version']).status === 0;
  return startServe([PRODUCT, '--no-watch', ...args], pinned ? ['taskset', '-c', '0'] : []);
}

async function stop(s: Server): Promise<void> {
  s.child.kill('SIGTERM');
  await s.exit;
}

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

// The autocannon instance: a promise of the result, and an emitter of each response.
function load(base: string, query: string, extra: Record<string, unknown> = {}): Running {
  let i = 0;
  return autocannon({
    url: `${base}/v1/products/nexi-ip-license/decide${query}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, body: BODIES[i++ % BODIES.length] }),
      },
    ],
    ...extra,
  });
}

interface Phase {
  name: string;
  perSecond: number;
  p50?: number;
  p99?: number;
  note?: string;
}

// CPU seconds (user + system, every thread) a process has used so far.
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

interface Measured extends Phase {
  perCpuSecond: number;
  result: AutocannonResult;
}

async function httpPhase(name: string, args: string[], query: string): Promise<Measured> {
  const s = await serve(args);
  await load(s.base, query, { duration: 2 });
  const cpu = cpuSeconds(s.child.pid!);
  const r = await load(s.base, query);
  const used = cpuSeconds(s.child.pid!) - cpu;
  await stop(s);
  const bad = r.non2xx + r.errors + r.timeouts;
  return {
    name,
    perSecond: r.requests.average,
    perCpuSecond: r.requests.total / used,
    p50: r.latency.p50,
    p99: r.latency.p99,
    result: r,
    ...(bad ? { note: `${bad} not 200 (${JSON.stringify(r.statusCodeStats)})` } : {}),
  };
}

// A shared host's load comes and goes: the two sides of a comparison run in alternation, and
// each side's median run stands for it.
async function alternate(rounds: number, sides: [string, string[], string][]): Promise<Measured[]> {
  const runs: Measured[][] = sides.map(() => []);
  for (let i = 0; i < rounds; i++) {
    for (const [k, [name, args, query]] of sides.entries()) runs[k]!.push(await httpPhase(name, args, query));
  }
  return runs.map((rs) => [...rs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rs.length / 2)]!);
}

const pc = (x: number) => `${(x * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  // The load generator on the other core than the server's, where taskset allows.
  spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const phases: Phase[] = [];
  const row = (p: Phase) => {
    phases.push(p);
    const cpu =
      'perCpuSecond' in p
        ? `  ${Math.round(p.perCpuSecond as number)
            .toLocaleString('en')
            .padStart(7)}/CPU-s`
        : '';
    say(
      `  ${p.name.padEnd(44)} ${Math.round(p.perSecond).toLocaleString('en').padStart(8)}/s${cpu}` +
        `${p.p50 !== undefined ? `  p50 ${p.p50} ms  p99 ${p.p99} ms` : ''}${p.note ? `  (${p.note})` : ''}`,
    );
  };
  say(`bench:server — ${SECONDS} s phases, ${CONNECTIONS} connections, NEXI corpus of ${CLAIMS.length} claims`);
  const inLean = inProcess({ trace: false });
  row({ name: 'in-process decide, lean (trace=false)', perSecond: inLean });
  const inFull = inProcess({});
  row({ name: 'in-process decide, full trace', perSecond: inFull });

  const logFile = (n: string) => join(TMP, `${n}-${Date.now()}.sqlite`);
  const quiet = ['--log-level', 'warn'];
  const [noLogLean, logLean] = await alternate(ROUNDS, [
    ['HTTP lean, no log', [...quiet, '--no-log'], '?trace=false'],
    ['HTTP lean, SQLite log', [...quiet, '--log', logFile('lean')], '?trace=false'],
  ]);
  row(noLogLean!);
  row(logLean!);
  const [noLogFull, logFull] = await alternate(ROUNDS, [
    ['HTTP full trace, no log', [...quiet, '--no-log'], ''],
    ['HTTP full trace, SQLite log', [...quiet, '--log', logFile('full')], ''],
  ]);
  row(noLogFull!);
  row(logFull!);
  row(await httpPhase('HTTP lean, SQLite log + request log (info)', ['--log', logFile('info')], '?trace=false'));

  // The log alone, as the server appends (entries built, batches written on this thread, the
  // checkpoints on a pool thread): entries per second, and CPU per entry over every thread, which
  // the host's other load hardly changes. Set against the server's CPU per request without the log,
  // that is what logging costs a core.
  const appendPhase = async (name: string, options: DecideRequest) => {
    const log = await openLog(logFile(name), { thread: true });
    const p = loadProduct(PRODUCT);
    const snapshot = snapshotOf(p);
    const made = CLAIMS.map((c, i) => {
      const d = decideIn(p, c, options).decision!;
      return entryFor(snapshot, `bench-${i}`, BODIES[i]!, options, d, JSON.stringify(d));
    });
    const n = 50_000;
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      log.append(made[i % made.length]!);
      // Let the timer write batches as the server's event loop would.
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
      if (log.full) await log.drained();
    }
    await log.close();
    const used = process.cpuUsage(cpu);
    return { perSecond: n / ((performance.now() - t) / 1000), cpuMicros: (used.user + used.system) / n };
  };
  const appendLean = await appendPhase('append-lean', { trace: false });
  row({
    name: `SQLite log alone, lean (${appendLean.cpuMicros.toFixed(0)} µs CPU per entry)`,
    perSecond: appendLean.perSecond,
  });
  const appendFull = await appendPhase('append-full', {});
  row({
    name: `SQLite log alone, full (${appendFull.cpuMicros.toFixed(0)} µs CPU per entry)`,
    perSecond: appendFull.perSecond,
  });

  // Twice the sustainable rate, from more connections than the server takes in flight.
  const sustainable = logLean!.perSecond;
  const overload = await (async () => {
    const s = await serve([...quiet, '--log', logFile('overload')]);
    const r = await load(s.base, '?trace=false', { connections: 256, overallRate: Math.round(2 * sustainable) });
    const alive = (await fetch(`${s.base}/healthz`)).status;
    // taskset execs node in its own process: the child is the server.
    const rss = peakRss(s.child.pid!);
    await stop(s);
    return { r, alive, rss };
  })();
  const codes = overload.r.statusCodeStats;
  const served = codes['200']?.count ?? 0;
  const refused = codes['503']?.count ?? 0;
  row({
    name: `HTTP at 2× sustainable (${Math.round(2 * sustainable).toLocaleString('en')}/s offered)`,
    perSecond: served / SECONDS,
    p50: overload.r.latency.p50,
    p99: overload.r.latency.p99,
    note:
      `${refused.toLocaleString('en')} × 503 with Retry-After, ` +
      `${overload.r.errors} errors, ${overload.r.timeouts} timeouts, ` +
      `peak RSS ${Math.round(overload.rss / 2 ** 20)} MB, /healthz ${overload.alive} after`,
  });

  // kill -9 during a logging burst: how many answered decisions the log does not have.
  const killed = await (async () => {
    const file = logFile('killed');
    const s = await serve([...quiet, '--log', file]);
    let answered = 0;
    const run = load(s.base, '?trace=false', { duration: 3 });
    run.on('response', (_c, status) => {
      if (status === 200) answered++;
    });
    await new Promise((r) => setTimeout(r, 1500));
    s.child.kill('SIGKILL');
    await s.exit;
    await run.catch(() => undefined);
    const log = await openLog(file);
    let logged = 0;
    for await (const _e of log.entries({})) logged++;
    await log.close();
    return { answered, logged };
  })();
  row({
    name: 'kill -9 during a logging burst',
    perSecond: 0,
    note:
      `${killed.answered} answered, ${killed.logged} in the log after restart, ` +
      `${Math.max(0, killed.answered - killed.logged)} lost (batch: 500 or 100 ms)`,
  });

  const ratio = noLogLean!.perSecond / inLean;
  const cost = 1 - logLean!.perSecond / noLogLean!.perSecond;
  const costFull = 1 - logFull!.perSecond / noLogFull!.perSecond;
  const cpuCost = 1 - logLean!.perCpuSecond / noLogLean!.perCpuSecond;
  const cpuCostFull = 1 - logFull!.perCpuSecond / noLogFull!.perCpuSecond;
  say(`\n  HTTP / in-process: lean ${ratio.toFixed(2)}×, full trace ${(noLogFull!.perSecond / inFull).toFixed(2)}×`);
  say(
    `  logging costs ${pc(cost)} of HTTP throughput lean (${pc(cpuCost)} per CPU-second), ` +
      `${pc(costFull)} with the full trace (${pc(cpuCostFull)} per CPU-second)`,
  );
  // The host's load moves the A/B above; the CPU the log itself uses per entry, against the
  // server's CPU per request without it, hardly moves.
  const shareLean = appendLean.cpuMicros / (1e6 / noLogLean!.perCpuSecond);
  const shareFull = appendFull.cpuMicros / (1e6 / noLogFull!.perCpuSecond);
  say(
    `  the log's own CPU per entry against the server's CPU per request: ${pc(shareLean)} lean, ${pc(shareFull)} full trace`,
  );
  rmSync(TMP, { recursive: true, force: true });
  if (JSON_OUT) {
    process.stdout.write(
      `${JSON.stringify({
        benchServer: {
          seconds: SECONDS,
          logCpuShareLean: shareLean,
          logCpuShareFull: shareFull,
          phases,
          ratioHttpToInProcess: ratio,
          logCost: cost,
          logCostFull: costFull,
          cpuCost,
          cpuCostFull,
          killed,
        },
      })}\n`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:server: ${(e as Error).stack ?? String(e)}\n`);
  rmSync(TMP, { recursive: true, force: true });
  process.exitCode = 1;
});
