// Batch and diff on `yakkan worker` processes through the job queue (pg-boss on a PostgreSQL the
// test starts on 127.0.0.1), against the single-process commands on the real 000 revision pair:
// - 3 workers: the merged report is the single-process report, byte for byte (and a worker whose
//   product differs refuses the run, saying why);
// - a worker killed (SIGKILL) in the middle of a chunk and started again, then the coordinator
//   killed and started again: the same bytes, and no chunk decided to completion twice;
// - a poison chunk (it fails on every attempt): reported with its lines, the rest completes.
// The corpus has YAKKAN_DISTRIBUTED_CASES cases (default 10,000, so that the file stays within
// about a minute on two cores; 100,000 is the size of the issue, run by hand).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, type Postgres } from './helpers/postgres.js';
import { ROOT } from './helpers.js';

const YAKKAN = join(ROOT, 'bin', 'yakkan.js');
const CASES = Number(process.env.YAKKAN_DISTRIBUTED_CASES ?? 10_000);
// Twenty chunks at the default size; 2,000 cases a chunk (the command's default) for big runs.
const CHUNK = CASES >= 50_000 ? 2000 : Math.max(100, Math.round(CASES / 20));
const TIMEOUT = Math.max(120_000, CASES * 5);
const OLD = 'products/overseas-ip-litigation/2024-07.yk';
const NEW = 'products/overseas-ip-litigation/product.yk';

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
}

const dir = mkdtempSync(join(tmpdir(), 'yakkan-distributed-'));
const corpus = join(dir, 'corpus.ndjson');
const children = new Set<ChildProcess>();
let server: Postgres | { skip: string } | undefined;
let expected: Buffer;
let databases = 0;

function yakkan(args: string[], o: { env?: Record<string, string>; cwd?: string } = {}): Run {
  const child = spawn(process.execPath, [YAKKAN, ...args], {
    cwd: o.cwd ?? ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const out: Buffer[] = [];
  let err = '';
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const done = new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    }),
  );
  return { child, done };
}

function worker(url: string, o: { env?: Record<string, string>; cwd?: string } = {}): Run {
  return yakkan(['worker', '--queue', url], o);
}

async function stop(runs: Run[]): Promise<void> {
  for (const r of runs) r.child.kill('SIGTERM');
  await Promise.all(runs.map((r) => r.done));
}

