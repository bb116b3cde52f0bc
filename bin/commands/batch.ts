// yakkan batch <product> <facts.ndjson|->: one decision per NDJSON line, on worker threads.
import { availableParallelism } from 'node:os';
import { asOfOption, CliError, defineCommand, EXIT, type OptionSpec } from '../args.js';

export const batchOptions = {
  workers: {
    type: 'integer',
    min: 1,
    help: `worker threads (default: ${availableParallelism()}, the available cores)`,
  },
  'no-trace': { type: 'boolean', help: 'reasons without the checks and arithmetic trace (faster, smaller)' },
} as const satisfies Record<string, OptionSpec>;

export const logOption = {
  type: 'string',
  value: 'PATH|URL',
  help: 'also append every decision to this decision log (a SQLite file or postgres:// URL; yakkan log reads it)',
} as const satisfies OptionSpec;

// Distributed mode (engine/tools/distributed/): chunks go to `yakkan worker` processes.
export const queueOptions = {
  queue: {
    type: 'string',
    value: 'URL',
    help: 'decide on `yakkan worker` processes through this queue (postgres://…), resumable',
  },
  chunk: {
    type: 'integer',
    value: 'N',
    min: 1,
    help: 'with --queue: lines per job (default 2000; for batch with the full trace, 500)',
  },
} as const satisfies Record<string, OptionSpec>;

export const command = defineCommand({
  name: 'batch',
  args: '<product> <facts.ndjson|->',
  summary: 'decide every line of an NDJSON file on worker threads, in input order',
  description: `Decides every line of an NDJSON file (one facts object per line; - reads standard
input) on worker threads, and prints one line per input line, in input order:
  {"line": N, "decision": {...}}   the decision for line N
  {"line": N, "error": "..."}      line N is not JSON, or no revision is in force for it
  {"line": N, "blank": true}       line N is empty or only spaces
One bad line costs that line only; the exit code is then 1.
With --queue, the same output from worker processes on any number of machines (README,
"Distributed batch and diff"); run again after an interruption, it resumes.`,
  options: { ...batchOptions, 'as-of': asOfOption, log: logOption, ...queueOptions },
  positionals: { min: 2, max: 2 },
  run({ values, positionals }) {
    const [product, file] = positionals as [string, string];
    return runBatchCommand(product, file, {
      asOf: values['as-of'],
      workers: values.workers,
      trace: !values['no-trace'],
      log: values.log,
      queue: values.queue,
      chunk: values.chunk,
    });
  },
});

export async function runBatchCommand(
  product: string,
  file: string,
  o: {
    asOf: string | undefined;
    workers: number | undefined;
    trace: boolean;
    log?: string | undefined;
    queue?: string | undefined;
    chunk?: number;
  },
): Promise<number> {
  const { createReadStream } = await import('node:fs');
  const { readText, requirePath } = await import('../product.js');
  const { runBatch } = await import('../../engine/tools/batch.js');
  requirePath(product, 'product');
  if (file !== '-')
    await readText(file).then(
      () => undefined,
      (e: unknown) => Promise.reject(e),
    );
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 256 * 1024 });
  // --log: every line in and its decision out are also appended to the decision log.
  const logged =
    o.log === undefined
      ? undefined
      : await import('../../server/log/record.js')
          .then((m) => m.batchLog(o.log!, product, o, input, process.stdout))
          .catch((e: Error) => Promise.reject(new CliError(e.message, EXIT.usage)));
  const runner = o.queue === undefined ? undefined : await queueRunnerFor('batch', o.queue, [product], file);
  const r = await runBatch({
    product,
    input: logged?.input ?? input,
    output: logged?.output ?? process.stdout,
    trace: o.trace,
    ...(o.workers ? { workers: o.workers } : {}),
    ...(o.asOf ? { asOf: o.asOf } : {}),
    // A line's full trace is about 19 KB: smaller chunks keep the coordinator's outputs in hand small.
    ...(runner ? { runner, chunkLines: o.chunk ?? (o.trace ? 500 : 2000) } : {}),
  })
    .catch((e: Error) => Promise.reject(new CliError(e.message, EXIT.usage)))
    .finally(() => logged?.finish());
  if (r.failed) process.stderr.write(`yakkan batch: ${r.failed} line(s) could not be decided\n`);
  return r.failed ? EXIT.failed : EXIT.ok;
}

// The job-queue runner of --queue, reporting on standard error; `corpus` - is standard input.
export async function queueRunnerFor(command: string, url: string, products: string[], corpus: string) {
  const { queueReporter, queueRunner } = await import('../../engine/tools/distributed/index.js');
  const report = queueReporter(command, process.stderr);
  return queueRunner({ url, products, ...(corpus === '-' ? {} : { corpus }), report });
}
