// Writing batches to a SQLite log, each batch one transaction on a connection of its own: it is
// in the log whole, or not at all. For the server, the WAL's checkpoints (which wait for the disk)
// run as a task of the worker pool (engine/tools/pool.ts) on a thread, so that wait never stops
// the event loop from answering requests.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { defineTask, threadPool } from '../../engine/tools/pool.js';

type Database = BetterSqlite3.Database;

// yakkan_decisions's columns after id, and yakkan_products's, as positional values.
export type DecisionRow = [string, string, string, string, string, string, string, string, string, string];
export type ProductRow = [string, string, string, string];

export interface Batch {
  decisions: DecisionRow[];
  products: ProductRow[];
}

export function openDatabase(file: string): Database {
  // Loaded on first use: commands that never log never load the native module.
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Sqlite(file);
  // A logged row (facts and decision, 4–30 KB) spills over fewer pages of 16 KB than of 4 KB:
  // ~15% less CPU per row. Only a new, empty log takes it; an existing one keeps its size.
  db.pragma('page_size = 16384');
  // WAL with synchronous=NORMAL: a committed batch survives the process being killed (the WAL
  // is the OS's to write), and readers (`yakkan log`) never block the server's writes.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // A reader and the server's writer may meet: wait for the lock instead of failing at once.
  db.pragma('busy_timeout = 5000');
  return db;
}

// Its own connection: one transaction per batch. `checkpoints: false` leaves the WAL's
// checkpoints (the only fsync in WAL mode with synchronous=NORMAL) to another connection.
function connectionWriter(file: string, checkpoints = true): { write(b: Batch): number; close(): void } {
  const db = openDatabase(file);
  if (!checkpoints) db.pragma('wal_autocheckpoint = 0');
  const decision = db.prepare(
    `INSERT INTO yakkan_decisions
         (time, request_id, product, revision, product_hash, engine, options, outcome, facts, decision)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const product = db.prepare(
    'INSERT OR IGNORE INTO yakkan_products (hash, product, files, first_logged) VALUES (?, ?, ?, ?)',
  );
  const write = db.transaction((b: Batch) => {
    for (const p of b.products) product.run(...p);
    for (const d of b.decisions) decision.run(...d);
  });
  return {
    write(b) {
      write(b);
      return b.decisions.length;
    },
    close: () => db.close(),
  };
}

// The WAL copied into the database and fsynced, on a thread: PASSIVE never waits for the writer.
export const checkpoint = defineTask('log/sqlite-checkpoint', import.meta.url, (init: { file: string }) => {
  const db = openDatabase(init.file);
  return (): number => {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    return r?.log ?? 0;
  };
});

const CHECKPOINT_EVERY_MS = 1000;

// Batches are written on this thread (appending to the WAL is a memory copy into the OS's page
// cache); the checkpoints, which wait for the disk, on a thread of the pool, at most once a
// second, so that wait never holds up the event loop. Without a build to start a thread from (a
// TypeScript source run directly), or when not asked to, SQLite checkpoints inline as usual.
export function batchWriter(
  file: string,
  thread: boolean,
): { write(b: Batch): Promise<number>; close(): Promise<void> } {
  const pool = thread ? threadPool(checkpoint, { file }, { workers: 1, depth: 1 }) : undefined;
  const writer = connectionWriter(file, pool === undefined);
  let running: Promise<unknown> | undefined;
  let last = 0;
  return {
    async write(b) {
      const n = writer.write(b);
      if (pool && !running && Date.now() - last >= CHECKPOINT_EVERY_MS) {
        last = Date.now();
        // A failed checkpoint leaves the WAL longer until the next one: nothing is lost.
        running = pool
          .submit(undefined)
          .catch(() => {})
          .finally(() => (running = undefined));
      }
      return n;
    },
    async close() {
      await running;
      await pool?.close();
      writer.close();
    },
  };
}
