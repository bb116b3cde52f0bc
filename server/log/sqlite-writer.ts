// Writing batches to a SQLite log, on its own connection, as a task of the worker pool
// (engine/tools/pool.ts). The server writes on a thread: a commit that checkpoints the WAL waits
// for the disk (fsync), and that wait must not stop the event loop from answering requests. A
// one-shot command (`yakkan decide --log`) writes inline. Either way a batch is one transaction:
// it is in the log whole, or not at all.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { defineTask, threadPool, type Pool } from '../../engine/tools/pool.js';

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
  // WAL with synchronous=NORMAL: a committed batch survives the process being killed (the WAL
  // is the OS's to write), and readers (`yakkan log`) never block the server's writes.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // A reader and the server's writer may meet: wait for the lock instead of failing at once.
  db.pragma('busy_timeout = 5000');
  return db;
}

// Its own connection: one transaction per batch.
function connectionWriter(file: string): { write(b: Batch): number; close(): void } {
  const db = openDatabase(file);
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

// On a thread the connection lives as long as the thread.
export const writeBatch = defineTask(
  'log/sqlite-write',
  import.meta.url,
  (init: { file: string }) => connectionWriter(init.file).write,
);

// On a thread of the pool (when asked, and built), else inline on a connection of its own. After
// a thread dies the next batch starts a new one; the batch that failed stays in the log's buffer
// and is tried again.
export function batchWriter(
  file: string,
  thread: boolean,
): { write(b: Batch): Promise<number>; close(): Promise<void> } {
  let pool: Pool<Batch, number> | undefined;
  let inline: ReturnType<typeof connectionWriter> | undefined;
  return {
    async write(b) {
      if (thread) pool ??= threadPool(writeBatch, { file }, { workers: 1, depth: 1 });
      // Inline when asked, or when there is no build to start a thread from (a TypeScript source).
      if (!pool) return (inline ??= connectionWriter(file)).write(b);
      try {
        return await pool.submit(b);
      } catch (e) {
        const dead = pool;
        pool = undefined;
        await dead.close().catch(() => {});
        throw e;
      }
    },
    async close() {
      await pool?.close();
      inline?.close();
      pool = undefined;
      inline = undefined;
    },
  };
}
