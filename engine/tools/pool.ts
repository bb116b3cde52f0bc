// The one worker pool: a task (a named function of a module, set up once per worker from an
// `init` value) run over a stream of inputs, with results handed back in input order and at most
// `capacity` inputs between the reader and the writer, so memory stays bounded whatever the size
// of the input. `yakkan batch` (engine/tools/batch.ts) and `yakkan diff` (engine/tools/diff.ts)
// run on it.
//
// A task is declared once, at the top level of its module:
//
//   export const decideLines = defineTask('batch/decide', import.meta.url, (init: Config) => {
//     const product = loadProduct(init.product);     // once per worker
//     return (chunk: Chunk) => decideChunk(product, chunk);
//   });
//
// and run through a Pool:
//
//   const pool = threadPool(decideLines, config, { workers: 4, depth: 2 }) ?? inlinePool(decideLines, config);
//   try { for await (const out of ordered(pool, chunks)) write(out); } finally { await pool.close(); }
//
// Pool is the seam for other transports: the job queue (engine/tools/distributed/, pg-boss)
// implements the same three members, and a tool takes it as a `Runner`. Its runs carry the task's
// `module` and `name` and the `init`, its jobs the input (all plain data, as for threads); a
// `yakkan worker` imports `module` from its own installation, finds the task with
// `findTask(name)` and decides each job on a thread pool of the task.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface Task<Init, In, Out> {
  name: string;
  // The module that declares the task: a worker imports it to find the task.
  module: string;
  setup(init: Init): (input: In) => Out;
  // What an input that failed on every attempt becomes, so that the rest of a run completes: a
  // transport that retries and gives up on a poison input (the job queue) answers with this.
  poisoned?: (input: In, why: string) => Out;
}

export interface Pool<In, Out> {
  // How many inputs it usefully holds at once (`ordered` keeps at most this many submitted).
  readonly capacity: number;
  // The output for one input. Submissions may finish in any order; `ordered` restores it.
  submit(input: In): Promise<Out>;
  close(): Promise<void>;
}

// How a tool gets its pool: worker threads by default; `--queue` hands batch and diff the job
// queue's runner (engine/tools/distributed/coordinator.ts) instead, and nothing above it changes.
export type Runner = <Init, In, Out>(task: Task<Init, In, Out>, init: Init) => Pool<In, Out>;

const tasks = new Map<string, Task<never, never, unknown>>();

interface WorkerInit {
  yakkanTask: string;
  init: unknown;
}

export function defineTask<Init, In, Out>(
  name: string,
  module: string,
  setup: (init: Init) => (input: In) => Out,
  poisoned?: (input: In, why: string) => Out,
): Task<Init, In, Out> {
  const task: Task<Init, In, Out> = { name, module, setup, ...(poisoned ? { poisoned } : {}) };
  tasks.set(name, task as unknown as Task<never, never, unknown>);
  const wd = workerData as Partial<WorkerInit> | null;
  // After the rest of the declaring module has run: the setup may use what it defines below.
  if (!isMainThread && wd?.yakkanTask === name) setImmediate(() => serveThread(task, wd.init as Init));
  return task;
}

export function findTask(name: string): Task<unknown, unknown, unknown> | undefined {
  return tasks.get(name) as Task<unknown, unknown, unknown> | undefined;
}

// One handler per task and init, set up on first use: a worker of any transport calls this
// for every input it receives.
const handlers = new WeakMap<Task<never, never, unknown>, Map<string, (input: unknown) => unknown>>();
export function handlerFor<Init, In, Out>(task: Task<Init, In, Out>, init: Init): (input: In) => Out {
  const key = JSON.stringify(init);
  const byInit = handlers.get(task as never) ?? new Map<string, (input: unknown) => unknown>();
  handlers.set(task as never, byInit);
  let h = byInit.get(key);
  if (!h) {
    h = task.setup(init) as (input: unknown) => unknown;
    byInit.set(key, h);
  }
  return h as (input: In) => Out;
}

