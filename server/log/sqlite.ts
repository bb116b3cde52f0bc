// The embedded decision log: one SQLite file through better-sqlite3 (12.x: 13.x needs Node 22).
// Reads and migrations on this thread; batches on their own connection (server/log/sqlite-writer.ts).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { BufferedLog, type LogEntry, type LogSettings } from './store.js';
import { MIGRATIONS_TABLE, pending } from './migrations.js';
import type { ProductSnapshot } from './snapshot.js';
import { batchWriter, openDatabase, type DecisionRow, type ProductRow } from './sqlite-writer.js';

type Database = BetterSqlite3.Database;

export interface SqliteSettings extends LogSettings {
  // Checkpoint the WAL on a worker thread (the server), not in the commits (one-shot commands).
  thread?: boolean;
}

class SqliteLog extends BufferedLog {
  constructor(
    private readonly db: Database,
    readonly target: string,
    settings: LogSettings,
    private readonly writer: ReturnType<typeof batchWriter>,
  ) {
    super(settings);
  }

  protected async writeBatch(entries: LogEntry[], snapshots: ProductSnapshot[]): Promise<void> {
    const time = entries[0]!.time;
    const products = snapshots.map((s): ProductRow => [s.hash, s.product, JSON.stringify(s.files), time]);
    const decisions = entries.map(
      (e): DecisionRow => [
        e.time,
        e.requestId,
        e.product,
        e.revision,
        e.snapshot.hash,
        e.engine,
        JSON.stringify(e.options),
        e.outcome,
        e.facts,
        e.decision,
      ],
    );
    await this.writer.write({ decisions, products });
  }

  protected async select(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return this.db.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  protected async closeStore(): Promise<void> {
    await this.writer.close();
    this.db.close();
  }
}

function schemaVersion(db: Database): number {
  const row = db.prepare(`SELECT max(version) AS v FROM ${MIGRATIONS_TABLE}`).get() as { v: number | null };
  return row.v ?? 0;
}

export function openSqliteLog(file: string, settings: SqliteSettings = {}): SqliteLog {
  mkdirSync(dirname(file), { recursive: true });
  let db: Database;
  try {
    db = openDatabase(file);
  } catch (e) {
    throw new Error(`cannot open the decision log ${file}: ${(e as Error).message}`);
  }
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}
       (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`,
  );
  const migrate = db.transaction(() => {
    for (const m of pending(schemaVersion(db), file)) {
      db.exec(m.sqlite);
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied) VALUES (?, ?, ?)`).run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }
  });
  // IMMEDIATE: two processes opening a fresh log at once migrate one after the other.
  migrate.immediate();
  return new SqliteLog(db, file, settings, batchWriter(file, settings.thread === true));
}
