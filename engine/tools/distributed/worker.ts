// `yakkan worker`: a stateless process that decides chunks from the queue, on as many machines as
// there are. It serves every unfinished run whose engine and product hashes match its own (and
// refuses the others, saying why where the coordinator reads it), deciding on worker threads of
// the one pool (engine/tools/pool.ts) while its main thread keeps the heartbeat going.
//
// A chunk's output is stored and its job completed in one transaction. A chunk already decided
// (its job was retried after another worker finished it) is completed without deciding it again.
// A worker killed at any point loses nothing: its heartbeat stops, and after DEAD_AFTER_S the
// coordinator (or another worker) puts its chunks back in the queue.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { projectRoot } from '../../loading/sources.js';
import { findTask, inlinePool, type Pool, threadPool } from '../pool.js';
import { decode, encode } from './codec.js';
import { engineAtStart, engineVersion, productHash } from './identity.js';
import {
  DONE_CHANNEL,
  HEARTBEAT_MS,
  JOBS_CHANNEL,
  type JobData,
  openStore,
  reapDeadWorkers,
  redact,
  type RunRow,
  SCHEMA,
  type Store,
  transaction,
} from './store.js';

export interface WorkerOptions {
  url: string;
  // Chunks decided at once, each on its own thread.
  concurrency?: number;
  log?: (line: string) => void;
  // Aborted: take no more chunks, finish the ones in hand, leave.
  signal?: AbortSignal;
}

export interface WorkerStats {
  id: string;
  chunks: number;
  cases: number;
  // Jobs completed without deciding: their chunk was already decided.
  skipped: number;
  failed: number;
}

type Served = { row: RunRow; pool: Pool<unknown, unknown> } | { row: RunRow; refused: string };

// Fault injection for the poison-chunk test: a chunk holding a line with this text fails every
// time, as a chunk that crashes the engine would.
const POISON = process.env.YAKKAN_TEST_POISON;

