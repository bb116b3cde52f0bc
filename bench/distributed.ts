// Distributed diff (issue 16) on the real 000 revision pair, all on 127.0.0.1:
//   npm run bench:distributed                      the tables (about five minutes on two cores)
//   npm run bench:distributed -- --cases 100000    a bigger corpus
//   npm run bench:distributed -- --json            ... and a last line {"benchDistributed": {...}}
// A throwaway PostgreSQL (test/helpers/postgres.ts) holds the queue; `yakkan worker` processes
// decide; the coordinator runs in this process. Every distributed report is checked against the
// single-process report before its time counts. Besides wall time, the CPU time of each part
// (coordinator, workers, PostgreSQL; from /proc) is counted: on a shared host the wall time says
// how busy the neighbours were, the CPU time what the work costs.
// Phases: the single-process diff (one thread, all cores); 1, 2 and 4 worker processes at the
// default chunk size; chunk sizes from 100 to 5,000 cases on two workers.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../engine/loading/sources.js';
import { engineVersion, queueRunner } from '../engine/tools/distributed/index.js';
import { diffRevisions, renderText } from '../engine/tools/diff.js';
import { startPostgres } from '../test/helpers/postgres.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const JSON_OUT = argv.includes('--json');
const CASES = Number(flag('--cases') ?? 20_000);
const ROOT = projectRoot();
const OLD = 'products/overseas-ip-litigation/2024-07.yk';
const NEW = 'products/overseas-ip-litigation/product.yk';
const TMP = mkdtempSync(join(tmpdir(), 'yakkan-bench-distributed-'));
const CORPUS = join(TMP, 'corpus.ndjson');
const say = (s: string) => process.stderr.write(`${s}\n`);
const ENGINE = engineVersion();

// A yakkan command, with its wall time and CPU time (GNU time's user + system, in seconds).
function run(args: string[]): Promise<{ code: number | null; stdout: string; seconds: number; cpu: number }> {
  const t = performance.now();
  const times = join(TMP, 'time.txt');
  const child = spawn(
    '/usr/bin/time',
    ['-f', '%U %S', '-o', times, process.execPath, join(ROOT, 'bin', 'yakkan.js'), ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const [user, sys] = readFileSync(times, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      resolve({ code, stdout, seconds: (performance.now() - t) / 1000, cpu: user! + sys! });
    }),
  );
}

// CPU seconds of a process (all its threads), and of its children that have ended.
function cpuOf(pid: number, children = false): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14-17 of proc(5), counted from 3 after the command: utime stime cutime cstime.
    const ticks = f.slice(11, children ? 15 : 13).reduce((n, x) => n + Number(x), 0);
    return ticks / 100;
  } catch {
    return 0;
  }
}

// PostgreSQL's CPU seconds so far: the postmaster with its ended backends, and the live ones.
function postgresCpu(port: string): number {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const cmd = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  const master = procs.find((p) => /postgres\0/.test(cmd(p)) && cmd(p).includes(`\0-p\0${port}\0`));
  if (!master) return Number.NaN;
  let total = cpuOf(Number(master), true);
  for (const p of procs) {
    try {
      const ppid = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1];
      if (ppid === master) total += cpuOf(Number(p));
    } catch {
      // Ended meanwhile: its time is in the postmaster's children's time.
    }
  }
  return total;
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text)).rows;
  } finally {
    await c.end();
  }
}