// The outputs of `inputs`, in input order. Input is read only while fewer than `limit` outputs
// are pending, and the next output is awaited only when the consumer asks for it, so a slow
// consumer slows the reading: memory holds at most `limit` inputs and outputs.
export async function* ordered<In, Out>(
  pool: Pool<In, Out>,
  inputs: AsyncIterable<In> | Iterable<In>,
  limit = pool.capacity,
): AsyncGenerator<Out> {
  const pending: Promise<{ ok: true; out: Out } | { ok: false; error: unknown }>[] = [];
  const next = async (): Promise<Out> => {
    const r = await pending.shift()!;
    if (!r.ok) throw r.error;
    return r.out;
  };
  for await (const input of inputs) {
    // Settled at once, so a failure waits its turn instead of being an unhandled rejection.
    pending.push(
      pool.submit(input).then(
        (out) => ({ ok: true as const, out }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    if (pending.length >= Math.max(1, limit)) yield await next();
  }
  while (pending.length) yield await next();
}

// The task in this thread: for small inputs, and where no built worker module exists.
export function inlinePool<Init, In, Out>(task: Task<Init, In, Out>, init: Init): Pool<In, Out> {
  return {
    capacity: 1,
    submit: async (input) => handlerFor(task, init)(input),
    close: async () => {},
  };
}

// Messages between the pool and its threads.
type ToWorker = { id: number; input: unknown };
type FromWorker = { id: number; out: unknown } | { id: number; error: string } | { fatal: string };

// `workers` threads, each holding up to `depth` inputs (the next one queued while it works).
// undefined when the task's module cannot run in a thread (a TypeScript source without a build).
export function threadPool<Init, In, Out>(
  task: Task<Init, In, Out>,
  init: Init,
  o: { workers: number; depth?: number },
): Pool<In, Out> | undefined {
  const url = threadModule(task.module);
  if (!url) return undefined;
  const n = Math.max(1, o.workers);
  const workerInit: WorkerInit = { yakkanTask: task.name, init };
  const threads = Array.from({ length: n }, () => ({
    worker: new Worker(url, { workerData: workerInit }),
    waiting: new Map<number, { resolve(out: Out): void; reject(e: Error): void }>(),
  }));
  let failure: Error | undefined;
  let closing = false;
  let nextId = 0;
  const fail = (e: Error): void => {
    failure ??= e;
    for (const t of threads) {
      for (const w of t.waiting.values()) w.reject(failure);
      t.waiting.clear();
    }
  };
  for (const t of threads) {
    t.worker.on('message', (m: FromWorker) => {
      if ('fatal' in m) return fail(new Error(m.fatal));
      const w = t.waiting.get(m.id);
      t.waiting.delete(m.id);
      if ('error' in m) w?.reject(new Error(m.error));
      else w?.resolve(m.out as Out);
    });
    t.worker.on('error', fail);
    t.worker.on('exit', (code) => {
      if (code !== 0 && !closing) fail(new Error(`${task.name} worker exited with code ${code}`));
    });
  }
  return {
    capacity: n * (o.depth ?? 2),
    submit(input) {
      if (failure) return Promise.reject(failure);
      // The least busy thread: a slow input does not hold up the ones queued behind it elsewhere.
      const t = threads.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
      const id = nextId++;
      return new Promise<Out>((resolve, reject) => {
        t.waiting.set(id, { resolve, reject });
        // A byte array that owns its buffer is moved, as results are (see serveThread).
        t.worker.postMessage({ id, input } satisfies ToWorker, transferables(input));
      });
    },
    async close() {
      closing = true;
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}

function serveThread<Init, In, Out>(task: Task<Init, In, Out>, init: Init): void {
  let handler: (input: In) => Out;
  try {
    handler = handlerFor(task, init);
  } catch (e) {
    parentPort!.postMessage({ fatal: (e as Error).message } satisfies FromWorker);
    return;
  }
  parentPort!.on('message', ({ id, input }: ToWorker) => {
    let out: Out;
    try {
      out = handler(input as In);
    } catch (e) {
      parentPort!.postMessage({ id, error: (e as Error).message } satisfies FromWorker);
      return;
    }
    // Byte arrays that own their buffer are moved to the main thread, not copied.
    parentPort!.postMessage({ id, out } satisfies FromWorker, transferables(out));
  });
}

function transferables(out: unknown): ArrayBuffer[] {
  const values = out && typeof out === 'object' && !ArrayBuffer.isView(out) ? Object.values(out) : [out];
  return values
    .filter(
      (v): v is Uint8Array => v instanceof Uint8Array && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength,
    )
    .map((v) => v.buffer as ArrayBuffer);
}

// A worker thread runs JavaScript: under a TypeScript runner (vitest) a module's compiled twin
// in dist/ does the work, when it has been built.
function threadModule(module: string): URL | undefined {
  const file = fileURLToPath(module);
  if (file.endsWith('.js')) return new URL(module);
  const root = fileURLToPath(new URL('../../', import.meta.url));
  if (!file.startsWith(root)) return undefined;
  const built = `${root}dist/${file.slice(root.length).replace(/\.ts$/, '.js')}`;
  return existsSync(built) ? pathToFileURL(built) : undefined;
}
