// yakkan cases generate <product...>: cases derived from the rules, as NDJSON.
import { once } from 'node:events';
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { hasErrors, renderDiagnostics } from '../../dsl/diagnostics.js';
import { loadProduct, type Revision } from '../../engine/loading/load.js';
import type { Compiled } from '../../engine/pipeline/evaluate/index.js';
import { exampleFacts, generate } from '../../engine/tools/generate.js';
import { CliError, defineCommand, EXIT, UsageError } from '../args.js';
import { requirePath } from '../product.js';

export const command = defineCommand({
  name: 'cases',
  args: 'generate <product...>',
  summary: 'generate cases from the rules (thresholds, enum values, table rows, boundaries)',
  description: `Derives cases from the rules: the example claim (examples/ beside the product) varied
one thing at a time (each threshold and the values either side, each enum value, each table
row, each in-force boundary, each fact left out), then random mixes of variations up to --count.
Several products (or a folder of revisions) give the thresholds of all of them, for a diff.
One facts object per line (with --labels: {"case": why, "facts": {...}}).`,
  options: {
    seed: { type: 'integer', default: 1, help: 'seed for the random mixes; the same seed gives the same file' },
    count: { type: 'integer', help: 'number of cases (default: just the derived ones)' },
    out: { type: 'string', value: 'FILE', help: 'write there instead of standard output' },
    labels: { type: 'boolean', help: 'each line {"case": why, "facts": {...}}' },
  },
  positionals: { min: 2 },
  async run({ values, positionals }) {
    const [sub, ...products] = positionals as [string, ...string[]];
    if (sub !== 'generate') throw new UsageError(`unknown subcommand ${sub} (the one there is: generate)`);
    const revs: (Revision & { compiled: Compiled })[] = [];
    for (const path of products) {
      requirePath(path, 'product');
      const p = loadProduct(path);
      if (hasErrors(p.diagnostics)) {
        throw new CliError(`${path} has errors:\n${renderDiagnostics(p.diagnostics, p.sources)}`, EXIT.usage);
      }
      revs.push(...p.revisions.filter((r): r is Revision & { compiled: Compiled } => r.compiled !== undefined));
    }
    // The example claim comes from the first product named.
    const base = exampleFacts(products[0]!, revs[0]!.checked.product);
    // Opened now, so a path that cannot be written is a one-line error before any work.
    const out: Writable =
      values.out !== undefined ? createWriteStream('', { fd: openSync(values.out, 'w') }) : process.stdout;
    let buf = '';
    const opts = { seed: values.seed, ...(values.count !== undefined ? { count: values.count } : {}) };
    for (const g of generate(revs, base, opts)) {
      buf += `${JSON.stringify(values.labels ? { case: g.why, facts: g.facts } : g.facts)}\n`;
      if (buf.length > 1 << 16) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
    if (buf) out.write(buf);
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
    return EXIT.ok;
  },
});