// Peak resident memory of a process, from /proc (MiB).
function peakMiB(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

interface Row {
  workers: number;
  chunk: number;
  chunks: number;
  seconds: number;
  casesPerSecond: number;
  ratio: number;
  // CPU milliseconds per 1,000 cases: the coordinator (this process: reading, hashing and storing
  // the input, enqueueing, fetching and merging), the workers, PostgreSQL.
  coordinatorMs: number;
  workersMs: number;
  postgresMs: number;
  // Database transactions per chunk, polling of idle workers included.
  commitsPerChunk: number;
  workerPeakMiB: number;
}

let databases = 0;
// Worker processes still running: stopped however the bench ends.
const running = new Set<ChildProcess>();

async function distributed(
  url: string,
  workers: number,
  chunk: number,
  expected: string,
  single: number,
): Promise<Row> {
  const name = `bench_${++databases}`;
  await sql(url, `CREATE DATABASE ${name}`);
  const db = url.replace(/\/postgres$/, `/${name}`);
  const procs: ChildProcess[] = [];
  let stderr = '';
  for (let i = 0; i < workers; i++) {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'yakkan.js'), 'worker', '--queue', db, '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    procs.push(p);
    running.add(p);
    p.on('close', () => running.delete(p));
  }
  const registered = async () =>
    (await sql<{ n: number }>(db, 'SELECT count(*)::int AS n FROM yakkan_queue.workers'))[0]!.n;
  for (const end = Date.now() + 60_000; (await registered().catch(() => 0)) < workers; ) {
    if (Date.now() > end || procs.some((p) => p.exitCode !== null)) throw new Error(`workers did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const commits = async () =>
    Number(
      (await sql<{ n: string }>(url, `SELECT xact_commit AS n FROM pg_stat_database WHERE datname = '${name}'`))[0]!.n,
    );
  const c0 = await commits();
  const port = new URL(url).port;
  const pg0 = postgresCpu(port);
  const w0 = procs.map((p) => cpuOf(p.pid!));
  let chunks = 0;
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const report = await diffRevisions(OLD, NEW, {
    cases: CORPUS,
    chunk,
    runner: queueRunner({
      url: db,
      products: [OLD, NEW],
      corpus: CORPUS,
      report: (e) => {
        if (e.kind === 'summary') chunks = e.summary.chunks;
      },
    }),
  });
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const w1 = procs.map((p) => cpuOf(p.pid!));
  const pg1 = postgresCpu(port);
  const c1 = await commits();
  const peak = Math.max(...procs.map((p) => peakMiB(p.pid)));
  const perThousand = (sec: number) => (sec * 1000 * 1000) / CASES;
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode === null ? p.on('close', r) : r(null)))));
  if (renderText(report) !== expected) {
    // In a checkout that is being rebuilt the workers may run other code than the reference did.
    const changed = engineVersion() !== ENGINE ? ' (the build changed during the bench: run it again)' : '';
    throw new Error(`${workers} workers, chunk ${chunk}: not the single-process report${changed}`);
  }
  return {
    workers,
    chunk,
    chunks,
    seconds,
    casesPerSecond: CASES / seconds,
    ratio: single / seconds,
    coordinatorMs: perThousand((cpu.user + cpu.system) / 1e6),
    workersMs: perThousand(w1.reduce((n, x, i) => n + x - w0[i]!, 0)),
    postgresMs: perThousand(pg1 - pg0),
    commitsPerChunk: (c1 - c0) / Math.max(1, chunks),
    workerPeakMiB: peak,
  };
}

async function main(): Promise<void> {
  const server = await startPostgres();
  if ('skip' in server) throw new Error(server.skip);
  const interrupted = () => {
    for (const p of running) p.kill('SIGKILL');
    server.stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    say(`bench:distributed — ${CASES.toLocaleString('en')} cases of the 000 pair (${OLD} → ${NEW})`);
    const gen = await run([
      'cases',
      'generate',
      'products/overseas-ip-litigation',
      '--count',
      String(CASES),
      '--out',
      CORPUS,
    ]);
    if (gen.code !== 0) throw new Error('cases generate failed');
    say(`corpus: ${(statSync(CORPUS).size / 1e6).toFixed(1)} MB`);
    // Both revisions loaded in this process once, as they would be by a coordinator started anew
    // (the runs below find them loaded).
    await diffRevisions(OLD, NEW);
    const one = await run(['diff', OLD, NEW, '--cases', CORPUS, '--jobs', '1']);
    const all = await run(['diff', OLD, NEW, '--cases', CORPUS]);
    if (one.stdout !== all.stdout) throw new Error('one thread and all cores disagree');
    const single = (what: string, r: typeof one) =>
      say(
        `single process, ${what}: ${r.seconds.toFixed(1)} s, ${Math.round(CASES / r.seconds)} cases/s, ` +
          `${Math.round((r.cpu * 1e6) / CASES)} CPU ms per 1,000 cases`,
      );
    single('1 thread', one);
    single('all cores', all);

    const rows: Row[] = [];
    const cpu = ['coordinatorMs', 'workersMs', 'postgresMs'] as const;
    const line = (r: Row) =>
      say(
        `${String(r.workers).padStart(7)} ${String(r.chunk).padStart(6)} ${String(r.chunks).padStart(6)} ` +
          `${r.seconds.toFixed(1).padStart(7)} ${Math.round(r.casesPerSecond).toString().padStart(8)} ` +
          `${r.ratio.toFixed(2).padStart(6)} ${cpu.map((k) => Math.round(r[k]).toString().padStart(6)).join('')} ` +
          `${r.commitsPerChunk.toFixed(1).padStart(8)} ${r.workerPeakMiB.toFixed(0).padStart(8)}`,
      );
    say('\nCPU ms per 1,000 cases: coordinator, workers, PostgreSQL; commits per chunk; peak MiB of one worker');
    say('workers  chunk chunks seconds  cases/s ×1thr coord worker    pg commits  MiB');
    for (const w of [1, 2, 4]) {
      const r = await distributed(server.url, w, 2000, one.stdout, one.seconds);
      rows.push(r);
      line(r);
    }
    say('');
    for (const chunk of [100, 500, 1000, 5000]) {
      const r = await distributed(server.url, 2, chunk, one.stdout, one.seconds);
      rows.push(r);
      line(r);
    }
    if (JSON_OUT) {
      const singleProcess = {
        oneThread: { casesPerSecond: CASES / one.seconds, cpuMs: (one.cpu * 1e6) / CASES },
        allCores: { casesPerSecond: CASES / all.seconds, cpuMs: (all.cpu * 1e6) / CASES },
      };
      process.stdout.write(`${JSON.stringify({ benchDistributed: { cases: CASES, single: singleProcess, rows } })}\n`);
    }
  } finally {
    for (const p of running) p.kill('SIGKILL');
    server.stop();
    rmSync(TMP, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  say(`bench:distributed: ${e.message}`);
  process.exitCode = 1;
});
