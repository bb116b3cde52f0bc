// A task's input or output as bytes for the queue's tables. Plain data goes as JSON; byte arrays
// (a batch chunk's NDJSON output) go beside it as they are, not as base64 or number arrays:
//
//   [u32 length of the JSON] [JSON, each byte array replaced by {"\u0000bytes": i}] [u32 length, bytes]...
const MARK = '\u0000bytes';

export function encode(value: unknown): Buffer {
  const parts: Uint8Array[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      parts.push(v);
      return { [MARK]: parts.length - 1 };
    }
    return v;
  });
  const head = Buffer.from(json ?? 'null', 'utf8');
  const out = Buffer.allocUnsafe(4 + head.length + parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = out.writeUInt32BE(head.length, 0);
  at += head.copy(out, at);
  for (const p of parts) {
    at = out.writeUInt32BE(p.length, at);
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function decode<T>(buf: Uint8Array): T {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const headLength = b.readUInt32BE(0);
  const parts: Uint8Array[] = [];
  for (let at = 4 + headLength; at < b.length; ) {
    const n = b.readUInt32BE(at);
    // A copy that owns its buffer, as a worker thread's output would.
    parts.push(new Uint8Array(b.subarray(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  return JSON.parse(b.toString('utf8', 4, 4 + headLength), (_key, v: unknown) =>
    v && typeof v === 'object' && MARK in v ? parts[(v as Record<string, number>)[MARK]!] : v,
  ) as T;
}
