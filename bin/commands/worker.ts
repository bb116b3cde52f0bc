// yakkan worker --queue postgres://…: decide chunks of distributed batch and diff runs.
import { CliError, defineCommand, EXIT } from '../args.js';

export const command = defineCommand({
  name: 'worker',
  args: '',
  summary: 'decide chunks of `batch --queue` and `diff --queue` runs, on any number of machines',
  description: `Takes chunks of every unfinished run on the queue (a PostgreSQL database, through
pg-boss), decides them and stores each chunk's result under its chunk id. Start as many as you
like, on as many machines; each is stateless, and one killed at any point loses nothing (its
chunks go back to the queue about 10 s after its heartbeat stops).

A worker serves a run only when its engine and its copies of the run's products (relative to the
working directory: start it in the yakkan folder) hash the same as the coordinator's; otherwise
it refuses that run and the coordinator prints why. SIGINT or SIGTERM: finish the chunks in
hand, then stop.`,
  options: {
    queue: { type: 'string', value: 'URL', help: 'the queue: postgres://user@host:port/database (required)' },
    concurrency: { type: 'integer', value: 'N', min: 1, default: 1, help: 'chunks decided at once, one thread each' },
    quiet: { type: 'boolean', short: 'q', help: 'no log lines on standard error' },
  },
  positionals: { max: 0 },
  async run({ values }) {
    if (!values.queue) throw new CliError('--queue postgres://… is required', EXIT.usage);
    const { runWorker } = await import('../../engine/tools/distributed/worker.js');
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await runWorker({
        url: values.queue,
        concurrency: values.concurrency,
        signal: stop.signal,
        ...(values.quiet ? {} : { log: (line: string) => process.stderr.write(`yakkan worker: ${line}\n`) }),
      });
    } catch (e) {
      throw new CliError((e as Error).message, EXIT.usage);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return EXIT.ok;
  },
});
