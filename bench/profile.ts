// A profiling target and a reader for its profile:
//   node --cpu-prof --cpu-prof-dir=/tmp/yakkan-prof dist/bench/profile.js decide [n] [trace]
//   node --cpu-prof --cpu-prof-dir=/tmp/yakkan-prof dist/bench/profile.js load <product>
//   node --cpu-prof --cpu-prof-dir=/tmp/yakkan-prof dist/bench/profile.js scaling rules|table [n]
//   node dist/bench/profile.js readfacts [n]   (readFacts' share of decide)
//   node dist/bench/profile.js quick [n] [rounds]   (interleaved throughput per CPU-second: hand-written, NEXI
//                                                   lean/trace, rules-1000, table-1000; ratios in one minute)
//   node dist/bench/profile.js summary /tmp/yakkan-prof/<file>.cpuprofile [top] [under-function]
// The summary is self time by function (and by file), the evidence in docs/performance.md;
// with under-function, only samples taken inside that function's calls count.
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { rulesProduct, tableProduct, scalingCorpus } from './scaling.js';
import { join } from 'node:path';
import { loadProduct } from '../engine/loading/load.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { projectRoot } from '../engine/loading/sources.js';
import { nexiCorpus } from './corpus.js';
import { Ajv } from 'ajv';
import { factsSchema, readFacts } from '../engine/pipeline/facts.js';
import { decideNexiDec } from './nexi-handwritten.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [mode, arg, arg2, arg3] = process.argv.slice(2);
// `summary ... | head` closes the pipe early: the reader has what it wanted.
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
if (mode === 'decide') {
  const t0 = performance.now();
  const p = loadProduct(join(projectRoot(), 'products', 'nexi-ip-license'));
  const c = p.revisions[0]!.compiled!;
  const corpus = nexiCorpus(Number(arg ?? 20_000));
  const t1 = performance.now();
  let sink = 0;
  for (const f of corpus) sink += decide(c, f, { trace: arg2 === 'trace' }).reasons.length;
  const t2 = performance.now();
  process.stdout.write(
    `setup ${(t1 - t0).toFixed(0)} ms, ${corpus.length} decisions in ${(t2 - t1).toFixed(0)} ms (${sink})\n`,
  );
} else if (mode === 'readfacts') {
  // The share of decide spent reading the input facts, and of that, JSON Schema validation.
  const c = loadProduct(join(projectRoot(), 'products', 'nexi-ip-license')).revisions[0]!.compiled!;
  const corpus = nexiCorpus(Number(arg ?? 20_000));
  const { $id: _id, ...schema } = factsSchema(c.product);
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const time = (fn: (f: unknown) => unknown) => {
    const rs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (const f of corpus) fn(f);
      rs.push(((performance.now() - t0) * 1000) / corpus.length);
    }
    return rs.sort((a, b) => a - b)[2]!;
  };
  const d = time((f) => decide(c, f, { trace: false }));
  const a = time((f) => readFacts(c.product, f));
  const v = time((f) => validate(f));
  process.stdout.write(
    `per decision: decide ${d.toFixed(1)} µs; readFacts ${a.toFixed(1)} µs (${((100 * a) / d).toFixed(0)}%), of which JSON Schema validation ${v.toFixed(1)} µs\n`,
  );
} else if (mode === 'scaling') {
  // The generated 1,000-rule / 1,000-row products (bench/scaling.ts), decided in a loop.
  const dir = mkdtempSync(join(tmpdir(), 'yakkan-prof-'));
  const file = join(dir, `${arg}.yk`);
  writeFileSync(file, arg === 'rules' ? rulesProduct(1000) : tableProduct(1000));
  const c = loadProduct(file).revisions[0]!.compiled!;
  const corpus = scalingCorpus(Number(arg2 ?? 2000));
  const t0 = performance.now();
  let sink = 0;
  for (const f of corpus) sink += decide(c, f, { trace: false }).reasons.length;
  process.stdout.write(`${corpus.length} decisions in ${(performance.now() - t0).toFixed(0)} ms (${sink})\n`);
} else if (mode === 'quick') {
  // Throughput of each workload, timed round-robin so that the host's noise hits them alike.
  const n = Number(arg ?? 20_000);
  const rounds = Number(arg2 ?? 5);
  const c = loadProduct(join(projectRoot(), 'products', 'nexi-ip-license')).revisions[0]!.compiled!;
  const corpus = nexiCorpus(n);
  const dir = mkdtempSync(join(tmpdir(), 'yakkan-prof-'));
  writeFileSync(join(dir, 'rules.yk'), rulesProduct(1000));
  writeFileSync(join(dir, 'table.yk'), tableProduct(1000));
  const rules = loadProduct(join(dir, 'rules.yk')).revisions[0]!.compiled!;
  const table = loadProduct(join(dir, 'table.yk')).revisions[0]!.compiled!;
  const scorpus = scalingCorpus(Math.min(n, 20_000));
  let sink = 0;
  const work: [string, Record<string, unknown>[], (f: Record<string, unknown>) => unknown][] = [
    ['hand-written', corpus, (f) => decideNexiDec(f)],
    ['nexi lean', corpus, (f) => decide(c, f, { trace: false })],
    ['nexi trace', corpus, (f) => decide(c, f, { trace: true })],
    ['rules-1000', scorpus, (f) => decide(rules, f, { trace: false })],
    ['table-1000', scorpus, (f) => decide(table, f, { trace: false })],
  ];
  const rates = new Map<string, number[]>(work.map(([k]) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [k, cs, fn] of work) {
      // CPU time of this process, not wall time: on shared cores, waiting for a core is not ours.
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let done = 0;
      // At most ~0.3 s per workload and round.
      for (const f of cs) {
        sink ^= fn(f) ? 1 : 0;
        done++;
        if ((done & 255) === 0 && performance.now() - t0 > 300) break;
      }
      const cpu = process.cpuUsage(c0);
      rates.get(k)!.push(done / ((cpu.user + cpu.system) / 1e6));
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = med(rates.get('hand-written')!);
  for (const [k, xs] of rates) {
    const m = med(xs);
    process.stdout.write(
      `${k.padEnd(14)} ${Math.round(m).toLocaleString('en-US').padStart(10)}/s${k.startsWith('nexi') ? `  ${(m / base).toFixed(3)}x hand-written` : ''}\n`,
    );
  }
  process.stdout.write(`(sink ${sink})\n`);
} else if (mode === 'load') {
  const t0 = performance.now();
  loadProduct(arg!);
  process.stdout.write(`load ${(performance.now() - t0).toFixed(1)} ms\n`);
} else if (mode === 'summary') {
  const prof = JSON.parse(readFileSync(arg!, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const ch of n.children ?? []) parent.set(ch, n.id);
  const inside = (id: number | undefined): boolean => {
    for (let cur = id; cur !== undefined; cur = parent.get(cur))
      if (byId.get(cur)!.callFrame.functionName === arg3) return true;
    return false;
  };
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => {
    if (!arg3 || inside(id)) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const url = n.callFrame.url.replace(/^.*\/(node_modules\/[^/]+|dist)\//, '$1/');
    const k = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + t);
    const f = url || n.callFrame.functionName;
    file.set(f, (file.get(f) ?? 0) + t);
  }
  const top = Number(arg2 ?? 25);
  const show = (m: Map<string, number>, title: string) => {
    process.stdout.write(`\n${title} (self time, ${(total / 1000).toFixed(0)} ms sampled)\n`);
    for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      process.stdout.write(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}\n`);
  };
  show(file, 'by file');
  show(fn, 'by function');
}
