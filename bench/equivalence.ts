// The generated path against the reference, at volume: for every product, at least --count
// generated claims (engine/tools/generate.ts, seeded) decided by decide (generated reader and
// rules; trace: false, and trace: true for every 10th) and by decideByReference, byte for byte, and every decision's
// JSON from the decision writer against JSON.stringify. test/equivalence.test.ts and
// test/codegen.test.ts run the same comparisons on a few hundred claims per revision in npm test.
//   node dist/bench/equivalence.js [--count 100000] [--seed 20261207]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decide, decideByReference, type Compiled } from '../engine/pipeline/evaluate/index.js';
import { decisionJson } from '../engine/pipeline/codegen/serialize.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import { loadProduct, type Revision } from '../engine/loading/load.js';
import { projectRoot } from '../engine/loading/sources.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const COUNT = Number(flag('--count') ?? 100_000);
const SEED = Number(flag('--seed') ?? 20261207);

const PRODUCTS = join(projectRoot(), 'products');
const productDirs = () =>
  existsSync(PRODUCTS)
    ? readdirSync(PRODUCTS)
        .sort()
        .map((d) => join(PRODUCTS, d))
        .filter((d) => statSync(d).isDirectory())
    : [];

let failed = 0;
const t0 = performance.now();
for (const dir of productDirs()) {
  const revs = loadProduct(dir).revisions.filter(
    (r): r is Revision & { compiled: Compiled } => r.compiled !== undefined,
  );
  const per = Math.ceil(COUNT / revs.length);
  let n = 0;
  let bad = 0;
  const outcomes: Record<string, number> = {};
  const t = performance.now();
  for (const rev of revs) {
    const c = rev.compiled;
    for (const g of generate([rev], exampleFacts(dir, c.product), { seed: SEED, count: per })) {
      n++;
      // The full trace goes through the reference evaluator on both sides (only the reader
      // differs): every 10th claim is enough for it.
      for (const trace of n % 10 === 0 ? [false, true] : [false]) {
        const d = decide(c, g.facts, { trace });
        const text = JSON.stringify(d);
        if (!trace) outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
        const ok = text === JSON.stringify(decideByReference(c, g.facts, { trace })) && decisionJson(c, d) === text;
        if (!ok && bad++ < 3) process.stderr.write(`${basename(rev.file)} «${g.why}» trace ${trace}: differs\n`);
      }
    }
  }
  failed += bad;
  const s = ((performance.now() - t) / 1000).toFixed(0);
  process.stdout.write(
    `${basename(dir)}: ${n.toLocaleString('en-US')} claims, ${bad} differ (${s} s) ${JSON.stringify(outcomes)}\n`,
  );
}
process.stdout.write(`total ${((performance.now() - t0) / 1000).toFixed(0)} s; ${failed} differ\n`);
process.exitCode = failed ? 1 : 0;
