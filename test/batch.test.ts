// `yakkan batch` must print exactly what `decide` returns for each line, in input order, however
// the work is split across workers and however slowly the output drains.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { decide } from '../engine/pipeline/evaluate.js';
import { runBatch } from '../engine/tools/batch.js';
import { nexiCorpus } from '../bench/corpus.js';
import { ROOT, product } from './helpers.js';

const NEXI = join(ROOT, 'products', 'nexi-ip-license');
const corpus = nexiCorpus(200, 42);
const compiled = () => product(NEXI).revisions[0]!.compiled!;

describe('yakkan batch', () => {
  it('prints decide() for every line, in order (CLI, 2 workers)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yakkan-batch-'));
    const file = join(dir, 'facts.ndjson');
    writeFileSync(file, corpus.map((f) => JSON.stringify(f)).join('\n') + '\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'yakkan.js'), 'batch', NEXI, file, '--workers', '2'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(corpus.length);
    lines.forEach((line, i) => expect(line).toBe(JSON.stringify(decide(compiled(), corpus[i]))));
  }, 120_000);

  it('keeps order with small chunks and a slow output; reports bad lines in place', async () => {
    const input = [...corpus.slice(0, 50).map((f) => JSON.stringify(f)), '{not json', '', ...corpus.slice(50, 80).map((f) => JSON.stringify(f))].join('\n');
    const got: string[] = [];
    const output = new Writable({
      highWaterMark: 1,
      write(chunk, _enc, done) {
        got.push(String(chunk));
        setTimeout(done, 1);
      },
    });
    const res = await runBatch({ product: NEXI, input: Readable.from([input]), output, workers: 2, trace: false, chunkLines: 3, depth: 1 });
    const lines = got.join('').trimEnd().split('\n');
    expect(res.failed).toBe(1);
    expect(lines).toHaveLength(81);
    const expected = [
      ...corpus.slice(0, 50).map((f) => JSON.stringify(decide(compiled(), f, { trace: false }))),
      JSON.stringify({ error: 'line 51: invalid JSON: ' + jsonError('{not json') }),
      ...corpus.slice(50, 80).map((f) => JSON.stringify(decide(compiled(), f, { trace: false }))),
    ];
    expect(lines).toEqual(expected);
  }, 120_000);
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}
