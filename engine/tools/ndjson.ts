// The per-line costs of NDJSON in and out, for batch (and diff): reading a facts line exactly as
// parseFactsJson does, and writing many output lines as UTF-8 into one buffer.
import { checkFactsSize, parseFactsJson } from '../pipeline/facts.js';

// parseFactsJson's result and errors, without its character-by-character walk for repeated keys
// (as long as JSON.parse of a line). JSON.parse keeps one property per distinct key, so a text
// has a repeated key exactly when it holds more keys than the value it parses to: both are
// counted, and only on a difference does parseFactsJson run, to throw its own error.
export function parseFactsLine(text: string): unknown {
  const value: unknown = JSON.parse(checkFactsSize(text));
  if (value === null || typeof value !== 'object') return value;
  return keysInText(text) === keysIn(value) ? value : parseFactsJson(text);
}

// Keys of every object in the value (own enumerable, as JSON.parse makes them all).
function keysIn(v: object): number {
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (x !== null && typeof x === 'object') n += keysIn(x);
    }
    return n;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    n++;
    const x = o[k];
    if (x !== null && typeof x === 'object') n += keysIn(x);
  }
  return n;
}

// Strings followed by a colon in a text already known to be valid JSON: its keys. Strings are
// skipped with indexOf; a quote is escaped when an odd number of backslashes precede it.
function keysInText(t: string): number {
  let n = 0;
  let i = t.indexOf('"');
  while (i >= 0) {
    let j = t.indexOf('"', i + 1);
    for (;;) {
      let b = j - 1;
      while (t.charCodeAt(b) === 92) b--;
      if ((j - 1 - b) % 2 === 0) break;
      j = t.indexOf('"', j + 1);
    }
    let k = j + 1;
    let c = t.charCodeAt(k);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++k);
    if (c === 58) n++;
    i = t.indexOf('"', k);
  }
  return n;
}

// Output lines encoded straight into one growing scratch buffer (TextEncoder.encodeInto), then
// copied out once per chunk: an exact-size array whose buffer can be transferred to another thread.
export class LineWriter {
  private buf = new Uint8Array(1 << 16);
  private at = 0;
  private readonly encoder = new TextEncoder();

  line(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const need = text.length * 3 + 1;
    if (this.buf.length - this.at < need) this.grow(need);
    this.at += this.encoder.encodeInto(text, this.buf.subarray(this.at)).written;
    this.buf[this.at++] = 10;
  }

  // The lines so far, and the writer empty again (its scratch buffer kept for the next chunk).
  take(): Uint8Array {
    const out = this.buf.slice(0, this.at);
    this.at = 0;
    // One chunk of huge decisions does not pin its buffer for the rest of the run.
    if (this.buf.length > 1 << 24) this.buf = new Uint8Array(1 << 16);
    return out;
  }

  private grow(need: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + need));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }
}

// NDJSON input cut into chunks of whole lines as bytes: the reading thread only looks for
// newlines and copies bytes; the thread that decides the chunk decodes it (linesOf). Lines are
// what reading the whole input as UTF-8 and splitting on '\n' gives: a final line without a
// newline counts, a final newline does not start another line (a newline byte never occurs
// inside a multi-byte character, so a chunk decodes alone exactly as it would in the stream).
export interface ByteChunk {
  // The number of its first line, from 1.
  first: number;
  count: number;
  bytes: Uint8Array;
}

export async function* byteChunks(
  input: AsyncIterable<Uint8Array | string>,
  size: number,
  onRead: (lines: number, bytes: number) => void = () => {},
): AsyncGenerator<ByteChunk> {
  let parts: Uint8Array[] = [];
  let held = 0;
  let count = 0;
  let first = 1;
  let lines = 0;
  let bytes = 0;
  // Bytes after the last newline so far: a last line, if the input ends without one.
  let tail = 0;
  // Copied out whole, so the chunk owns its buffer (a thread pool moves it rather than copying).
  const cut = (): ByteChunk => {
    const out = new Uint8Array(held);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    const c = { first, count, bytes: out };
    first += count;
    count = 0;
    parts = [];
    held = 0;
    return c;
  };
  const keep = (b: Uint8Array) => {
    parts.push(b);
    held += b.length;
  };
  for await (const read of input) {
    const buf = typeof read === 'string' ? Buffer.from(read) : read;
    bytes += buf.length;
    let start = 0;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      from = nl + 1;
      tail = 0;
      count++;
      lines++;
      if (count === size) {
        keep(buf.subarray(start, from));
        start = from;
        onRead(lines, bytes);
        yield cut();
      }
    }
    tail += buf.length - from;
    if (start < buf.length) keep(buf.subarray(start));
    onRead(lines, bytes);
  }
  if (tail > 0) {
    count++;
    lines++;
    onRead(lines, bytes);
  }
  if (count > 0) yield cut();
}

// A chunk's lines as strings.
export function linesOf(c: ByteChunk): string[] {
  const text = Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.length).toString('utf8');
  const lines = text.split('\n');
  if (lines.length > c.count) lines.pop();
  return lines;
}
