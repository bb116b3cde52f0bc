// Batch decisions: NDJSON facts in, one NDJSON line out per input line, in input order, on the
// worker pool (engine/tools/pool.ts). The main thread only splits lines and writes results;
// parsing, validation and deciding happen in the workers. Memory stays bounded: at most
// `workers × depth` chunks are between the reader and the writer, and the input is pulled only
// as fast as results are written (stream backpressure).
//
// Every input line gives exactly one output line, carrying its line number:
//   {"line":N,"decision":{...}}  |  {"line":N,"error":"..."}  |  {"line":N,"blank":true}
// so a consumer can join outputs to inputs, and one bad line costs that line only.
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { hasErrors, renderDiagnostics } from '../../dsl/diagnostics.js';
import { decideIn, loadProduct, type LoadedProduct } from '../loading/load.js';
import { lineReader } from '../pipeline/codegen/reader.js';
import { decisionJson } from '../pipeline/codegen/serialize.js';
import { decideFast } from '../pipeline/evaluate/fast.js';
import { decideReference } from '../pipeline/evaluate/reference.js';
import { type ByteChunk, byteChunks, LineWriter, linesOf, parseFactsLine } from './ndjson.js';
import { defineTask, inlinePool, ordered, type Runner, threadPool } from './pool.js';

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
  // Another transport for the chunks (the job queue of `--queue`); threads by default.
  runner?: Runner;
}

export interface BatchResult {
  lines: number;
  failed: number;
}

// Lines as strings (the job queue's chunks), or as the bytes of whole lines (threads: the main
// thread then only finds newlines, and each worker decodes its own chunks).
type Chunk = { first: number; lines: string[] } | ByteChunk;
// A chunk's output travels as UTF-8 bytes whose buffer is transferred, not copied: the main
// thread then only orders and writes them.
interface Done {
  out: Uint8Array;
  failed: number;
}
interface Config {
  product: string;
  trace: boolean;
  asOf?: string;
}

// Facts to a decision's JSON; `line`, where the product has one, from the facts' JSON text
// directly (undefined: that line needs the general path).
export type DecideFacts = ((facts: unknown) => string) & { line?: (text: string) => string | undefined };

// One output line for one input line; `failed` when it is not a decision (blank lines are not failures).
export function batchLine(line: string, lineNo: number, decideFacts: DecideFacts): { text: string; failed: boolean } {
  if (line.trim() === '') return { text: `{"line":${lineNo},"blank":true}`, failed: false };
  const error = (message: string) => ({ text: JSON.stringify({ line: lineNo, error: message }), failed: true });
  let direct: string | undefined;
  try {
    direct = decideFacts.line?.(line);
  } catch (e) {
    return error((e as Error).message);
  }
  if (direct !== undefined) return { text: `{"line":${lineNo},"decision":${direct}}`, failed: false };
  let facts: unknown;
  try {
    facts = parseFactsLine(line);
  } catch (e) {
    return error(`invalid JSON: ${(e as Error).message}`);
  }
  try {
    return { text: `{"line":${lineNo},"decision":${decideFacts(facts)}}`, failed: false };
  } catch (e) {
    return error((e as Error).message);
  }
}

// Facts to a decision's JSON (written by the revision's decision writer, codegen/serialize.ts).
export function decisionText(p: LoadedProduct, opts: { trace: boolean; asOf?: string }): DecideFacts {
  const f: DecideFacts = (facts) => {
    const { decision, selection } = decideIn(p, facts, opts);
    if (!decision) throw new Error(`cannot decide: ${selection.why}`);
    return selection.rev?.compiled ? decisionJson(selection.rev.compiled, decision) : JSON.stringify(decision);
  };
  const line = lineDecision(p, opts);
  if (line) f.line = line;
  return f;
}