export async function runWorker(o: WorkerOptions): Promise<WorkerStats> {
  const log = o.log ?? (() => {});
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 6)}`;
  // The code this worker runs is the installation as it is now.
  engineAtStart();
  const stats: WorkerStats = { id, chunks: 0, cases: 0, skipped: 0, failed: 0 };
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const store = await openStore(o.url, { supervise: true, name: `yakkan worker ${id}`, connections: concurrency + 1 });
  const runs = new Map<string, Promise<Served>>();
  let failure: Error | undefined;
  let wake: (() => void)[] = [];
  const wakeAll = () => {
    const w = wake;
    wake = [];
    for (const f of w) f();
  };
  const stopped = () => o.signal?.aborted === true || failure !== undefined;
  const fail = (e: Error) => {
    failure ??= e;
    wakeAll();
  };
  o.signal?.addEventListener('abort', wakeAll);

  const beat = () =>
    store.pool
      .query(`INSERT INTO ${SCHEMA}.workers (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET seen_at = now()`, [id])
      .then(() => {}, fail);
  await beat();
  const timers = [setInterval(beat, HEARTBEAT_MS), setInterval(() => void reapDeadWorkers(store).catch(fail), 5000)];
  const listener = new pg.Client({ connectionString: o.url, application_name: `yakkan worker ${id}` });
  listener.on('error', (e) => fail(new Error(`lost the queue's connection: ${e.message}`)));
  listener.on('notification', wakeAll);
  await listener.connect();
  await listener.query(`LISTEN ${JOBS_CHANNEL}`);
  const threads = `${concurrency} thread${concurrency === 1 ? '' : 's'}`;
  log(`worker ${id} on ${redact(o.url)} (${engineAtStart()}, ${threads})`);

  let listed = 0;
  let listing: Promise<RunRow[]> | undefined;
  let active: RunRow[] = [];
  const currentRuns = async (): Promise<RunRow[]> => {
    if (Date.now() - listed < 1000) return active;
    listing ??= store.pool
      .query<RunRow>(
        `SELECT run, queue, task, module, init, products, engine FROM ${SCHEMA}.runs
         WHERE finished_at IS NULL ORDER BY started_at`,
      )
      .then((r) => r.rows)
      .finally(() => {
        listing = undefined;
        listed = Date.now();
      });
    active = await listing;
    const live = new Set(active.map((r) => r.run));
    for (const [run, served] of runs) {
      if (live.has(run)) continue;
      runs.delete(run);
      void served.then((s) => ('pool' in s ? s.pool.close() : undefined));
    }
    return active;
  };

  const serve = (row: RunRow): Promise<Served> => {
    let s = runs.get(row.run);
    if (!s) {
      s = check(row, concurrency).then(async (served) => {
        if ('refused' in served) {
          log(`refusing run ${row.run.slice(0, 12)} (${row.task}): ${served.refused}`);
          await store.pool.query(
            `INSERT INTO ${SCHEMA}.refusals (run, worker, why) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
            [row.run, id, served.refused],
          );
        } else log(`serving run ${row.run.slice(0, 12)} (${row.task})`);
        return served;
      });
      runs.set(row.run, s);
    }
    return s;
  };

  // The next job of any run this worker serves; runs are tried from a different one each time so
  // that two coordinators' runs share the workers.
  let turn = 0;
  const next = async (): Promise<
    { served: Served & { pool: Pool<unknown, unknown> }; job: PgBoss.JobWithMetadata<JobData> } | undefined
  > => {
    const rows = await currentRuns();
    turn++;
    for (let i = 0; i < rows.length && !stopped(); i++) {
      const served = await serve(rows[(turn + i) % rows.length]!);
      if (!('pool' in served)) continue;
      const [job] = await store.boss.fetch<JobData>(served.row.queue, { batchSize: 1, includeMetadata: true });
      if (job) return { served, job };
    }
    return undefined;
  };

  const slot = async (): Promise<void> => {
    while (!stopped()) {
      const got = await next();
      if (got) await decideJob(store, id, got.served, got.job, stats, log);
      else
        await new Promise<void>((resolve) => {
          wake.push(resolve);
          setTimeout(resolve, 1000);
        });
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, () => slot().catch(fail)));
  } finally {
    for (const t of timers) clearInterval(t);
    for (const s of runs.values()) await s.then((x) => ('pool' in x ? x.pool.close() : undefined)).catch(() => {});
    await store.pool.query(`DELETE FROM ${SCHEMA}.workers WHERE id = $1`, [id]).catch(() => {});
    await listener.end().catch(() => {});
    await store.close();
  }
  if (failure) throw failure;
  log(`worker ${id} stopped: ${stats.chunks} chunks, ${stats.cases} cases decided`);
  return stats;
}

async function decideJob(
  store: Store,
  worker: string,
  served: { row: RunRow; pool: Pool<unknown, unknown> },
  job: PgBoss.JobWithMetadata<JobData>,
  stats: WorkerStats,
  log: (line: string) => void,
): Promise<void> {
  const { queue, run } = served.row;
  const { key } = job.data;
  await store.pool.query(
    `INSERT INTO ${SCHEMA}.leases (job, queue, worker, started_on) VALUES ($1, $2, $3, $4)
     ON CONFLICT (job) DO UPDATE SET queue = $2, worker = $3, started_on = $4`,
    [job.id, queue, worker, job.startedOn],
  );
  const { rows } = await store.pool.query<{ input: Buffer | null; done: boolean; lines: number }>(
    `SELECT input, output IS NOT NULL AS done, lines FROM ${SCHEMA}.chunks WHERE run = $1 AND key = $2`,
    [run, key],
  );
  const chunk = rows[0];
  let output: Buffer | undefined;
  if (chunk?.input && !chunk.done) {
    try {
      const input = decode<unknown>(chunk.input);
      const lines = (input as { lines?: unknown }).lines;
      if (POISON && Array.isArray(lines) && lines.some((l) => String(l).includes(POISON))) {
        throw new Error('fault injected by YAKKAN_TEST_POISON');
      }
      output = encode(await served.pool.submit(input));
    } catch (e) {
      stats.failed++;
      const message = (e as Error).message.split('\n')[0]!;
      log(`chunk ${key.slice(0, 12)} of run ${run.slice(0, 12)} failed (attempt ${job.retryCount + 1}): ${message}`);
      await transaction(store.pool, async (c, db) => {
        await store.boss.fail(queue, job.id, { message }, { db });
        await c.query(`DELETE FROM ${SCHEMA}.leases WHERE job = $1 AND worker = $2`, [job.id, worker]);
      });
      return;
    }
  }
  await transaction(store.pool, async (c, db) => {
    if (output) {
      await c.query(
        `UPDATE ${SCHEMA}.chunks SET output = COALESCE(output, $3), completions = completions + 1,
           worker = COALESCE(worker, $4), done_at = COALESCE(done_at, now()) WHERE run = $1 AND key = $2`,
        [run, key, output, worker],
      );
      await c.query(`UPDATE ${SCHEMA}.workers SET chunks = chunks + 1, cases = cases + $2 WHERE id = $1`, [
        worker,
        chunk!.lines,
      ]);
      await c.query('SELECT pg_notify($1, $2)', [DONE_CHANNEL, `${run} ${key}`]);
    }
    await store.boss.complete(queue, job.id, { worker }, { db });
    await c.query(`DELETE FROM ${SCHEMA}.leases WHERE job = $1 AND worker = $2`, [job.id, worker]);
  });
  if (output) {
    stats.chunks++;
    stats.cases += chunk!.lines;
  } else stats.skipped++;
}

// Whether this worker may decide the run's chunks: the same engine, the same product files, the
// task found in this installation. The answer is a thread pool for the run, or why not.
async function check(row: RunRow, concurrency: number): Promise<Served> {
  const refuse = (why: string): Served => ({ row, refused: why });
  const mine = engineAtStart();
  if (engineVersion() !== mine) return refuse(`this worker's installation changed since it started: restart it`);
  if (row.engine !== mine) return refuse(`engine ${mine} here, ${row.engine} at the coordinator`);
  for (const [path, hash] of Object.entries(row.products)) {
    const h = productHash(path);
    if (h !== hash) {
      const here = h ? `content hash ${h.slice(0, 12)}` : 'no such product';
      return refuse(`${path}: ${here} here, ${hash.slice(0, 12)} at the coordinator`);
    }
  }
  // Only a module of this installation, named relative to it: a job cannot make a worker run code
  // from anywhere else.
  if (!/^[\w-]+(\/[\w.-]+)*$/.test(row.module) || row.module.split('/').includes('..')) {
    return refuse(`task module ${row.module} is not a module of yakkan`);
  }
  const root = projectRoot();
  const built = join(root, 'dist', `${row.module}.js`);
  const file = existsSync(built) ? built : join(root, `${row.module}.ts`);
  try {
    await import(pathToFileURL(file).href);
  } catch (e) {
    return refuse(`cannot load ${row.module}: ${(e as Error).message.split('\n')[0]}`);
  }
  const task = findTask(row.task);
  if (!task) return refuse(`no task ${row.task} in ${row.module}`);
  // The coordinator has set the task up once already (a product with errors stops it there).
  return { row, pool: threadPool(task, row.init, { workers: concurrency, depth: 1 }) ?? inlinePool(task, row.init) };
}
