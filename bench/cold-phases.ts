// Where a cold `yakkan decide` spends its time, phase by phase, in a fresh process:
//   node dist/bench/cold-phases.js <product> <facts.yaml> [--cache]
// With --cache the product is loaded as bin/yakkan.js and the CLI load it: its compiled-model
// cache entries are read first (engine/loading/product-cache.ts preloadProduct) and, when all are there,
// chevrotain is not loaded (dsl/chevrotain.ts); the first such run writes the entries. Without
// --cache, from the DSL. Imports are dynamic on purpose: their cost is one of the phases.
const t0 = performance.now();
const args = process.argv.slice(2);
const diskCache = args.includes('--cache');
const [product, factsFile] = args.filter((a) => !a.startsWith('--'));
if (diskCache) {
  const { preloadProduct } = await import('../engine/loading/product-cache.js');
  if (preloadProduct(product!)) (globalThis as Record<symbol, boolean>)[Symbol.for('yakkan.deferDsl')] = true;
}
const { loadProduct } = await import('../engine/loading/load.js');
const { decide } = await import('../engine/pipeline/evaluate/index.js');
const { readFacts } = await import('../engine/pipeline/facts.js');
const { readYaml } = await import('../engine/tools/cases.js');
const { cacheStats } = await import('../engine/loading/product-cache.js');
const { readFileSync } = await import('node:fs');
const t1 = performance.now();
const p = loadProduct(product!, { diskCache });
const c = p.revisions[p.revisions.length - 1]!.compiled!;
const t2 = performance.now();
const facts = readYaml(readFileSync(factsFile!, 'utf8'));
const t3 = performance.now();
readFacts(c.product, facts); // compiles the facts schema validator on first use
const t4 = performance.now();
const d = decide(c, facts);
const t5 = performance.now();
const text = JSON.stringify(d, null, 2);
const t6 = performance.now();
const ms = (a: number, b: number) => Math.round(b - a);
process.stdout.write(
  JSON.stringify({
    processStartToMain: Math.round(t0),
    imports: ms(t0, t1),
    loadProduct: ms(t1, t2),
    readYaml: ms(t2, t3),
    factsValidatorFirstUse: ms(t3, t4),
    firstDecide: ms(t4, t5),
    print: ms(t5, t6),
    bytes: text.length,
    ...(diskCache ? { cacheHit: cacheStats.hits > 0 } : {}),
  }) + '\n',
);
