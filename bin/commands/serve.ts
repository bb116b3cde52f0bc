// yakkan serve [product...]: the decision service (server/, docs/server.md).
import { readFileSync } from 'node:fs';
import { CliError, defineCommand, EXIT, UsageError } from '../args.js';
import { productDirs, requirePath } from '../product.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;

export const command = defineCommand({
  name: 'serve',
  args: '[product...]',
  summary: 'decide over HTTP, logging every decision (docs/server.md)',
  description: `Serves the products (all under products/ when none is named) over HTTP: decide,
explain, batch (NDJSON), check, the products with their facts schemas, /openapi.json, /healthz
and /metrics. Every decision is appended to the decision log (--log: a SQLite file, the
default, or a postgres:// URL). Products reload when their files change; one that no longer
checks keeps serving its last good version.

Listens on 127.0.0.1 unless --host says otherwise; another address needs a bearer token
(YAKKAN_TOKEN, or --token-file), or --open to serve without one. SIGHUP reloads every product;
SIGINT or SIGTERM writes the log's last batch and stops.`,
  options: {
    port: { type: 'integer', value: 'N', help: 'port (0: any free port, printed on start)', default: 8080 },
    host: { type: 'string', value: 'HOST', help: 'address to listen on', default: '127.0.0.1' },
    log: {
      type: 'string',
      value: 'PATH|URL',
      help: 'decision log: SQLite file or postgres:// URL (default YAKKAN_LOG or .yakkan/decisions.sqlite)',
    },
    'no-log': { type: 'boolean', help: 'do not log decisions' },
    'token-file': { type: 'string', value: 'FILE', help: 'file holding the bearer token (or YAKKAN_TOKEN)' },
    open: { type: 'boolean', help: 'listen beyond loopback without a token (says so loudly)' },
    'body-limit': { type: 'integer', value: 'BYTES', help: 'largest JSON body', default: 1 << 20, min: 1 },
    'max-items': { type: 'integer', value: 'N', help: "longest list in one claim's facts", default: 1000, min: 1 },
    'max-batch-lines': { type: 'integer', value: 'N', help: 'lines per batch request', default: 100_000, min: 1 },
    timeout: { type: 'integer', value: 'MS', help: 'time to receive a whole request', default: 30_000, min: 1 },
    concurrency: {
      type: 'integer',
      value: 'N',
      help: 'requests in flight; more are answered 503',
      default: 64,
      min: 1,
    },
    'no-watch': { type: 'boolean', help: 'do not reload products when their files change' },
    studio: { type: 'boolean', help: 'serve the studio, the browser workbench, at /studio/ too (docs/studio/)' },
    'log-level': {
      type: 'string',
      value: 'LEVEL',
      help: `request log level (${LEVELS.join(', ')})`,
      choices: LEVELS,
      default: 'info',
    },
  },
  async run({ values, positionals }) {
    const paths = positionals.length ? positionals : productDirs();
    if (paths.length === 0)
      throw new UsageError('no products to serve: name product folders or run where products/ is');
    for (const p of paths) requirePath(p, 'product');
    if (values.log && values['no-log']) throw new UsageError('--log and --no-log together');
    const token = values['token-file']
      ? readFileSync(values['token-file'], 'utf8').trim()
      : process.env['YAKKAN_TOKEN'] || undefined;
    if (token !== undefined && token.length < 16) throw new UsageError('the token is shorter than 16 characters');
    const { buildApp, listenCheck, openLog, defaultLogTarget, StartError } = await import('../../server/index.js');
    let warning: string | undefined;
    try {
      warning = listenCheck(values.host, token, values.open);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (warning) process.stderr.write(`\n  ${warning}\n\n`);
    const log = values['no-log']
      ? undefined
      : await openLog(values.log ?? defaultLogTarget(), { thread: true }).catch((e: Error) => {
          throw new CliError(e.message, EXIT.usage);
        });
    let app: Awaited<ReturnType<typeof buildApp>>;
    try {
      app = await buildApp({
        products: paths,
        ...(log ? { log } : {}),
        ...(token !== undefined ? { token } : {}),
        watch: !values['no-watch'],
        logger: { level: values['log-level'] },
        limits: {
          bodyLimit: values['body-limit'],
          maxItems: values['max-items'],
          maxBatchLines: values['max-batch-lines'],
          requestTimeout: values.timeout,
          concurrency: values.concurrency,
        },
      });
    } catch (e) {
      await log?.close();
      if (e instanceof StartError) throw new CliError(e.message, EXIT.usage);
      throw e;
    }
    if (values.studio) {
      const { studioPlugin } = await import('../../studio/index.js');
      await app.register(studioPlugin, { tokenRequired: token !== undefined });
    }
    try {
      await app.listen({ port: values.port, host: values.host });
    } catch (e) {
      await app.close();
      throw new CliError(`cannot listen on ${values.host}:${values.port}: ${(e as Error).message}`, EXIT.usage);
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : values.port;
    const host = values.host.includes(':') ? `[${values.host}]` : values.host;
    process.stderr.write(
      `yakkan serve: listening on http://${host}:${port} — ${app.yakkan.products.all().length} products, ` +
        `log ${log ? log.target : 'off'}${token !== undefined ? ', token required' : ''}\n`,
    );
    // Served all the same, answering 503 until an edit makes them check: said loudly, once.
    for (const e of app.yakkan.products.unavailable()) {
      const first = e.problem?.diagnostics.find((d) => d.severity === 'error')?.message ?? e.problem?.text ?? '';
      process.stderr.write(
        `yakkan serve: ${e.path} does not check, so ${e.id} cannot decide (${first}; yakkan check ${e.path})\n`,
      );
    }
    if (values.studio) process.stderr.write(`yakkan studio: http://${host}:${port}/studio/\n`);
    process.on('SIGHUP', () => app.yakkan.products.reloadAll());
    return new Promise<number>((resolve) => {
      const stop = () => {
        app.close().then(
          () => resolve(EXIT.ok),
          (e: Error) => {
            process.stderr.write(`yakkan serve: ${e.message}\n`);
            resolve(EXIT.failed);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
});
