// The coordinator's side of the queue: a Pool (engine/tools/pool.ts) whose inputs become jobs on
// PostgreSQL, decided by `yakkan worker` processes on any number of machines. `yakkan batch` and
// `yakkan diff` run on it exactly as on threads: `ordered` hands it their chunks in input order
// and gets the outputs back in that order, so the merged output is the single-machine output.
//
// A run is the task, its init, the content hashes of its products, the engine version and the
// corpus. A restarted coordinator computes the same run, finds the chunks already decided (their
// outputs are in the `chunks` table) and enqueues only the rest. A chunk's key is a hash of the
// run and the chunk's own bytes, and its job id is made from that key, so enqueueing a chunk
// twice is one job, and a changed corpus never reuses a stale output.
import { randomUUID } from 'node:crypto';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { projectRoot } from '../../loading/sources.js';
import { handlerFor, type Pool, type Runner, type Task } from '../pool.js';
import { decode, encode } from './codec.js';
import { corpusIdentity, engineVersion, productHash } from './identity.js';
import {
  DEAD_AFTER_S,
  DONE_CHANNEL,
  EXPIRE_S,
  JOBS_CHANNEL,
  jobId,
  lockKey,
  openStore,
  QueueError,
  queueError,
  reapDeadWorkers,
  RETRIES,
  SCHEMA,
  sha256,
  type Store,
  transaction,
} from './store.js';

export interface QueueOptions {
  // postgres://… of the database holding the queue.
  url: string;
  // The product paths the task's init names; their content hashes go with the run, and every
  // worker checks its own copies against them.
  products: string[];
  // The corpus file, when the input is one: a restarted coordinator finds its run again by it.
  corpus?: string;
  // Chunks enqueued ahead of the one being written: enough to keep every worker busy. Memory holds
  // at most this many chunk outputs.
  window?: number;
  report?: (e: QueueEvent) => void;
}

export interface QueueProgress {
  chunksDone: number;
  chunksSent: number;
  cases: number;
  // Of those, decided by an earlier coordinator of the same run.
  resumedChunks: number;
  resumedCases: number;
  workers: number;
  // Corpus bytes in the chunks done, and the corpus size when it is a file: the share done.
  bytesDone: number;
  resumedBytes: number;
  bytesTotal?: number;
  seconds: number;
}

export interface Poison {
  seq: number;
  // The chunk's line numbers in the corpus (1-based), when its input carries them.
  lines?: [number, number];
  attempts: number;
  why: string;
  input: string[];
}

export interface QueueSummary {
  run: string;
  chunks: number;
  resumedChunks: number;
  // Chunks a worker finished deciding more than once (a worker taken for dead that was not).
  completedTwice: number;
  poison: number;
  // Workers that decided chunks of the run.
  workersSeen: number;
}

export type QueueEvent =
  | { kind: 'progress'; progress: QueueProgress }
  | { kind: 'poison'; poison: Poison }
  | { kind: 'refused'; worker: string; why: string }
  | { kind: 'summary'; summary: QueueSummary };

export function queueRunner(o: QueueOptions): Runner {
  return (task, init) => queuePool(task, init, o);
}

interface Entry {
  seq: number;
  key: string;
  lines: number;
  bytes: number;
  first?: number;
  state: 'waiting' | 'done' | 'poison';
  why?: string;
  attempts?: number;
  resolve(out: unknown): void;
  reject(e: Error): void;
}

export function queuePool<Init, In, Out>(task: Task<Init, In, Out>, init: Init, o: QueueOptions): Pool<In, Out> {
  const c = new Coordinator(task as unknown as Task<unknown, unknown, unknown>, init, o);
  return {
    capacity: o.window ?? 32,
    submit: (input) => c.submit(input) as Promise<Out>,
    close: () => c.close(),
  };
}