// A product with one revision (nothing in the facts chooses it) whose facts the generated line
// reader reads: the line's facts read straight from its text into slots, then decided as decide()
// decides slots (evaluate/index.ts). test/ndjson-direct.test.ts holds it equal to the general path.
function lineDecision(
  p: LoadedProduct,
  opts: { trace: boolean; asOf?: string },
): ((text: string) => string | undefined) | undefined {
  const usable = p.revisions.filter((r) => r.compiled);
  const c = usable.length === 1 && opts.asOf === undefined ? usable[0]!.compiled! : undefined;
  const read = c && lineReader(c.product);
  if (!c || !read) return undefined;
  return (text) => {
    const slots = read(text);
    if (slots === undefined) return undefined;
    return decisionJson(c, opts.trace === false ? decideFast(c, slots) : decideReference(c, slots, true));
  };
}

// Every worker loads the product: through the compiled-model cache, as the CLI's decide does.
export const decideChunk = defineTask(
  'batch/decide',
  import.meta.url,
  (cfg: Config) => {
    const p = loadProduct(cfg.product, { diskCache: true });
    if (hasErrors(p.diagnostics))
      throw new Error(`${cfg.product} has errors:\n${renderDiagnostics(p.diagnostics, p.sources)}`);
    const decideFacts = decisionText(p, { trace: cfg.trace, ...(cfg.asOf === undefined ? {} : { asOf: cfg.asOf }) });
    return (chunk: Chunk): Done => chunkOutput(chunk, decideFacts);
  },
  poisonedChunk,
);

// A chunk that failed on every attempt in the job queue: each of its lines an error line, so the
// line numbers still match the input.
function poisonedChunk(chunk: Chunk, why: string): Done {
  return chunkOutput(chunk, () => {
    throw new Error(why);
  });
}

function chunkOutput(chunk: Chunk, decideFacts: DecideFacts): Done {
  let failed = 0;
  const lines = 'lines' in chunk ? chunk.lines : linesOf(chunk);
  for (let i = 0; i < lines.length; i++) {
    const r = batchLine(lines[i]!, chunk.first + i, decideFacts);
    if (r.failed) failed++;
    writer.line(r.text);
  }
  return { out: writer.take(), failed };
}

// One per thread: chunks are written one at a time.
const writer = new LineWriter();

// The input's lines in chunks; a final line without a newline counts, a final newline does not
// start another line.
async function* chunks(
  input: Readable,
  size: number,
  count: (n: number) => void,
): AsyncGenerator<{ first: number; lines: string[] }> {
  let rest = '';
  let lineNo = 0;
  let lines: string[] = [];
  let first = 1;
  const take = (line: string): { first: number; lines: string[] } | undefined => {
    lineNo++;
    if (lines.length === 0) first = lineNo;
    lines.push(line);
    if (lines.length < size) return undefined;
    const c = { first, lines };
    lines = [];
    return c;
  };
  input.setEncoding('utf8');
  // Async iteration reads the next chunk only when asked: a slow output slows the reading.
  for await (const text of input as AsyncIterable<string>) {
    const parts = (rest + text).split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      const c = take(line);
      if (c) yield c;
    }
  }
  if (rest !== '') take(rest);
  count(lineNo);
  if (lines.length) yield { first, lines };
}

export async function runBatch(o: BatchOptions): Promise<BatchResult> {
  // The product is loaded (and checked) by the workers only: loading it here as well would put
  // a second cold parse on the critical path before any worker starts.
  const config: Config = { product: o.product, trace: o.trace ?? true, ...(o.asOf ? { asOf: o.asOf } : {}) };
  const workers = Math.max(1, o.workers ?? availableParallelism());
  const pool =
    o.runner?.(decideChunk, config) ??
    threadPool(decideChunk, config, { workers, depth: o.depth ?? 4 }) ??
    inlinePool(decideChunk, config);
  let lines = 0;
  let failed = 0;
  try {
    const size = o.chunkLines ?? 256;
    const input = o.runner ? chunks(o.input, size, (n) => (lines = n)) : byteChunks(o.input, size, (n) => (lines = n));
    for await (const done of ordered(pool, input)) {
      failed += done.failed;
      if (done.out.length && !o.output.write(done.out)) await once(o.output, 'drain');
    }
  } finally {
    await pool.close();
  }
  return { lines, failed };
}
