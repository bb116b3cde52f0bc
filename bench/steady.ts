// Steady-state passes over one generated scaling product, with or without a forced full GC
// before each pass (bench/timing.ts forces one for every contender):
//   node --expose-gc dist/bench/steady.js mixed|dense|rules|table|nexi [--gc] [--trace]
// Per pass: decisions a second of wall and CPU time, GC time inside the pass (natural
// collections), and the calls slower than 0.5 ms (after a forced GC, recompiled generated code).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadProduct } from '../engine/loading/load.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { rulesProduct, rulesProductMixed, rulesProductMixedDense, scalingCorpus, tableProduct } from './scaling.js';
import { gc } from './timing.js';
import { nexiCorpus } from './corpus.js';
import { projectRoot } from '../engine/loading/sources.js';

const [which = 'mixed', ...rest] = process.argv.slice(2);
const forced = rest.includes('--gc');
const trace = rest.includes('--trace');
const texts: Partial<Record<string, () => string>> = {
  mixed: () => rulesProductMixed(1000),
  dense: () => rulesProductMixedDense(1000),
  rules: () => rulesProduct(1000),
  table: () => tableProduct(10_000, 250_000),
};
const text = texts[which];
if (!text && which !== 'nexi') {
  process.stderr.write(`usage: steady.js ${Object.keys(texts).join('|')}|nexi [--gc] [--trace]\n`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'yakkan-steady-'));
const file = text !== undefined ? join(dir, `${which}.yk`) : join(projectRoot(), 'products', 'nexi-ip-license');
if (text !== undefined) writeFileSync(file, text());
const c = loadProduct(file).revisions[0]!.compiled!;
rmSync(dir, { recursive: true, force: true });
const corpus = text !== undefined ? scalingCorpus(20_000) : nexiCorpus(20_000);
let gcMs = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
for (let k = 0; k < 2; k++) for (const f of corpus) decide(c, f, { trace });
for (let pass = 0; pass < 8; pass++) {
  if (forced) gc();
  // Let the observer report the forced collection before the pass counts GC time.
  await new Promise((r) => setImmediate(r));
  gcMs = 0;
  let i = 0;
  let n = 0;
  let slow = 0;
  let slowMs = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < 500) {
    const a = performance.now();
    decide(c, corpus[i]!, { trace });
    const d = performance.now() - a;
    if (d > 0.5) {
      slow++;
      slowMs += d;
    }
    if (++i === corpus.length) i = 0;
    n++;
  }
  const wall = performance.now() - t0;
  await new Promise((r) => setImmediate(r));
  const cpu = process.cpuUsage(c0);
  process.stdout.write(
    `pass ${pass}: ${n} decisions, ${Math.round((n / wall) * 1000)}/s wall, ` +
      `${Math.round(n / ((cpu.user + cpu.system) / 1e6))}/CPU-s, GC ${gcMs.toFixed(0)} ms, ` +
      `calls > 0.5 ms: ${slow} (${slowMs.toFixed(0)} ms)\n`,
  );
}
