// The decision log: every decision the service (or the CLI with --log) makes, appended with the
// product snapshot that made it. Two stores share this file's buffering and one schema
// (server/log/migrations.ts): SQLite through better-sqlite3, embedded, the default; PostgreSQL
// through pg, for several servers writing one log.
//
// Appends are buffered and written in batches, one transaction each: a decision is answered
// before its batch is on disk, so a crash (kill -9) loses at most the batch not yet written, and
// the log stays readable (each batch commits whole or not at all). The buffer is bounded: when
// the store falls behind, `full` turns true and the server answers 503 instead of growing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../engine/loading/sources.js';
import type { ProductSnapshot } from './snapshot.js';
import { MIGRATIONS_TABLE } from './migrations.js';

// How a decision was asked for: what a replay must pass to decide it again.
export interface DecideRequest {
  asOf?: string;
  trace?: boolean;
}

export interface LogEntry {
  time: string;
  requestId: string;
  product: string;
  revision: string;
  snapshot: ProductSnapshot;
  engine: string;
  options: DecideRequest;
  outcome: string;
  // Both as JSON text: the facts as received, the decision byte for byte as answered.
  facts: string;
  decision: string;
}

export interface StoredEntry extends Omit<LogEntry, 'snapshot'> {
  id: number;
  productHash: string;
}

export interface LogFilter {
  product?: string;
  outcome?: string;
  // Inclusive bounds: a date (YYYY-MM-DD, UTC) or a full ISO time.
  since?: string;
  until?: string;
  requestId?: string;
}

export interface LogStats {
  appended: number;
  written: number;
  pending: number;
  batches: number;
  failures: number;
}

export interface LogSettings {
  // Entries written per transaction, at most.
  batchSize?: number;
  // How long an entry may wait in memory before its batch is written.
  flushMs?: number;
  // Entries held in memory before `full` (the server then answers 503).
  maxPending?: number;
  // A batch that could not be written (the database is away): it is kept and tried again.
  onError?: (e: Error) => void;
}

export interface DecisionLog {
  // Where the log is, fit to print (a PostgreSQL password is not shown).
  readonly target: string;
  readonly full: boolean;
  append(e: LogEntry): void;
  // Resolves when the buffer has room again.
  drained(): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): LogStats;
  // Entries in id order, read page by page (a log of millions streams in bounded memory).
  entries(f: LogFilter, limit?: number): AsyncGenerator<StoredEntry>;
  entry(id: number): Promise<StoredEntry | undefined>;
  snapshot(hash: string): Promise<ProductSnapshot | undefined>;
  // The schema version this log is at (server/log/migrations.ts).
  version(): Promise<number>;
}

// A row of yakkan_decisions as either store returns it: PostgreSQL gives a timestamptz as a Date
// and its bigint identity as a string.
export interface Row {
  id: number | string;
  time: string | Date;
  request_id: string;
  product: string;
  revision: string;
  product_hash: string;
  engine: string;
  options: string;
  outcome: string;
  facts: string;
  decision: string;
}

export function rowEntry(r: Row): StoredEntry {
  return {
    id: Number(r.id),
    time: r.time instanceof Date ? r.time.toISOString() : r.time,
    requestId: r.request_id,
    product: r.product,
    revision: r.revision,
    productHash: r.product_hash,
    engine: r.engine,
    options: JSON.parse(r.options) as StoredEntry['options'],
    outcome: r.outcome,
    facts: r.facts,
    decision: r.decision,
  };
}

const COLUMNS = 'id, time, request_id, product, revision, product_hash, engine, options, outcome, facts, decision';

const PAGE = 1000;

export abstract class BufferedLog implements DecisionLog {
  abstract readonly target: string;
  private buffer: LogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  private counts = { appended: 0, written: 0, batches: 0, failures: 0 };
  // Snapshots this process knows the log holds: each is written once, with its first decision.
  private readonly stored = new Set<string>();
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly maxPending: number;
  private readonly onError: (e: Error) => void;
  private closed = false;

