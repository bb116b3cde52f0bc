// The CLI and the decision log: its decisions into the log (`yakkan decide --log`, `yakkan batch
// --log`, the same entries the server appends, with a request id that says where they came from),
// and the log's facts out as the corpus of `yakkan diff --from-log`.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { loadProduct, type LoadedProduct } from '../../engine/loading/load.js';
import type { Decision } from '../../engine/pipeline/decision-types.js';
import { openLog, type DecideRequest, type DecisionLog, type LogFilter } from './store.js';
import { entryFor, exportCorpus } from './replay.js';
import { snapshotOf } from './snapshot.js';

// `yakkan batch --log`: the batch's input and output, watched (loggedBatch), and the log closed at
// the end. The product is loaded here for its snapshot, as the batch's workers load it.
export async function batchLog(
  target: string,
  productPath: string,
  o: { asOf?: string | undefined; trace: boolean },
  input: Readable,
  output: Writable,
): Promise<{ input: Readable; output: Writable; finish(): Promise<void> }> {
  const log = await openLog(target);
  const options: DecideRequest = { ...(o.asOf ? { asOf: o.asOf } : {}), ...(o.trace ? {} : { trace: false }) };
  const w = loggedBatch(log, loadProduct(productPath, { diskCache: true }), options, input, output);
  return {
    input: w.input,
    output: w.output,
    async finish() {
      try {
        await w.done();
      } finally {
        await log.close();
      }
    },
  };
}

export async function logDecision(
  target: string,
  p: LoadedProduct,
  facts: unknown,
  options: DecideRequest,
  d: Decision,
): Promise<void> {
  const log = await openLog(target);
  try {
    log.append(entryFor(snapshotOf(p), `cli:${randomUUID()}`, JSON.stringify(facts), options, d, JSON.stringify(d)));
  } finally {
    await log.close();
  }
}

// A batch's input and output, watched: each input line is kept until the output line with its
// number (`{"line":N,"decision":...}`, engine/tools/batch.ts) has passed, then both go to the log.
// The batch reads only a few chunks ahead of its output, so few lines are kept at once.
export function loggedBatch(
  log: DecisionLog,
  p: LoadedProduct,
  options: DecideRequest,
  input: Readable,
  output: Writable,
): {
  input: Readable;
  output: Writable;
  done(): Promise<void>;
} {
  const snapshot = snapshotOf(p);
  const batchId = `batch:${randomUUID()}`;
  const lines = new Map<number, string>();
  let read = 0;
  let inRest = '';
  const watchIn = new Transform({
    transform(chunk: Buffer, _enc, next) {
      const parts = (inRest + chunk.toString('utf8')).split('\n');
      inRest = parts.pop()!;
      for (const l of parts) lines.set(++read, l);
      next(null, chunk);
    },
    flush(next) {
      if (inRest !== '') lines.set(++read, inRest);
      next();
    },
  });
  const prefix = /^\{"line":(\d+),"decision":/;
  let outRest = '';
  let failure: Error | undefined;
  const take = (line: string) => {
    const m = prefix.exec(line);
    const n = Number(/^\{"line":(\d+)/.exec(line)?.[1]);
    const facts = lines.get(n);
    lines.delete(n);
    if (!m || facts === undefined) return;
    const json = line.slice(m[0].length, -1);
    log.append(entryFor(snapshot, `${batchId}#${n}`, facts, options, JSON.parse(json) as Decision, json));
  };
  const watchOut = new Transform({
    transform(chunk: Buffer, _enc, next) {
      const parts = (outRest + chunk.toString('utf8')).split('\n');
      outRest = parts.pop()!;
      try {
        for (const l of parts) take(l);
      } catch (e) {
        failure ??= e as Error;
      }
      // A full log holds the batch back rather than growing.
      if (log.full) log.drained().then(() => next(null, chunk), next);
      else next(null, chunk);
    },
  });
  // stdout is not ended with the batch: the command may still write to it.
  watchOut.pipe(output, { end: false });
  input.pipe(watchIn);
  return {
    input: watchIn,
    output: watchOut,
    async done() {
      if (outRest !== '') take(outRest);
      await new Promise<void>((resolve) => watchOut.end(resolve));
      if (failure) throw failure;
    },
  };
}

// `yakkan diff --from-log`: the logged facts (filtered; by default those of the product being
// diffed) written as a labelled NDJSON corpus in a temporary folder, for the diff to read.
export async function corpusFromLog(
  target: string,
  filter: LogFilter,
): Promise<{ file: string; count: number; remove(): void }> {
  const log = await openLog(target);
  const dir = mkdtempSync(join(tmpdir(), 'yakkan-from-log-'));
  const file = join(dir, 'logged-facts.ndjson');
  const out = createWriteStream(file);
  try {
    const count = await exportCorpus(log, filter, out);
    out.end();
    await once(out, 'close');
    return { file, count, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    out.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    await log.close();
  }
}
