// yakkan decide <product> <facts|->: the decision JSON (schemas/decision.schema.json).
import { canonicalJson } from '../../engine/pipeline/json.js';
import { asOfOption, defineCommand, UsageError } from '../args.js';
import { engineFor } from '../preload.js';
import { batchOptions, logOption, runBatchCommand } from './batch.js';

export const command = defineCommand({
  name: 'decide',
  args: '<product> <facts|->',
  summary: 'print the decision JSON for a facts file (--batch: one per NDJSON line)',
  description: `Decides the facts (a YAML or JSON file, a case file, or - for standard input) under
the revision of the product they choose, and prints the decision JSON
(schemas/decision.schema.json). Which revision decided, and why, goes to standard error.
With --batch, the facts file is NDJSON and every line is decided on worker threads, as
\`yakkan batch\` does. Exits 1 when the facts are invalid (outcome \`error\`).`,
  options: {
    'as-of': asOfOption,
    batch: { type: 'boolean', help: 'NDJSON facts, one decision per line (yakkan batch)' },
    log: logOption,
    ...batchOptions,
  },
  positionals: { min: 2, max: 2 },
  async run({ values, positionals }) {
    const [product, facts] = positionals as [string, string];
    const asOf = values['as-of'];
    if (values.batch)
      return runBatchCommand(product, facts, {
        asOf,
        workers: values.workers,
        trace: !values['no-trace'],
        log: values.log,
      });
    if (values.workers !== undefined) throw new UsageError('--workers goes with --batch');
    const { decideFile, decisionExit } = await engineFor(product);
    const log = values.log === undefined ? {} : { log: values.log };
    const d = await decideFile(product, facts, { ...(asOf ? { asOf } : {}), trace: !values['no-trace'], ...log });
    process.stdout.write(`${canonicalJson(d)}\n`);
    return decisionExit(d);
  },
});
