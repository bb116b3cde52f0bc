// The generated path against the reference, at volume: every revision of every product in
// products/, --n different seeded claims per product (bench/equivalence-task.ts: the generator's
// corpus, a share of it written as pamphlets write amounts or with a fact malformed), each decided
// by decide and decideByReference with trace: false and with trace: true, compared as JSON text
// byte for byte, and decide's decisions written by the revision's decision writer against
// JSON.stringify. On 2 worker threads of the pool (engine/tools/pool.ts); progress on stderr.
// A product's first mismatch is reduced to small facts and written as a reproducer (the format
// test/equivalence-corpus.test.ts replays from test/equivalence/); any mismatch exits 1.
//   npm run equivalence -- [--n 100000] [--product cyber,nexi-ip-license] [--seed 20261207]
//                          [--workers 2] [--out <folder for reproducers>]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { projectRoot } from '../engine/loading/sources.js';
import { type ProductResult, runEquivalence } from './equivalence-task.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const N = Number(flag('--n') ?? flag('--count') ?? 100_000);
const SEED = Number(flag('--seed') ?? 20261207);
const WORKERS = Number(flag('--workers') ?? 2);
const OUT = flag('--out') ?? join(tmpdir(), 'yakkan-equivalence');
const only = flag('--product')?.split(',').filter(Boolean);

const PRODUCTS = join(projectRoot(), 'products');
const dirs = (
  existsSync(PRODUCTS)
    ? readdirSync(PRODUCTS)
        .sort()
        .map((d) => join(PRODUCTS, d))
        .filter((d) => statSync(d).isDirectory())
    : []
).filter((d) => !only || only.includes(basename(d)));
if (dirs.length === 0 || !Number.isInteger(N) || N <= 0) {
  process.stderr.write(`equivalence: nothing to compare (products: ${only?.join(', ') ?? 'all'}, --n ${N})\n`);
  process.exit(2);
}

const fmt = (x: number) => x.toLocaleString('en-US');
const line = (r: ProductResult) => {
  const revs = r.revisions.map((v) => `${v.file} ${fmt(v.claims)}`).join(', ');
  let s = `${r.product}: ${fmt(r.compared)} claims (${revs}), each lean and full trace; ${fmt(r.mismatches)} differ; ${r.seconds.toFixed(0)} s ${JSON.stringify(r.outcomes)}\n`;
  if (r.first) {
    s += `  first: ${r.first.revision} ${r.first.side}: ${r.first.where}\n  ${r.first.why}\n`;
    s += `  minimal facts: ${JSON.stringify(r.first.minimal)}\n  reproducer: ${r.reproducer}\n`;
  }
  return s;
};

const t0 = performance.now();
process.stderr.write(
  `equivalence: ${dirs.length} products, >= ${fmt(N)} claims each, seed ${SEED}, ${WORKERS} workers\n`,
);
const results = await runEquivalence(
  {
    products: dirs,
    n: N,
    seed: SEED,
    workers: WORKERS,
    out: OUT,
    progress: (s) => process.stderr.write(`  ${s}\n`),
  },
  (r) => process.stdout.write(line(r)),
);
const total = results.reduce((a, r) => a + r.compared, 0);
const differ = results.reduce((a, r) => a + r.mismatches, 0);
const revisions = results.reduce((a, r) => a + r.revisions.length, 0);
process.stdout.write(
  `total: ${results.length} products, ${revisions} revisions, ${fmt(total)} claims (${fmt(total * 4)} decisions), ${fmt(differ)} differ; ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
);
process.exitCode = differ ? 1 : 0;
