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
