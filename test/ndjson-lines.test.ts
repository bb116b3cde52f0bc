// engine/tools/ndjson.ts reads a line as parseFactsJson reads it (value, or the very error) and
// writes lines as TextEncoder would.
import { describe, expect, it } from 'vitest';
import { nexiCorpus } from '../bench/corpus.js';
import { parseFactsJson } from '../engine/pipeline/facts.js';
import { LineWriter, parseFactsLine } from '../engine/tools/ndjson.js';

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
});
