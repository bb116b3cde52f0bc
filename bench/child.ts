// Measurements that need a fresh process: a cold load (no module-level caches, no warm JIT)
// and the heap held by loaded products. Run by bench/run.ts as
//   node --expose-gc dist/bench/child.js load <product.yk>          (from the DSL)
//   node --expose-gc dist/bench/child.js load-cached <product.yk>   (through the compiled-model cache)
//   node --expose-gc dist/bench/child.js memory <product.yk> <copies>
//   node --expose-gc dist/bench/child.js diff <old.yk> <new.yk> <corpus.ndjson> <jobs>
// (diff: cases a second and the peak memory of the whole process, worker threads included,
// which must not grow with the corpus: the NDJSON file is streamed in chunks)
// and prints one JSON line.
import { readFileSync } from 'node:fs';
import { parseProduct } from '../dsl/index.js';
import { hasErrors } from '../dsl/diagnostics.js';
import { check } from '../engine/pipeline/check.js';
import { compile } from '../engine/pipeline/evaluate/index.js';
import { loadProduct } from '../engine/loading/load.js';
import { loadSources } from '../engine/loading/sources.js';
import { behaviouralDiff } from '../engine/tools/diff.js';

const [mode, file, copies] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;

if (mode === 'load' || mode === 'load-cached') {
  const t0 = performance.now();
  const p = loadProduct(file!, { diskCache: mode === 'load-cached' });
  const ms = performance.now() - t0;
  const rev = p.revisions[p.revisions.length - 1];
  process.stdout.write(
    JSON.stringify({
      ms,
      errors: hasErrors(p.diagnostics),
      rules: rev?.checked.product.rules.length ?? 0,
      compiled: !!rev?.compiled,
    }) + '\n',
  );
} else if (mode === 'memory') {
  if (!gc) throw new Error('run with --expose-gc');
  const text = readFileSync(file!, 'utf8');
  const sources = loadSources();
  // One load first, so shared module state (seed texts, schema validators) is not counted.
  const one = () => {
    const { model } = parseProduct(text, file!);
    return compile(check(model, sources));
  };
  one();
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = [];
  const n = Number(copies ?? 20);
  for (let i = 0; i < n; i++) keep.push(one());
  gc();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ bytesPerProduct: (after - before) / n, copies: keep.length }) + '\n');
} else if (mode === 'diff') {
  const [oldPath, newPath, corpus, jobs] = process.argv.slice(3);
  const t0 = performance.now();
  const b = await behaviouralDiff(oldPath!, newPath!, corpus!, { jobs: Number(jobs ?? 1) });
  const ms = performance.now() - t0;
  process.stdout.write(
    JSON.stringify({ ms, cases: b.cases, changed: b.changed, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n',
  );
}
