// `yakkan batch` prints one line per input line, in input order, each with its line number:
// exactly what `decide` returns for a facts line, an error for a bad one, a mark for a blank
// one; however the work is split across workers and however slowly the output drains.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { nexiCorpus } from '../bench/corpus.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { runBatch } from '../engine/tools/batch.js';
import { ordered, type Pool } from '../engine/tools/pool.js';
import { ROOT, product } from './helpers.js';

const NEXI = join(ROOT, 'products', 'nexi-ip-license');
const corpus = nexiCorpus(200, 42);
const compiled = () => product(NEXI).revisions[0]!.compiled!;
const decided = (line: number, facts: unknown, trace = true) =>
  `{"line":${line},"decision":${JSON.stringify(decide(compiled(), facts, { trace }))}}`;

describe('yakkan batch', () => {
  it('prints decide() for every line, in order, with its line number (CLI, 2 workers)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yakkan-batch-'));
    const file = join(dir, 'facts.ndjson');
    writeFileSync(file, `${corpus.map((f) => JSON.stringify(f)).join('\n')}\n`);
    const args = [join(ROOT, 'bin', 'yakkan.js'), 'batch', NEXI, file, '--workers', '2'];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(corpus.length);
    lines.forEach((line, i) => expect(line).toBe(decided(i + 1, corpus[i])));
  }, 120_000);

  it('keeps order with small chunks and a slow output; bad and blank lines keep their place', async () => {
    const facts = (xs: unknown[]) => xs.map((f) => JSON.stringify(f));
    const input = [...facts(corpus.slice(0, 50)), '{not json', '', '  \t', ...facts(corpus.slice(50, 80)), ''].join(
      '\n',
    );
    const got: string[] = [];
    const output = new Writable({
      highWaterMark: 1,
      write(chunk, _enc, done) {
        got.push(String(chunk));
        setTimeout(done, 1);
      },
    });
    const o = {
      product: NEXI,
      input: Readable.from([input]),
      output,
      workers: 2,
      trace: false,
      chunkLines: 3,
      depth: 1,
    };
    const res = await runBatch(o);
    const lines = got.join('').trimEnd().split('\n');
    expect(res).toEqual({ lines: 83, failed: 1 });
    expect(lines).toEqual([
      ...corpus.slice(0, 50).map((f, i) => decided(i + 1, f, false)),
      JSON.stringify({ line: 51, error: `invalid JSON: ${jsonError('{not json')}` }),
      '{"line":52,"blank":true}',
      '{"line":53,"blank":true}',
      ...corpus.slice(50, 80).map((f, i) => decided(54 + i, f, false)),
    ]);
  }, 120_000);

  it('a product with errors is one message, exit 2', () => {
    const args = [
      join(ROOT, 'bin', 'yakkan.js'),
      'batch',
      join(ROOT, 'test', 'golden', 'diagnostics', 'type-errors.yk'),
      '-',
    ];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', input: '{}\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^yakkan batch: .*type-errors\.yk has errors:\n/);
    expect(r.stdout).toBe('');
  });
});

describe('the worker pool', () => {
  // A pool whose submissions finish in reverse order of arrival, counting how far the reader runs
  // ahead of the consumer.
  const reversing = (capacity: number) => {
    const waiting: (() => void)[] = [];
    const seen = { submitted: 0, consumed: 0, ahead: 0 };
    const pool: Pool<number, number> = {
      capacity,
      submit(n) {
        seen.submitted++;
        seen.ahead = Math.max(seen.ahead, seen.submitted - seen.consumed);
        return new Promise((resolve, reject) => {
          waiting.unshift(() => (n === 13 ? reject(new Error('thirteen')) : resolve(n * 10)));
          if (waiting.length === capacity) for (const w of waiting.splice(0)) w();
          else setTimeout(() => waiting.splice(0).forEach((w) => w()), 1);
        });
      },
      close: async () => {},
    };
    return { pool, seen };
  };

  it('gives outputs in input order, with at most `capacity` inputs between reader and consumer', async () => {
    const { pool, seen } = reversing(4);
    const out: number[] = [];
    for await (const x of ordered(
      pool,
      Array.from({ length: 12 }, (_, i) => i),
    )) {
      out.push(x);
      seen.consumed++;
    }
    expect(out).toEqual(Array.from({ length: 12 }, (_, i) => i * 10));
    expect(seen.ahead).toBe(4);
  });

  it('a failed input fails at its turn, after the outputs before it', async () => {
    const { pool } = reversing(3);
    const out: number[] = [];
    const run = async () => {
      for await (const x of ordered(pool, [10, 11, 12, 13, 14])) out.push(x);
    };
    await expect(run()).rejects.toThrow('thirteen');
    expect(out).toEqual([100, 110, 120]);
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}
