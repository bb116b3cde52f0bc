// The queue's state, all in one PostgreSQL database: pg-boss's jobs (schema `pgboss`: which chunk
// waits, which is taken, retried or failed) and yakkan's own tables (schema `yakkan_queue`: what a
// run is, every chunk's input and output, which workers are alive). A worker stores a chunk's
// output and completes its job in one transaction, so a job is never completed without its
// result, nor a result stored twice.
import { createHash } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';

export const SCHEMA = 'yakkan_queue';
// Notifications: a worker tells coordinators that a chunk is done (payload `run key`); a
// coordinator tells workers that jobs are waiting (payload the run).
export const DONE_CHANNEL = 'yakkan_queue_done';
export const JOBS_CHANNEL = 'yakkan_queue_jobs';

// A worker that has not been seen for this long is taken for dead: its chunks go back to the
// queue. It beats every HEARTBEAT_MS from a thread that never decides, so only a dead process
// or a lost connection goes quiet this long.
export const HEARTBEAT_MS = 1000;
export const DEAD_AFTER_S = 10;
// pg-boss's own expiry, the backstop when no heartbeat-watcher runs: far above any chunk's time.
export const EXPIRE_S = 15 * 60;
// Attempts after the first before a chunk counts as poison.
export const RETRIES = 2;

// A failure of the queue itself (unreachable, a lost connection, another coordinator on the same
// run): one line for the command to print. What was done stays done; running again resumes.
export class QueueError extends Error {
  override name = 'QueueError';
}

export function queueError(e: unknown): QueueError {
  return e instanceof QueueError ? e : new QueueError(e instanceof Error ? e.message : String(e));
}

export interface RunRow {
  run: string;
  queue: string;
  task: string;
  module: string;
  init: unknown;
  products: Record<string, string>;
  engine: string;
}

// One job's data: the run and the chunk's key; the input itself waits in `chunks`.
export interface JobData {
  run: string;
  key: string;
}

const TABLES = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
CREATE TABLE IF NOT EXISTS ${SCHEMA}.runs (
  run text PRIMARY KEY,
  queue text NOT NULL,
  task text NOT NULL,
  module text NOT NULL,
  init jsonb NOT NULL,
  products jsonb NOT NULL,
  engine text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.chunks (
  run text NOT NULL,
  key text NOT NULL,
  seq integer NOT NULL,
  lines integer NOT NULL,
  -- Dropped once the coordinator has merged the output: the table holds inputs in flight only.
  input bytea,
  output bytea,
  -- How many times a worker finished deciding this chunk: 1 unless a worker taken for dead was not.
  completions integer NOT NULL DEFAULT 0,
  worker text,
  done_at timestamptz,
  PRIMARY KEY (run, key)
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.workers (
  id text PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now(),
  chunks integer NOT NULL DEFAULT 0,
  cases bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.leases (
  job uuid PRIMARY KEY,
  queue text NOT NULL,
  worker text NOT NULL,
  started_on timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.refusals (
  run text NOT NULL,
  worker text NOT NULL,
  why text NOT NULL,
  PRIMARY KEY (run, worker)
);`;

export interface Store {
  pool: pg.Pool;
  boss: PgBoss;
  close(): Promise<void>;
}

// A pool of a few connections shared by pg-boss and yakkan's tables; both schemas created when
// missing.
// `connections`: the pool's size. Every connection counts against the server's max_connections,
// and a worker with one chunk in hand needs only one besides its heartbeat.
export async function openStore(
  url: string,
  o: { supervise: boolean; name: string; connections: number },
): Promise<Store> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new QueueError(`--queue takes a postgres:// URL, not ${url}`);
  const pool = new pg.Pool({ connectionString: url, max: o.connections, application_name: o.name });
  let failure: Error | undefined;
  pool.on('error', (e) => (failure ??= e));
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => pool.query(text, values) },
    supervise: o.supervise,
    schedule: false,
    maintenanceIntervalSeconds: 10,
  });
  boss.on('error', (e: Error) => (failure ??= e));
  try {
    // pg-boss creates its schema without a lock: processes starting at once take turns here.
    const c = await pool.connect();
    try {
      await c.query(`SELECT pg_advisory_lock(${lockKey('schema')})`);
      await c.query(`BEGIN; ${TABLES} COMMIT;`);
      await boss.start();
    } finally {
      await c.query(`SELECT pg_advisory_unlock(${lockKey('schema')})`).catch(() => {});
      c.release();
    }
  } catch (e) {
    await pool.end().catch(() => {});
    throw new QueueError(`cannot use the queue at ${redact(url)}: ${(e as Error).message}`);
  }
  if (failure) throw failure;
  return {
    pool,
    boss,
    async close() {
      await boss.stop({ graceful: false, wait: true, close: false }).catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

// A 64-bit advisory lock number for a name, as SQL.
export function lockKey(name: string): string {
  return `('x' || substr(encode(sha256(${literal(`yakkan_queue:${name}`)}::bytea), 'hex'), 1, 16))::bit(64)::bigint`;
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

// A URL as it may be printed: without its password.
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export function sha256(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

// A job's id from its chunk's key: enqueueing the same chunk again is a no-op in pg-boss.
export function jobId(key: string): string {
  const h = key.slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// A client checked out for one transaction, as pg-boss takes it (`{ db }` in its options).
export async function transaction<T>(pool: pg.Pool, body: (c: pg.PoolClient, db: PgBoss.Db) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const r = await body(c, { executeSql: (text, values) => c.query(text, values) });
    await c.query('COMMIT');
    return r;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

// The chunks of workers not seen for DEAD_AFTER_S go back to the queue (as a failed attempt, so
// a chunk that kills every worker that takes it ends as poison). Run by coordinators and idle
// workers alike: whoever notices first. A job is failed only while it is still the attempt the
// dead worker started, never a later attempt of a live one.
export async function reapDeadWorkers(store: Store): Promise<number> {
  const { rows } = await store.pool.query<{ job: string; queue: string; worker: string; started_on: Date }>(
    `SELECT l.job, l.queue, l.worker, l.started_on FROM ${SCHEMA}.leases l
     LEFT JOIN ${SCHEMA}.workers w ON w.id = l.worker
     WHERE w.id IS NULL OR w.seen_at < now() - make_interval(secs => $1)`,
    [DEAD_AFTER_S],
  );
  let reaped = 0;
  for (const l of rows) {
    const job = await store.boss.getJobById(l.queue, l.job);
    if (job?.state === 'active' && job.startedOn.getTime() === l.started_on.getTime()) {
      await store.boss.fail(l.queue, l.job, { message: `worker ${l.worker} stopped answering` });
      reaped++;
    }
    await store.pool.query(`DELETE FROM ${SCHEMA}.leases WHERE job = $1 AND worker = $2`, [l.job, l.worker]);
  }
  await store.pool.query(
    `DELETE FROM ${SCHEMA}.workers w WHERE seen_at < now() - make_interval(secs => $1)
     AND NOT EXISTS (SELECT 1 FROM ${SCHEMA}.leases l WHERE l.worker = w.id)`,
    [DEAD_AFTER_S * 6],
  );
  return reaped;
}