// A fresh database per test: the runs of one test never meet another's.
async function database(): Promise<string> {
  const url = (server as Postgres).url;
  const name = `yakkan_distributed_${++databases}`;
  await query(url, `CREATE DATABASE ${name}`);
  return url.replace(/\/postgres$/, `/${name}`);
}

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text)).rows;
  } finally {
    await c.end();
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const chunksDone = async (url: string) =>
  (await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM yakkan_queue.chunks WHERE output IS NOT NULL'))[0]!
    .n;

const diffArgs = (url: string) => ['diff', OLD, NEW, '--cases', corpus, '--queue', url, '--chunk', String(CHUNK)];

beforeAll(async () => {
  server = await startPostgres();
  if ('skip' in server) {
    console.warn(`distributed.test.ts skipped: ${server.skip}`);
    return;
  }
  const gen = await yakkan([
    'cases',
    'generate',
    'products/overseas-ip-litigation',
    '--count',
    String(CASES),
    '--out',
    corpus,
  ]).done;
  expect(gen.code, gen.stderr).toBe(0);
  const single = await yakkan(['diff', OLD, NEW, '--cases', corpus]).done;
  expect(single.code, single.stderr).toBe(1);
  expected = single.stdout;
}, TIMEOUT);

afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  if (server && 'stop' in server) server.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('batch and diff on worker processes through the queue', () => {
  it(
    `3 workers: the report of ${CASES.toLocaleString('en')} cases is the single-process report, byte for byte`,
    async (t) => {
      if (!server || 'skip' in server) return t.skip();
      const url = await database();
      // A fourth worker whose copy of the new revision differs by one byte refuses the run.
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(join(elsewhere, 'products', 'overseas-ip-litigation'), { recursive: true });
      copyFileSync(join(ROOT, OLD), join(elsewhere, OLD));
      writeFileSync(join(elsewhere, NEW), `${readFileSync(join(ROOT, NEW), 'utf8')}\n`);
      const odd = worker(url, { cwd: elsewhere });
      await waitFor('the odd worker', async () => (await query(url, 'SELECT id FROM yakkan_queue.workers')).length > 0);
      const workers = [worker(url), worker(url), worker(url)];
      const r = await yakkan(diffArgs(url)).done;
      await stop([...workers, odd]);
      expect(r.stderr).toMatch(/refused the run: products\/overseas-ip-litigation\/product\.yk: content hash \w+ here/);
      expect(r.stderr).toMatch(/chunks on 3 workers, 0 decided twice, 0 failed on every attempt/);
      expect(r.code).toBe(1);
      expect(r.stdout.equals(expected)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'a worker killed mid-chunk and the coordinator killed, both restarted: the same bytes, none decided twice',
    async (t) => {
      if (!server || 'skip' in server) return t.skip();
      const url = await database();
      const workers = [worker(url), worker(url), worker(url)];
      let coordinator = yakkan(diffArgs(url));
      // The worker holding a chunk, killed while it decides it.
      const holder = await waitFor('a chunk in hand', async () => {
        const rows = await query<{ worker: string }>(url, 'SELECT worker FROM yakkan_queue.leases LIMIT 1');
        return rows[0]?.worker;
      });
      const pid = Number(holder.split(':').at(-2));
      const victim = workers.find((w) => w.child.pid === pid)!;
      expect(victim, `no worker with pid ${pid}`).toBeDefined();
      victim.child.kill('SIGKILL');
      await victim.done;
      workers.push(worker(url));
      await waitFor('a third of the chunks', async () => (await chunksDone(url)) >= 7);
      coordinator.child.kill('SIGKILL');
      await coordinator.done;
      coordinator = yakkan(diffArgs(url));
      const r = await coordinator.done;
      await stop(workers.filter((w) => w !== victim));
      const resumed = /\((\d+) decided before a restart\), 0 decided twice, 0 failed on every attempt/.exec(r.stderr);
      expect(resumed, r.stderr).not.toBeNull();
      expect(Number(resumed![1])).toBeGreaterThanOrEqual(7);
      expect(r.code).toBe(1);
      expect(r.stdout.equals(expected)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'a chunk that fails on every attempt is reported with its lines; the rest completes',
    async (t) => {
      if (!server || 'skip' in server) return t.skip();
      const url = await database();
      const lines = readFileSync(corpus, 'utf8').split('\n').slice(0, 2000);
      lines[1233] = lines[1233]!.replace(/^\{/, '{"poison-marker":1,');
      const file = join(dir, 'poison.ndjson');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const single = await yakkan(['batch', 'products/overseas-ip-litigation', file, '--no-trace']).done;
      const env = { YAKKAN_TEST_POISON: '"poison-marker"' };
      const workers = [worker(url, { env }), worker(url, { env })];
      const r = await yakkan([
        'batch',
        'products/overseas-ip-litigation',
        file,
        '--no-trace',
        '--queue',
        url,
        '--chunk',
        '500',
      ]).done;
      await stop(workers);
      expect(r.stderr).toMatch(/lines 1001–1500 failed on every attempt \(3\), left out of the result: fault/);
      expect(r.stderr).toMatch(/line 1001: \{"applicant"/);
      // Both workers are started, but on a loaded host one may take every chunk before the other
      // asks (seen once in CI): which worker decides is not what this test is about.
      expect(r.stderr).toMatch(/4 chunks on [12] workers?, 0 decided twice, 1 failed on every attempt/);
      expect(r.code).toBe(1);
      const got = r.stdout.toString().split('\n');
      const want = single.stdout.toString().split('\n');
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) {
        if (i >= 1000 && i < 1500) {
          expect(JSON.parse(got[i]!)).toEqual({
            line: i + 1,
            error: 'chunk failed on every attempt (3): fault injected by YAKKAN_TEST_POISON',
          });
        } else if (got[i] !== want[i]) expect(got[i], `line ${i + 1}`).toBe(want[i]);
      }
    },
    TIMEOUT,
  );
});