  constructor(s: LogSettings = {}) {
    this.batchSize = s.batchSize ?? 500;
    this.flushMs = s.flushMs ?? 100;
    this.maxPending = s.maxPending ?? 20_000;
    this.onError = s.onError ?? ((e) => process.stderr.write(`yakkan: decision log: ${e.message}\n`));
  }

  // One transaction: the snapshots not yet in the log, then the entries.
  protected abstract writeBatch(entries: LogEntry[], snapshots: ProductSnapshot[]): Promise<void> | void;
  // One query of the reading side, with `?` placeholders in order (PostgreSQL's store numbers them).
  protected abstract select(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  protected abstract closeStore(): Promise<void>;

  private async page(f: LogFilter, afterId: number, limit: number): Promise<StoredEntry[]> {
    const { sql, params } = whereClause(f, afterId);
    const rows = await this.select(`SELECT ${COLUMNS} FROM yakkan_decisions WHERE ${sql} ORDER BY id LIMIT ?`, [
      ...params,
      limit,
    ]);
    return (rows as unknown as Row[]).map(rowEntry);
  }

  async entry(id: number): Promise<StoredEntry | undefined> {
    const [r] = await this.select(`SELECT ${COLUMNS} FROM yakkan_decisions WHERE id = ?`, [id]);
    return r && rowEntry(r as unknown as Row);
  }

  async snapshot(hash: string): Promise<ProductSnapshot | undefined> {
    const [r] = await this.select('SELECT hash, product, files FROM yakkan_products WHERE hash = ?', [hash]);
    const row = r as { hash: string; product: string; files: string } | undefined;
    return row && { hash: row.hash, product: row.product, files: JSON.parse(row.files) as ProductSnapshot['files'] };
  }

  // The schema version this log is at (server/log/migrations.ts).
  async version(): Promise<number> {
    const [r] = await this.select(`SELECT coalesce(max(version), 0) AS v FROM ${MIGRATIONS_TABLE}`, []);
    return Number(r?.['v'] ?? 0);
  }

  get full(): boolean {
    return this.buffer.length >= this.maxPending;
  }

  append(e: LogEntry): void {
    if (this.closed) throw new Error('the decision log is closed');
    this.buffer.push(e);
    this.counts.appended++;
    if (this.buffer.length >= this.batchSize) this.schedule(0);
    else this.schedule(this.flushMs);
  }

  async drained(): Promise<void> {
    while (this.full) await new Promise<void>((r) => this.waiters.push(r));
  }

  stats(): LogStats {
    return { ...this.counts, pending: this.buffer.length };
  }

  private schedule(ms: number): void {
    if (this.writing) return;
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    // After the answer has gone out: the write never sits between a request and its response.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeSome();
    }, ms);
  }

  // Writes one batch; the next is scheduled as soon as it is done, while entries remain.
  private writeSome(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.buffer.length === 0) return Promise.resolve();
    const batch = this.buffer.slice(0, this.batchSize);
    const fresh = new Map<string, ProductSnapshot>();
    for (const e of batch) if (!this.stored.has(e.snapshot.hash)) fresh.set(e.snapshot.hash, e.snapshot);
    const snapshots = [...fresh.values()];
    const done = async (): Promise<void> => {
      try {
        await this.writeBatch(batch, snapshots);
        this.buffer.splice(0, batch.length);
        for (const s of snapshots) this.stored.add(s.hash);
        this.counts.written += batch.length;
        this.counts.batches++;
      } catch (e) {
        this.counts.failures++;
        this.onError(e as Error);
        throw e;
      } finally {
        this.writing = undefined;
        if (!this.full) for (const w of this.waiters.splice(0)) w();
      }
    };
    this.writing = done().then(
      () => {
        if (this.buffer.length) this.schedule(this.buffer.length >= this.batchSize ? 0 : this.flushMs);
      },
      () => {
        // The batch stays at the front of the buffer; try again a little later.
        if (!this.closed) this.schedule(Math.max(this.flushMs, 1000));
      },
    );
    return this.writing;
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    while (this.buffer.length > 0) {
      const failures = this.counts.failures;
      await this.writeSome();
      if (this.counts.failures > failures) {
        throw new Error(`${this.buffer.length} decisions could not be written to ${this.target}`);
      }
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      await this.closeStore();
    }
  }

  async *entries(f: LogFilter, limit = Number.POSITIVE_INFINITY): AsyncGenerator<StoredEntry> {
    let after = 0;
    let left = limit;
    while (left > 0) {
      const rows = await this.page(f, after, Math.min(PAGE, left));
      for (const r of rows) yield r;
      if (rows.length < Math.min(PAGE, left)) return;
      left -= rows.length;
      after = rows[rows.length - 1]!.id;
    }
  }
}

