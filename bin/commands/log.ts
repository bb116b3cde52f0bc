// yakkan log list|show|export|verify: read the decision log that `yakkan serve` (and decide or
// batch with --log) write; verify is the audit replay.
import { CliError, defineCommand, EXIT, formatOption, type OptionSpec, UsageError } from '../args.js';

// The log and its filters, as `yakkan diff --from-log` takes them too.
export const logFilterOptions = {
  log: { type: 'string', value: 'PATH|URL', help: 'the decision log (default YAKKAN_LOG or .yakkan/decisions.sqlite)' },
  product: { type: 'string', value: 'ID', help: 'only this product' },
  outcome: {
    type: 'string',
    value: 'OUTCOME',
    help: 'only decisions with this outcome (covered, excluded, error, ...)',
  },
  since: { type: 'string', value: 'DATE', help: 'decided on or after (YYYY-MM-DD, UTC, or an ISO time)' },
  until: { type: 'string', value: 'DATE', help: 'decided on or before' },
} as const satisfies Record<string, OptionSpec>;

const ACTIONS = ['list', 'show', 'export', 'verify'] as const;

export const command = defineCommand({
  name: 'log',
  args: '<list|show|export|verify> [id...]',
  summary: 'read the decision log: list, show, export, verify (re-decide and compare every byte)',
  description: `Reads the decision log (--log: a SQLite file or a postgres:// URL; default YAKKAN_LOG
or .yakkan/decisions.sqlite).

  list             one line per decision: id, time, product@revision, outcome, request id
  show <id...>     the whole entry: facts as received, the decision, product hash, engine
  export           NDJSON, one entry per line (--facts: {"case", "facts"} lines, the corpus
                   yakkan diff --cases reads)
  verify           decides every selected entry again with the product files it was decided
                   with (kept in the log under their hash) and reports any byte that differs;
                   exits 1 when one does

Filters (list, export, verify): --product, --outcome, --since and --until (a date, UTC, both
included, or an ISO time), --request-id, --limit.`,
  options: {
    ...logFilterOptions,
    'request-id': { type: 'string', value: 'ID', help: 'only the decisions of this request' },
    limit: { type: 'integer', value: 'N', help: 'at most N entries', min: 1 },
    facts: { type: 'boolean', help: 'export: the facts as a diff corpus, not whole entries' },
    format: formatOption,
  },
  positionals: { min: 1 },
  async run({ values, positionals }) {
    const [action, ...ids] = positionals as [string, ...string[]];
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`the action is one of ${ACTIONS.join(', ')}, not ${action}`);
    if (action !== 'show' && ids.length) throw new UsageError(`unexpected argument ${ids[0]}`);
    if (action === 'show' && ids.length === 0) throw new UsageError('show takes the ids of the entries to show');
    if (action === 'show' && ids.some((i) => !/^\d+$/.test(i))) throw new UsageError('an entry id is a whole number');
    const { openLog, defaultLogTarget, verifyLog, exportCorpus, logFilter } = await import('../../server/index.js');
    const target = values.log ?? defaultLogTarget();
    if (!/^postgres(ql)?:\/\//.test(target)) {
      const { existsSync } = await import('node:fs');
      if (!existsSync(target)) throw new UsageError(`no decision log at ${target}`);
    }
    const filter = usageOf(() => logFilter(values));
    const log = await openLog(target).catch((e: Error) => {
      throw new CliError(e.message, EXIT.usage);
    });
    const out = (s: string) => process.stdout.write(s);
    try {
      if (action === 'show') {
        for (const id of ids) {
          const e = await log.entry(Number(id));
          if (!e) throw new CliError(`no entry ${id} in ${log.target}`, EXIT.failed);
          out(`${JSON.stringify({ ...e, facts: JSON.parse(e.facts), decision: JSON.parse(e.decision) }, null, 2)}\n`);
        }
        return EXIT.ok;
      }
      if (action === 'list' || (action === 'export' && !values.facts)) {
        for await (const e of log.entries(filter, values.limit)) {
          if (action === 'export')
            out(`${JSON.stringify({ ...e, facts: JSON.parse(e.facts), decision: JSON.parse(e.decision) })}\n`);
          else if (values.format === 'json')
            out(`${JSON.stringify({ ...e, facts: undefined, decision: undefined })}\n`);
          else
            out(
              `${String(e.id).padStart(7)}  ${e.time}  ${e.product}@${e.revision || '-'}  ` +
                `${e.outcome.padEnd(12)} ${e.requestId}\n`,
            );
        }
        return EXIT.ok;
      }
      if (action === 'export') {
        const n = await exportCorpus(log, filter, process.stdout, values.limit);
        process.stderr.write(`yakkan log: ${n} entries exported\n`);
        return EXIT.ok;
      }
      const tty = process.stderr.isTTY === true;
      const r = await verifyLog(
        log,
        filter,
        tty ? (n) => process.stderr.write(`\rverified ${n.toLocaleString('en')}`) : undefined,
        values.limit,
      );
      if (tty) process.stderr.write('\n');
      if (values.format === 'json') out(`${JSON.stringify(r)}\n`);
      else {
        for (const d of r.differences)
          out(`#${d.id}: differs at byte ${d.at}\n  logged: ${d.logged}\n  now:    ${d.now}\n`);
        for (const f of r.failures) out(`#${f.id}: cannot decide again: ${f.why}\n`);
        out(
          `${r.checked} decisions re-decided: ${r.identical} identical, ${r.differences.length} differ, ` +
            `${r.failures.length} could not be decided` +
            `${r.otherEngine ? ` (${r.otherEngine} logged by another engine version)` : ''}\n`,
        );
      }
      return r.differences.length || r.failures.length ? EXIT.failed : EXIT.ok;
    } finally {
      await log.close();
    }
  },
});

// A bad filter value is a mistake in the command line.
function usageOf<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
