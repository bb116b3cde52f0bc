// Batch decisions: NDJSON facts in, NDJSON decisions out, in input order, on worker threads.
// The main thread only splits lines and writes results; parsing, validation and deciding happen
// in the workers. Memory stays bounded: at most `workers × depth` chunks are read ahead of the
// output, and the input is pulled only as fast as results are written (stream backpressure).
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { hasErrors, renderDiagnostics } from '../../dsl/diagnostics.js';
import { decideIn, loadProduct } from '../loading/load.js';

export interface BatchOptions {
  product: string;
  input: Readable;
  output: Writable;
  workers?: number;
  trace?: boolean;
  asOf?: string;
  // Lines per message to a worker: large enough that messaging cost is small per decision.
  chunkLines?: number;
  // Chunks in flight per worker.
  depth?: number;
}

export interface BatchResult {
  lines: number;
  failed: number;
}

interface Job { seq: number; first: number; lines: string[] }
// A chunk's output travels as UTF-8 bytes whose buffer is transferred, not copied: the main
// thread then only orders and writes them.
interface Done { seq: number; out: Uint8Array; failed: number }
// A worker that cannot load the product says why, once, instead of deciding.
interface Fatal { fatal: string }
interface Config { yakkanBatch: true; product: string; trace: boolean; asOf?: string }

// Under vitest this module runs from its .ts source, which a worker cannot load: use the build.
function workerUrl(): URL {
  const self = new URL(import.meta.url);
  return self.pathname.endsWith('.ts') ? new URL('../../dist/engine/tools/batch.js', self) : self;
}

export async function runBatch(o: BatchOptions): Promise<BatchResult> {
  // The product is loaded (and checked) by the workers only: loading it here as well would put
  // a second cold parse on the critical path before any worker starts.
  const n = Math.max(1, o.workers ?? availableParallelism());
  const chunkLines = o.chunkLines ?? 256;
  const maxInFlight = n * (o.depth ?? 4);
  const config: Config = { yakkanBatch: true, product: o.product, trace: o.trace ?? true, ...(o.asOf ? { asOf: o.asOf } : {}) };

  let failure: Error | undefined;
  const workers = Array.from({ length: n }, () => new Worker(workerUrl(), { workerData: config }));
  const busy = new Array<number>(n).fill(0);
  const results = new Map<number, Done>();
  let nextWrite = 0;
  let inFlight = 0;
  let failed = 0;
  let writing = false;
  const waiters: (() => void)[] = [];
  const wake = () => { for (const w of waiters.splice(0)) w(); };

  const flush = async (): Promise<void> => {
    if (writing) return;
    writing = true;
    try {
      while (results.has(nextWrite)) {
        const r = results.get(nextWrite)!;
        results.delete(nextWrite);
        nextWrite++;
        failed += r.failed;
        if (r.out.length && !o.output.write(r.out)) await once(o.output, 'drain');
        inFlight--;
        wake();
      }
    } catch (e) {
      failure ??= e as Error;
      wake();
    } finally {
      writing = false;
    }
  };

  workers.forEach((w, i) => {
    w.on('message', (d: Done | Fatal) => {
      if ('fatal' in d) {
        failure ??= new Error(d.fatal);
        wake();
        return;
      }
      busy[i]!--;
      results.set(d.seq, d);
      void flush();
    });
    w.on('error', (e) => { failure ??= e; wake(); });
    w.on('exit', (code) => { if (code !== 0) { failure ??= new Error(`batch worker exited with code ${code}`); wake(); } });
  });

  let seq = 0;
  let lineNo = 0;
  let lines: string[] = [];
  let first = 1;
  const dispatch = async (): Promise<void> => {
    if (lines.length === 0) return;
    while (inFlight >= maxInFlight && !failure) await new Promise<void>((r) => waiters.push(r));
    if (failure) throw failure;
    let k = 0;
    for (let i = 1; i < n; i++) if (busy[i]! < busy[k]!) k = i;
    busy[k]!++;
    inFlight++;
    const job: Job = { seq: seq++, first, lines };
    workers[k]!.postMessage(job);
    lines = [];
  };
  const take = async (line: string): Promise<void> => {
    lineNo++;
    // Blank lines travel too (the worker skips them), so a line's number is first + its index.
    if (lines.length === 0) first = lineNo;
    lines.push(line);
    if (lines.length >= chunkLines) await dispatch();
  };

  try {
    let rest = '';
    o.input.setEncoding('utf8');
    // Async iteration reads the next chunk only when asked: a slow output slows the reading.
    for await (const chunk of o.input as AsyncIterable<string>) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const line of parts) await take(line);
    }
    if (rest !== '') await take(rest);
    await dispatch();
    while (nextWrite < seq && !failure) await new Promise<void>((r) => waiters.push(r));
    if (failure) throw failure;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { lines: lineNo, failed };
}

// ---------------------------------------------------------------- worker side
function serve(cfg: Config): void {
  const encoder = new TextEncoder();
  // Every worker loads the product: through the compiled-model cache, as the CLI's decide does.
  const p = loadProduct(cfg.product, { diskCache: true });
  if (hasErrors(p.diagnostics)) {
    parentPort!.postMessage({ fatal: renderDiagnostics(p.diagnostics, p.sources) } satisfies Fatal);
    return;
  }
  parentPort!.on('message', (job: Job) => {
    let out = '';
    let failed = 0;
    job.lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let facts: unknown;
      try {
        facts = JSON.parse(line);
      } catch (e) {
        failed++;
        out += JSON.stringify({ error: `line ${job.first + i}: invalid JSON: ${(e as Error).message}` }) + '\n';
        return;
      }
      const { decision, selection } = decideIn(p, facts, { trace: cfg.trace, ...(cfg.asOf === undefined ? {} : { asOf: cfg.asOf }) });
      if (!decision) {
        failed++;
        out += JSON.stringify({ error: `line ${job.first + i}: cannot decide: ${selection.why}` }) + '\n';
        return;
      }
      out += JSON.stringify(decision) + '\n';
    });
    const bytes = encoder.encode(out);
    const done: Done = { seq: job.seq, out: bytes, failed };
    parentPort!.postMessage(done, [bytes.buffer]);
  });
}

if (!isMainThread && (workerData as Config | undefined)?.yakkanBatch) serve(workerData as Config);