// The filter as SQL conditions with `?` placeholders, for both stores.
export function whereClause(f: LogFilter, afterId: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [afterId];
  const parts = ['id > ?'];
  const add = (cond: string, v: unknown) => {
    parts.push(cond);
    params.push(v);
  };
  if (f.product) add('product = ?', f.product);
  if (f.outcome) add('outcome = ?', f.outcome);
  if (f.requestId) add('request_id = ?', f.requestId);
  if (f.since) add('time >= ?', timeBound(f.since, 'since'));
  if (f.until) add('time < ?', timeBound(f.until, 'until'));
  return { sql: parts.join(' AND '), params };
}

// The filter from command-line options (yakkan log, yakkan diff --from-log); a bad date is an error.
export function logFilter(o: {
  product?: string;
  outcome?: string;
  since?: string;
  until?: string;
  'request-id'?: string;
}): LogFilter {
  const f: LogFilter = {};
  if (o.product) f.product = o.product;
  if (o.outcome) f.outcome = o.outcome;
  if (o['request-id']) f.requestId = o['request-id'];
  if (o.since) timeBound((f.since = o.since), 'since');
  if (o.until) timeBound((f.until = o.until), 'until');
  return f;
}

// Times are ISO 8601 in UTC with milliseconds, so they compare as text. A bare date as `until`
// includes that whole day.
export function timeBound(v: string, which: 'since' | 'until'): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const t = new Date(day ? `${v}T00:00:00.000Z` : v);
  if (Number.isNaN(t.getTime()) || (day && t.toISOString().slice(0, 10) !== v)) {
    throw new Error(`--${which} ${v} is not a date (YYYY-MM-DD) or an ISO time`);
  }
  // `until` is inclusive: the whole day of a bare date, the very millisecond of a time.
  if (which === 'until') {
    if (day) t.setUTCDate(t.getUTCDate() + 1);
    else t.setTime(t.getTime() + 1);
  }
  return t.toISOString();
}

let engineName: string | undefined;

// What decided: `yakkan <version>` from package.json.
export function engineVersion(): string {
  if (!engineName) {
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
    engineName = `yakkan ${pkg.version}`;
  }
  return engineName;
}

export function isPostgresTarget(target: string): boolean {
  return /^postgres(ql)?:\/\//.test(target);
}

// A path opens (or creates) a SQLite log; postgres://… connects to PostgreSQL. Both create or
// migrate the schema first, and refuse a log written by a newer yakkan. `thread`: SQLite's
// checkpoints, which wait for the disk, run on a worker thread (what a server wants; PostgreSQL's
// writes are asynchronous anyway).
export async function openLog(target: string, settings: LogSettings & { thread?: boolean } = {}): Promise<DecisionLog> {
  if (isPostgresTarget(target)) {
    const { openPostgresLog } = await import('./postgres.js');
    return openPostgresLog(target, settings);
  }
  const { openSqliteLog } = await import('./sqlite.js');
  return openSqliteLog(target, settings);
}

// Where a log is when none is named: YAKKAN_LOG, else .yakkan/decisions.sqlite in the working folder.
export function defaultLogTarget(): string {
  return process.env['YAKKAN_LOG'] || join('.yakkan', 'decisions.sqlite');
}