// The module that declares a task, as a worker finds it in its own installation: relative to the
// package, without `dist/` and without the extension (a coordinator under a TypeScript runner and
// a worker on the build name the same module).
export function moduleKey(module: string): string {
  const rel = relative(projectRoot(), fileURLToPath(module)).split('\\').join('/');
  return rel.replace(/^dist\//, '').replace(/\.(ts|js)$/, '');
}

class Coordinator {
  private readonly ready: Promise<void>;
  private store?: Store;
  private listener?: pg.Client;
  private run = '';
  private queue = '';
  private readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  private seq = 0;
  private failure?: Error;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private draining = false;
  private drainAgain = false;
  private readonly refused = new Set<string>();
  private readonly t0 = Date.now();
  private poisoned = 0;
  private readonly p: QueueProgress = {
    chunksDone: 0,
    chunksSent: 0,
    cases: 0,
    resumedChunks: 0,
    resumedCases: 0,
    workers: 0,
    bytesDone: 0,
    resumedBytes: 0,
    seconds: 0,
  };

  constructor(
    private readonly task: Task<unknown, unknown, unknown>,
    private readonly init: unknown,
    private readonly o: QueueOptions,
  ) {
    this.ready = this.setup().catch((e: unknown) => Promise.reject(queueError(e)));
    // Seen by the first submit; a run that never submits still reports it from close.
    this.ready.catch(() => {});
  }

  private async setup(): Promise<void> {
    const products: Record<string, string> = {};
    for (const path of this.o.products) {
      const h = productHash(path);
      if (!h) throw new Error(`no product at ${path}`);
      products[path] = h;
    }
    // Set up once here, as a worker will: a product with errors stops the run before any job.
    handlerFor(this.task, this.init);
    if (this.o.corpus) this.p.bytesTotal = (await import('node:fs')).statSync(this.o.corpus).size;
    const module = moduleKey(this.task.module);
    const engine = engineVersion();
    // Standard input has no identity to resume by: every such run is a new one.
    const corpus = this.o.corpus ? corpusIdentity(this.o.corpus) : randomUUID();
    this.run = sha256(JSON.stringify({ task: this.task.name, module, init: this.init, products, engine, corpus }));
    this.queue = `yakkan_${this.run.slice(0, 24)}`;
    this.store = await openStore(this.o.url, { supervise: true, name: 'yakkan coordinator', connections: 4 });
    // One connection for the run: it holds the run's lock (a second coordinator of the same run
    // would wait on chunks the first one deletes) and listens for chunks done.
    const listener = new pg.Client({ connectionString: this.o.url, application_name: 'yakkan coordinator' });
    this.listener = listener;
    listener.on('error', (e) => this.fail(new Error(`lost the queue's connection: ${e.message}`)));
    await listener.connect();
    // A coordinator killed a moment ago may still hold it until the server notices.
    for (let tries = 0; ; tries++) {
      const { rows } = await listener.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${lockKey(this.run)}) AS ok`);
      if (rows[0]?.ok) break;
      if (tries === 20) throw new QueueError(`another coordinator is running this same run (${this.run.slice(0, 12)})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    listener.on('notification', (n) => {
      const [run, key] = (n.payload ?? '').split(' ');
      if (run === this.run && key) this.markDone(key);
    });
    await listener.query(`LISTEN ${DONE_CHANNEL}`);
    await this.store.boss.createQueue(this.queue, {
      name: this.queue,
      retryLimit: RETRIES,
      retryDelay: 0,
      expireInSeconds: EXPIRE_S,
    });
    await this.store.pool.query(
      `INSERT INTO ${SCHEMA}.runs (run, queue, task, module, init, products, engine) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (run) DO UPDATE SET finished_at = NULL`,
      [this.run, this.queue, this.task.name, module, JSON.stringify(this.init), JSON.stringify(products), engine],
    );
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  async submit(input: unknown): Promise<unknown> {
    await this.ready;
    if (this.failure) throw this.failure;
    const store = this.store!;
    const data = encode(input);
    const lines = (input as { lines?: unknown }).lines;
    const e: Entry = {
      seq: this.seq++,
      key: sha256(this.run, data),
      lines: Array.isArray(lines) ? lines.length : 1,
      bytes: Array.isArray(lines) ? lines.reduce((n: number, l: string) => n + Buffer.byteLength(l) + 1, 0) : 0,
      state: 'waiting',
      resolve: () => {},
      reject: () => {},
    };
    const first = (input as { first?: unknown; start?: unknown }).first ?? (input as { start?: unknown }).start;
    // batch numbers lines from 1 (`first`), diff from 0 (`start`).
    if (typeof first === 'number') e.first = 'first' in (input as object) ? first : first + 1;
    const out = new Promise<unknown>((resolve, reject) => Object.assign(e, { resolve, reject }));
    // Rejected when the run fails, perhaps before the consumer awaits it.
    out.catch(() => {});
    this.entries.push(e);
    this.byKey.set(e.key, e);
    const done = await transaction(store.pool, async (c, db) => {
      const ins = await c.query(
        `INSERT INTO ${SCHEMA}.chunks (run, key, seq, lines, input) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [this.run, e.key, e.seq, e.lines, data],
      );
      if (ins.rowCount === 0) {
        const r = await c.query<{ done: boolean }>(
          `SELECT output IS NOT NULL AS done FROM ${SCHEMA}.chunks WHERE run = $1 AND key = $2`,
          [this.run, e.key],
        );
        if (r.rows[0]?.done) return true;
      }
      // An existing job (taken, waiting for a retry, or failed for good) is left as it is; one
      // completed without an output here is left from a run whose chunks were removed.
      const job = { run: this.run, key: e.key };
      const sent = await store.boss.send(this.queue, job, { id: jobId(e.key), db });
      if (sent === null) {
        const old = await store.boss.getJobById(this.queue, jobId(e.key), { db, includeArchive: false });
        if (old?.state === 'completed' || old?.state === 'cancelled') {
          await store.boss.deleteJob(this.queue, jobId(e.key), { db });
          await store.boss.send(this.queue, job, { id: jobId(e.key), db });
        }
      }
      await c.query('SELECT pg_notify($1, $2)', [JOBS_CHANNEL, this.run]);
      return false;
    }).catch((err: unknown) => {
      this.fail(err as Error);
      throw this.failure;
    });
    this.p.chunksSent++;
    if (done) {
      this.p.resumedChunks++;
      this.p.resumedCases += e.lines;
      this.p.resumedBytes += e.bytes;
      this.markDone(e.key);
    }
    this.report();
    return out;
  }

  private markDone(key: string): void {
    const e = this.byKey.get(key);
    if (e?.state !== 'waiting') return;
    e.state = 'done';
    this.p.chunksDone++;
    this.p.cases += e.lines;
    this.p.bytesDone += e.bytes;
    this.report();
    void this.drain();
  }

  // Outputs are fetched in input order, the head first: a chunk done early waits in the database,
  // not in memory.
  private async drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        while (this.entries[0] && this.entries[0].state !== 'waiting' && !this.failure) {
          const e = this.entries[0];
          const col = e.state === 'done' ? 'output' : 'input';
          const { rows } = await this.store!.pool.query<{ bytes: Buffer }>(
            `SELECT ${col} AS bytes FROM ${SCHEMA}.chunks WHERE run = $1 AND key = $2`,
            [this.run, e.key],
          );
          this.entries.shift();
          this.byKey.delete(e.key);
          if (!rows[0]?.bytes) e.reject(new Error(`chunk ${e.seq} vanished from the queue's tables`));
          else if (e.state === 'done') {
            e.resolve(decode(rows[0].bytes));
            // A restarted coordinator needs the outputs, never the inputs of chunks done.
            await this.store!.pool.query(`UPDATE ${SCHEMA}.chunks SET input = NULL WHERE run = $1 AND key = $2`, [
              this.run,
              e.key,
            ]);
          } else this.settlePoison(e, decode(rows[0].bytes));
        }
      } while (this.drainAgain && !this.failure);
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.draining = false;
    }
  }

  // A chunk that failed on every attempt becomes what the task says such a chunk is (every line
  // an error for batch, unreadable for diff), so the rest of the run completes.
  private settlePoison(e: Entry, input: unknown): void {
    this.poisoned++;
    const lines = (input as { lines?: unknown }).lines;
    const poison: Poison = {
      seq: e.seq,
      attempts: e.attempts ?? RETRIES + 1,
      why: e.why ?? 'failed',
      input: Array.isArray(lines) ? (lines as string[]) : [JSON.stringify(input)],
      ...(e.first !== undefined ? { lines: [e.first, e.first + e.lines - 1] as [number, number] } : {}),
    };
    this.o.report?.({ kind: 'poison', poison });
    const why = `chunk failed on every attempt (${poison.attempts}): ${poison.why}`;
    if (this.task.poisoned) e.resolve(this.task.poisoned(input, why));
    else e.reject(new Error(why));
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.store || this.failure) return;
    this.ticking = true;
    const store = this.store;
    try {
      const waiting = this.entries.filter((e) => e.state === 'waiting');
      if (waiting.length) {
        // Notifications can be missed (a reconnect, a coordinator started after the worker ended).
        const { rows } = await store.pool.query<{ key: string }>(
          `SELECT key FROM ${SCHEMA}.chunks WHERE run = $1 AND key = ANY($2) AND output IS NOT NULL`,
          [this.run, waiting.map((e) => e.key)],
        );
        for (const r of rows) this.markDone(r.key);
        // Failed for good: only the first few can hold up the output; the rest are found in turn.
        for (const e of waiting.filter((x) => x.state === 'waiting').slice(0, 16)) {
          const job = await store.boss.getJobById<unknown>(this.queue, jobId(e.key));
          if (job?.state !== 'failed') continue;
          e.state = 'poison';
          e.attempts = job.retryCount + 1;
          e.why = (job.output as { message?: string } | null)?.message ?? 'failed';
        }
      }
      await reapDeadWorkers(store);
      const w = await store.pool.query<{ id: string }>(
        `SELECT id FROM ${SCHEMA}.workers WHERE seen_at > now() - make_interval(secs => $1)`,
        [DEAD_AFTER_S],
      );
      this.p.workers = w.rows.length;
      const refusals = await store.pool.query<{ worker: string; why: string }>(
        `SELECT worker, why FROM ${SCHEMA}.refusals WHERE run = $1`,
        [this.run],
      );
      for (const r of refusals.rows) {
        if (this.refused.has(r.worker)) continue;
        this.refused.add(r.worker);
        this.o.report?.({ kind: 'refused', worker: r.worker, why: r.why });
      }
      this.report();
      void this.drain();
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.ticking = false;
    }
  }

  private report(): void {
    this.p.seconds = (Date.now() - this.t0) / 1000;
    this.o.report?.({ kind: 'progress', progress: { ...this.p } });
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = queueError(e);
    for (const x of this.entries) x.reject(this.failure);
  }

  // After the last output: the run's chunks and queue are removed, its row marked finished.
  // After a failure or an interruption they stay, for a restarted coordinator to resume from.
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.ready.catch(() => {});
    const store = this.store;
    try {
      if (store && !this.failure && this.entries.length === 0) {
        const { rows } = await store.pool.query<{ chunks: number; twice: number }>(
          `SELECT count(*)::int AS chunks, (count(*) FILTER (WHERE completions > 1))::int AS twice
           FROM ${SCHEMA}.chunks WHERE run = $1`,
          [this.run],
        );
        const w = await store.pool.query<{ n: number }>(
          `SELECT count(DISTINCT worker)::int AS n FROM ${SCHEMA}.chunks WHERE run = $1 AND worker IS NOT NULL`,
          [this.run],
        );
        // pg-boss 10 drops a queue only once its jobs are gone (their table refers to the queue).
        const keys = await store.pool.query<{ key: string }>(`SELECT key FROM ${SCHEMA}.chunks WHERE run = $1`, [
          this.run,
        ]);
        const ids = keys.rows.map((r) => jobId(r.key));
        for (let i = 0; i < ids.length; i += 1000) await store.boss.deleteJob(this.queue, ids.slice(i, i + 1000));
        await store.pool.query(`DELETE FROM ${SCHEMA}.chunks WHERE run = $1`, [this.run]);
        await store.pool.query(`DELETE FROM ${SCHEMA}.refusals WHERE run = $1`, [this.run]);
        await store.pool.query(`UPDATE ${SCHEMA}.runs SET finished_at = now() WHERE run = $1`, [this.run]);
        await store.boss.deleteQueue(this.queue);
        this.o.report?.({
          kind: 'summary',
          summary: {
            run: this.run,
            chunks: rows[0]?.chunks ?? 0,
            resumedChunks: this.p.resumedChunks,
            completedTwice: rows[0]?.twice ?? 0,
            poison: this.poisoned,
            workersSeen: w.rows[0]?.n ?? 0,
          },
        });
      }
    } catch (e) {
      throw queueError(e);
    } finally {
      await this.listener?.end().catch(() => {});
      await store?.close();
    }
  }
}
