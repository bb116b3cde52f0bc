// yakkan diff <old> <new> [--cases PATH]: what a pamphlet change does to the rules and the claims.
import { canonicalJson } from '../../engine/pipeline/json.js';
import { DiffUsageError, diffExitCode, diffRevisions, loadSide, renderText } from '../../engine/tools/diff.js';
import { CliError, defineCommand, EXIT, formatOption, UsageError } from '../args.js';
import { logFilterOptions } from './log.js';
import { queueOptions, queueRunnerFor } from './batch.js';

export const command = defineCommand({
  name: 'diff',
  args: '<old> <new>',
  summary: 'compare two revisions: changed rules, and with --cases the changed decisions',
  description: `<old>, <new>: product revision files (.yk / .json), or product folders (their newest
revision). Prints what changed in the rules; with --cases, every case is decided by both
revisions and the changed decisions are grouped by the rules whose firing changed.
Exits 0 when nothing changed, 1 when decisions changed (without --cases: when the rules changed).
With --queue, an NDJSON corpus is decided by \`yakkan worker\` processes on any number of machines
and the report is the same, byte for byte; run again after an interruption, it resumes.`,
  options: {
    cases: { type: 'string', value: 'PATH', help: 'a folder of case files, or NDJSON with one facts object a line' },
    format: formatOption,
    examples: { type: 'integer', default: 3, help: 'example cases shown per group' },
    jobs: { type: 'integer', min: 1, help: 'worker threads for an NDJSON corpus (default: all cores over 4 MB)' },
    // The decision log as the corpus (server/log/record.ts): the claims really decided.
    'from-log': { type: 'boolean', help: 'the facts of the decision log as the cases (filters below)' },
    ...logFilterOptions,
    product: { type: 'string', value: 'ID', help: "with --from-log: the logged product (default: the old revision's)" },
    ...queueOptions,
  },
  positionals: { min: 2, max: 2 },
  async run({ values, positionals }) {
    const [oldPath, newPath] = positionals as [string, string];
    const fromLog = values['from-log'] ? await logCorpus(values, oldPath) : undefined;
    const cases = fromLog?.file ?? values.cases;
    try {
      const runner = values.queue === undefined ? undefined : await diffQueue(values.queue, oldPath, newPath, cases);
      const tty = process.stderr.isTTY === true && !runner;
      const report = await diffRevisions(oldPath, newPath, {
        examples: values.examples,
        ...(cases !== undefined ? { cases } : {}),
        ...(values.jobs ? { jobs: values.jobs } : {}),
        ...(runner ? { runner, chunk: values.chunk } : {}),
        ...(tty && cases !== undefined ? { progress: progressBar(process.stderr) } : {}),
      });
      if (tty && cases !== undefined) process.stderr.write('\n');
      process.stdout.write(values.format === 'json' ? `${canonicalJson(report)}\n` : renderText(report));
      return diffExitCode(report);
    } catch (e) {
      if (e instanceof DiffUsageError) throw new CliError(e.message, EXIT.usage);
      if ((e as Error).name === 'QueueError') throw new CliError((e as Error).message, EXIT.usage);
      throw e;
    } finally {
      fromLog?.remove();
    }
  },
});

async function diffQueue(url: string, oldPath: string, newPath: string, cases: string | undefined) {
  const { statSync } = await import('node:fs');
  if (cases === undefined) throw new UsageError('--queue needs --cases FILE.ndjson or --from-log');
  if (statSync(cases, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError('--queue needs an NDJSON corpus, not a folder of case files');
  }
  return queueRunnerFor('diff', url, [oldPath, newPath], cases);
}

async function logCorpus(
  o: { cases?: string; log?: string; product?: string; outcome?: string; since?: string; until?: string },
  oldPath: string,
) {
  if (o.cases !== undefined) throw new UsageError('--cases or --from-log, not both');
  const { defaultLogTarget, logFilter } = await import('../../server/log/store.js');
  const { corpusFromLog } = await import('../../server/log/record.js');
  const product = o.product ?? loadSide(oldPath).checked.product.id;
  let filter: ReturnType<typeof logFilter>;
  try {
    filter = logFilter({ ...o, product });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const corpus = await corpusFromLog(o.log ?? defaultLogTarget(), filter).catch((e: Error) => {
    throw new CliError(e.message, EXIT.usage);
  });
  process.stderr.write(`diff: ${corpus.count} logged decisions of ${product}\n`);
  return corpus;
}

// On a terminal: `diff [########------------] 42% 420,000 cases, 1,234 changed, 9,800/s, 1 min left`,
// redrawn at most ten times a second.
function progressBar(out: NodeJS.WriteStream): (cases: number, changed: number, done: number) => void {
  const t0 = Date.now();
  let last = 0;
  const n = (x: number) => x.toLocaleString('en');
  return (cases, changed, done) => {
    const now = Date.now();
    if (now - last < 100 && done < 1) return;
    last = now;
    const width = 24;
    const filled = Math.round(Math.min(1, done) * width);
    const s = (now - t0) / 1000;
    const rate = s > 0 ? Math.round(cases / s) : 0;
    const left = done > 0.02 && done < 1 ? (s * (1 - done)) / done : undefined;
    const eta =
      left === undefined ? '' : left >= 90 ? `, ${Math.round(left / 60)} min left` : `, ${Math.ceil(left)} s left`;
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const pct = String(Math.floor(done * 100)).padStart(3);
    out.write(`\rdiff [${bar}] ${pct}% ${n(cases)} cases, ${n(changed)} changed, ${n(rate)}/s${eta}\x1b[K`);
  };
}
