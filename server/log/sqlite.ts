// The embedded decision log: one SQLite file through better-sqlite3 (12.x: 13.x needs Node 22).
// WAL with synchronous=NORMAL: a committed batch survives the process being killed (the WAL is in
// the OS's hands), and readers (`yakkan log`) never block the server's writes.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import {
  BufferedLog, COLUMNS, rowEntry, whereClause, type LogEntry, type LogFilter, type LogSettings, type Row, type StoredEntry,
} from './store.js';
import { MIGRATIONS_TABLE, pending } from './migrations.js';
import type { ProductSnapshot } from './snapshot.js';

type Database = BetterSqlite3.Database;

class SqliteLog extends BufferedLog {
  private readonly insertDecision: BetterSqlite3.Statement;
  private readonly insertProduct: BetterSqlite3.Statement;
  private readonly writeAll: (entries: LogEntry[], snapshots: ProductSnapshot[]) => void;

  constructor(private readonly db: Database, readonly target: string, settings: LogSettings) {
    super(settings);
    this.insertDecision = db.prepare(
      `INSERT INTO yakkan_decisions (time, request_id, product, revision, product_hash, engine, options, outcome, facts, decision)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertProduct = db.prepare(
      'INSERT OR IGNORE INTO yakkan_products (hash, product, files, first_logged) VALUES (?, ?, ?, ?)',
    );
    this.writeAll = db.transaction((entries: LogEntry[], snapshots: ProductSnapshot[]) => {
      for (const s of snapshots) this.insertProduct.run(s.hash, s.product, JSON.stringify(s.files), entries[0]!.time);
      for (const e of entries) {
        this.insertDecision.run(
          e.time, e.requestId, e.product, e.revision, e.snapshot.hash, e.engine, JSON.stringify(e.options), e.outcome,
          e.facts, e.decision,
        );
      }
    });
  }

  protected writeBatch(entries: LogEntry[], snapshots: ProductSnapshot[]): void {
    this.writeAll(entries, snapshots);
  }

  protected async page(f: LogFilter, afterId: number, limit: number): Promise<StoredEntry[]> {
    const params: unknown[] = [];
    const where = whereClause(f, afterId, (v) => {
      params.push(v);
      return '?';
    });
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM yakkan_decisions WHERE ${where} ORDER BY id LIMIT ?`)
      .all(...params, limit) as Row[];
    return rows.map(rowEntry);
  }

  async entry(id: number): Promise<StoredEntry | undefined> {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM yakkan_decisions WHERE id = ?`).get(id) as Row | undefined;
    return r && rowEntry(r);
  }

  async snapshot(hash: string): Promise<ProductSnapshot | undefined> {
    const r = this.db.prepare('SELECT hash, product, files FROM yakkan_products WHERE hash = ?').get(hash) as
      | { hash: string; product: string; files: string }
      | undefined;
    return r && { hash: r.hash, product: r.product, files: JSON.parse(r.files) as ProductSnapshot['files'] };
  }

  async version(): Promise<number> {
    return schemaVersion(this.db);
  }

  protected async closeStore(): Promise<void> {
    this.db.close();
  }
}

function schemaVersion(db: Database): number {
  const row = db.prepare(`SELECT max(version) AS v FROM ${MIGRATIONS_TABLE}`).get() as { v: number | null };
  return row.v ?? 0;
}

export function openSqliteLog(file: string, settings: LogSettings = {}): SqliteLog {
  // Loaded on first use: commands that never log never load the native module.
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let db: Database;
  try {
    db = new Sqlite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // A reader and the server's writer may meet: wait for the lock instead of failing at once.
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    throw new Error(`cannot open the decision log ${file}: ${(e as Error).message}`);
  }
  db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`);
  const migrate = db.transaction(() => {
    for (const m of pending(schemaVersion(db), file)) {
      db.exec(m.sqlite);
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied) VALUES (?, ?, ?)`)
        .run(m.version, m.name, new Date().toISOString());
    }
  });
  // IMMEDIATE: two processes opening a fresh log at once migrate one after the other.
  migrate.immediate();
  return new SqliteLog(db, file, settings);
}
