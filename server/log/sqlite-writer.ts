// Writing batches to a SQLite log, inline or on a worker thread. The server writes on a thread: a
// commit that checkpoints the WAL waits for the disk (fsync), and that wait must not stop the
// event loop from answering requests. A one-shot command (`yakkan decide --log`) writes inline.
// Either way a batch is one transaction: it is in the log whole, or not at all.
import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

type Database = BetterSqlite3.Database;

// yakkan_decisions's columns after id, and yakkan_products's, as positional values.
export type DecisionRow = [string, string, string, string, string, string, string, string, string, string];
export type ProductRow = [string, string, string, string];

export interface BatchWriter {
  write(decisions: DecisionRow[], products: ProductRow[]): Promise<void> | void;
  close(): Promise<void>;
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

function transaction(db: Database): (decisions: DecisionRow[], products: ProductRow[]) => void {
  const decision = db.prepare(
    `INSERT INTO yakkan_decisions (time, request_id, product, revision, product_hash, engine, options, outcome, facts, decision)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const product = db.prepare('INSERT OR IGNORE INTO yakkan_products (hash, product, files, first_logged) VALUES (?, ?, ?, ?)');
  return db.transaction((decisions: DecisionRow[], products: ProductRow[]) => {
    for (const p of products) product.run(...p);
    for (const d of decisions) decision.run(...d);
  });
}

export function inlineWriter(db: Database): BatchWriter {
  const write = transaction(db);
  return { write, close: async () => {} };
}

interface Reply {
  id: number;
  error?: string;
}

// Under vitest this module runs from its .ts source, which a worker cannot load: use the build.
function workerUrl(): URL {
  const self = new URL(import.meta.url);
  return self.pathname.endsWith('.ts') ? new URL('../../dist/server/log/sqlite-writer.js', self) : self;
}

export function threadWriter(file: string): BatchWriter {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve(): void; reject(e: Error): void }>();
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
    worker = undefined;
  };
  // Started on the first batch, and again after a crash: the batch that failed is retried.
  const start = (): Worker => {
    const w = new Worker(workerUrl(), { workerData: { yakkanSqliteWriter: true, file } });
    w.on('message', (r: Reply) => {
      const p = waiting.get(r.id);
      waiting.delete(r.id);
      if (r.error === undefined) p?.resolve();
      else p?.reject(new Error(r.error));
    });
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`the log writer thread exited (${code})`)));
    // Nothing to wait for between batches: the process may end while the thread idles.
    w.unref();
    return w;
  };
  return {
    write(decisions, products) {
      worker ??= start();
      const id = next++;
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker!.ref();
        worker!.postMessage({ id, decisions, products });
      }).finally(() => {
        if (waiting.size === 0) worker?.unref();
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}

function serveWrites(file: string): void {
  const db = openDatabase(file);
  const write = transaction(db);
  parentPort!.on('message', (m: { id: number; decisions: DecisionRow[]; products: ProductRow[] }) => {
    try {
      write(m.decisions, m.products);
      parentPort!.postMessage({ id: m.id } satisfies Reply);
    } catch (e) {
      parentPort!.postMessage({ id: m.id, error: (e as Error).message } satisfies Reply);
    }
  });
}

if (!isMainThread && (workerData as { yakkanSqliteWriter?: boolean } | null)?.yakkanSqliteWriter) {
  serveWrites((workerData as { file: string }).file);
}
