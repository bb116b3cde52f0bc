// engine/tools/ndjson.ts reads a line as parseFactsJson reads it (value, or the very error) and
// writes lines as TextEncoder would.
import { describe, expect, it } from 'vitest';
import { nexiCorpus } from '../bench/corpus.js';
import { parseFactsJson } from '../engine/pipeline/facts.js';
import { Readable } from 'node:stream';
import { byteChunks, LineWriter, linesOf, parseFactsLine } from '../engine/tools/ndjson.js';

const outcome = (f: (t: string) => unknown, text: string) => {
  try {
    return { value: f(text) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
};

const texts = [
  '{}',
  '[]',
  '1',
  '"a:b"',
  'null',
  '{"a":1}',
  '{"a":1,"a":2}',
  '{"a":{"b":1,"c":{"d":1,"d":2}}}',
  '{"a":[{"x":1},{"x":1,"x":2}]}',
  '{"a":[{"x":1},{"y":1,"x":2}], "b" : "c:d"}',
  '{"a\\"":1,"a":2}',
  '{"a\\"":1,"a\\"":2}',
  '{"a\\\\":1,"a\\\\":2}',
  '{"a\\\\":1,"a":2}',
  '{"\\\\\\"x":"\\"","y":"\\\\"}',
  '{"k":"v\\":1","k2":"\\\\"}',
  '{ "a" :\t1 ,\n "b"\r\n: {"c": [1, 2, {"a": 1}]}, "a" : 3}',
  '{"__proto__":1,"__proto__":2}',
  '{"__proto__":{"a":1}}',
  '{"0":1,"1":2,"0":3}',
  '{"a":"日本語","日本語":{"x":"\\u0022"},"日本語":1}',
  '{"a":1,"b":[[],[{}],{"c":{}}],"c":{"":1,"":2}}',
  '{"a":1',
  '{not json',
  '{"a":1}}',
  '',
  '{"a":1,}',
];

describe('NDJSON lines', () => {
  it('parseFactsLine gives what parseFactsJson gives, value or error', () => {
    const corpus = nexiCorpus(300, 7, 0.3).map((f) => JSON.stringify(f));
    // Every corpus line, and the same with a key of its outer or of an inner object repeated.
    const repeated = corpus.flatMap((t) => [
      t.replace(/\{"([^"]+)":/, '{"$1":0,"$1":'),
      t.replace(/,"([^"]+)":("[^"]*")\}/, ',"$1":$2,"$1":$2}'),
    ]);
    expect(repeated.filter((t) => !corpus.includes(t)).length).toBeGreaterThan(500);
    for (const t of [...texts, ...corpus, ...repeated, ...corpus.map((t) => JSON.stringify(JSON.parse(t), null, 2))]) {
      expect(outcome(parseFactsLine, t), t).toEqual(outcome(parseFactsJson, t));
    }
  });

  it('LineWriter writes what TextEncoder writes, across growth and chunks', () => {
    const w = new LineWriter();
    const enc = new TextEncoder();
    const lines = ['', 'a', '日本語の文', '😀 surrogate pair', 'x'.repeat(70_000), '支払'.repeat(40_000), '"\\n"'];
    for (let round = 0; round < 3; round++) {
      for (const l of lines) w.line(l);
      expect(Buffer.from(w.take()).equals(Buffer.from(enc.encode(`${lines.join('\n')}\n`)))).toBe(true);
    }
    expect(w.take().length).toBe(0);
  });

  it('byteChunks cuts whole lines that decode as the stream decoded as text would', async () => {
    // The lines (with their numbers) of reading the stream as UTF-8 text and splitting on newlines.
    const asText = async (reads: Buffer[]) => {
      const input = Readable.from(reads, { objectMode: false });
      input.setEncoding('utf8');
      let rest = '';
      const out: string[] = [];
      for await (const t of input as AsyncIterable<string>) {
        const parts = (rest + t).split('\n');
        rest = parts.pop()!;
        out.push(...parts);
      }
      if (rest !== '') out.push(rest);
      return out;
    };
    const inputs = [
      '',
      '\n',
      '\n\n',
      'a',
      'a\n',
      'a\nb',
      '{"a":1}\r\n{"b":"日本語"}\r\n',
      '\ufeff{"x":"😀"}\n\n  \n{"y":"支払"}',
      'x\n'.repeat(1000),
    ].map((t) => Buffer.from(t));
    inputs.push(Buffer.from([0x7b, 0xe6, 0x97, 0x0a, 0xe6, 0x97, 0xa5, 0xff, 0x0a, 0xc3]));
    for (const whole of inputs) {
      for (const step of [1, 2, 3, 7, 64, 1 << 20]) {
        const reads: Buffer[] = [];
        for (let i = 0; i < whole.length; i += step) reads.push(whole.subarray(i, i + step));
        for (const size of [1, 3, 256]) {
          const got: string[] = [];
          let next = 1;
          let counted = 0;
          for await (const c of byteChunks(Readable.from(reads, { objectMode: false }), size, (n) => (counted = n))) {
            expect(c.first).toBe(next);
            expect(c.count).toBeLessThanOrEqual(size);
            expect(c.bytes.byteOffset === 0 && c.bytes.byteLength === c.bytes.buffer.byteLength).toBe(true);
            const ls = linesOf(c);
            expect(ls).toHaveLength(c.count);
            got.push(...ls);
            next += c.count;
          }
          const want = await asText(reads);
          expect(got, JSON.stringify({ whole: whole.toString('hex'), step, size })).toEqual(want);
          expect(counted).toBe(want.length);
        }
      }
    }
  });
});
