// yakkan cases generate <product> [--seed N] [--count N] [--out file.ndjson] [--labels]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { loadProduct } from '../../engine/loading/load.js';
import { exampleFacts, generate } from '../../engine/tools/generate.js';
import { parseOptions } from '../../engine/tools/diff.js';
import { hasErrors, renderDiagnostics } from '../../dsl/diagnostics.js';
import type { Compiled } from '../../engine/pipeline/evaluate.js';
import type { Revision } from '../../engine/loading/load.js';

const USAGE = `usage: yakkan cases generate <product...> [--seed N] [--count N] [--out file.ndjson] [--labels]

  Derives cases from the rules: the example claim (examples/ beside the product) varied one
  thing at a time — each threshold and the values either side, each enum value, each table row,
  each in-force boundary, each fact left out — then random mixes of variations up to --count.
  Several products (or a folder of revisions) give the thresholds of all of them, for a diff.
  One facts object per line (with --labels: {"case": why, "facts": {...}}).

  --seed N    seed for the random mixes (default 1); the same seed gives the same file
  --count N   number of cases (default: just the derived ones)
  --out FILE  write there instead of standard output`;

export async function run(argv: string[]): Promise<number> {
  const a = parseOptions(argv, ['seed', 'count', 'out']);
  const [sub, product, ...more] = a.positional;
  if (a.flags.has('help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const seed = a.number('seed', 1);
  const count = a.number('count', -1);
  if (a.error || sub !== 'generate' || !product || seed === undefined || count === undefined) {
    process.stderr.write(`${a.error ? `yakkan cases: ${a.error}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const revs: (Revision & { compiled: Compiled })[] = [];
  for (const path of [product, ...more]) {
    const p = loadProduct(path);
    if (hasErrors(p.diagnostics)) {
      process.stderr.write(renderDiagnostics(p.diagnostics, p.sources) + '\n');
      return 2;
    }
    revs.push(...p.revisions.filter((r): r is Revision & { compiled: Compiled } => r.compiled !== undefined));
  }
  // The example claim comes from the first product named.
  const base = exampleFacts(product, revs[0]!.checked.product);
  const outPath = a.flags.get('out');
  const out: Writable = typeof outPath === 'string' ? createWriteStream(outPath) : process.stdout;
  const labels = a.flags.has('labels');
  // A reader that stops early (| head) is not an error.
  let closed = false;
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
  });
  let buf = '';
  for (const g of generate(revs, base, { seed, ...(count >= 0 ? { count } : {}) })) {
    buf += JSON.stringify(labels ? { case: g.why, facts: g.facts } : g.facts) + '\n';
    if (closed) return 0;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain').catch(() => undefined);
      buf = '';
    }
  }
  if (buf) out.write(buf);
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  return 0;
}
