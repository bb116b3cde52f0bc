// The decision service as a Fastify instance: buildApp() wires the products, the decision log,
// the limits, the token, metrics and every route, and returns the instance unstarted, so that a
// caller listens where it wants (bin/commands/serve.ts), a test injects requests, and the studio
// registers itself as a plugin beside the API (reading `app.yakkan` for the products).
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_LIMITS, LoopDelay, type Limits } from './limits.js';
import { Metrics } from './metrics.js';
import { Api } from './openapi.js';
import { fail, fromError, problem, sendProblem, ProblemError } from './problem.js';
import { ProductSet } from './products.js';
import type { DecisionLog } from './log/store.js';
import { productRoutes } from './routes/products.js';
import { decideRoutes } from './routes/decide.js';
import { checkRoutes } from './routes/check.js';
import { metaRoutes } from './routes/meta.js';

export interface ServerOptions {
  // Product folders or files, or a set already loaded.
  products: string[] | ProductSet;
  // Where decisions are appended; the app flushes and closes it when it closes.
  log?: DecisionLog;
  // When set, every route but /healthz and /openapi.json needs `Authorization: Bearer <token>`.
  token?: string;
  limits?: Partial<Limits>;
  // Fastify's logger (pino) options; false for none. One line per request, never per decision.
  logger?: FastifyServerOptions['logger'];
  // Reload products when their files change (default true).
  watch?: boolean;
}

// What the routes (and plugins such as the studio) share.
export interface Yakkan {
  products: ProductSet;
  log: DecisionLog | undefined;
  limits: Limits;
  metrics: Metrics;
  api: Api;
  loop: LoopDelay;
  inFlight: number;
  reloads: Map<string, number>;
}

declare module 'fastify' {
  interface FastifyInstance {
    yakkan: Yakkan;
  }
  interface FastifyRequest {
    // The JSON body's text as received: the decision log keeps the facts exactly as sent.
    rawBody?: string;
    startedAt: number;
    product?: string;
    outcome?: string;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

// Requests that must answer even when the server is saturated: monitoring has to see it.
const NEVER_REFUSED = new Set(['/healthz', '/metrics']);

export async function buildApp(o: ServerOptions): Promise<FastifyInstance> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...o.limits };
  const products = o.products instanceof ProductSet ? o.products : new ProductSet(o.products);
  const app = Fastify({
    logger: o.logger ?? false,
    // One line per request, written in onResponse with the product and outcome, instead of two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeout,
    // Node checks request deadlines every 30 s by default (often enough for a timeout of minutes,
    // not for one of seconds), and ignores the request timeout when the headers' is longer.
    http: {
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(limits.requestTimeout / 4))),
      headersTimeout: Math.min(60_000, limits.requestTimeout),
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // An unknown query parameter is an error, not silently dropped: `?asof=` must not decide
    // with the facts' own date as if nothing had been asked.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: true } },
  });
  const y: Yakkan = {
    products,
    log: o.log,
    limits,
    metrics: new Metrics(),
    api: new Api(app),
    loop: new LoopDelay(),
    inFlight: 0,
    reloads: new Map(),
  };
  app.decorate('yakkan', y);
  products.onReload((e) => {
    y.reloads.set(e.id, (y.reloads.get(e.id) ?? 0) + 1);
    if (e.ok) app.log.info({ product: e.id, hash: e.hash }, 'product reloaded');
    else app.log.warn({ product: e.id, problem: e.message }, 'product does not check: serving its last good version');
  });
  if (o.watch !== false && !(o.products instanceof ProductSet)) products.watch();

  // Only what the routes read: a facts body sent as text/plain is a 415, not a string of facts.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    req.rawBody = text;
    if (text.trim() === '')
      return done(new ProblemError(problem('invalid-json', 400, 'the body is empty: send a JSON object')), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new ProblemError(problem('invalid-json', 400, `the body is not JSON: ${(e as Error).message}`)), undefined);
    }
  });
  // NDJSON is read by the batch route as a stream, line by line, not buffered whole.
  app.addContentTypeParser('application/x-ndjson', (_req, payload, done) => done(null, payload));

  const expected = o.token === undefined ? undefined : createHash('sha256').update(o.token).digest();
  app.addHook('onRequest', async (req, reply) => {
    req.startedAt = performance.now();
    reply.header('x-request-id', req.id);
    const url = req.routeOptions.url ?? '';
    if (expected && !req.routeOptions.config.public) {
      const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const given = m ? createHash('sha256').update(m[1]!).digest() : undefined;
      if (!given || !timingSafeEqual(given, expected)) {
        fail(
          'unauthorized',
          401,
          m ? 'the bearer token is not the right one' : 'send Authorization: Bearer <token>',
          {},
          { 'www-authenticate': 'Bearer realm="yakkan"' },
        );
      }
    }
    if (NEVER_REFUSED.has(url)) return;
    const why =
      y.inFlight >= limits.concurrency
        ? 'concurrency'
        : y.loop.delay > limits.maxEventLoopDelay
          ? 'event-loop'
          : y.log?.full
            ? 'log'
            : undefined;
    if (why) {
      y.metrics.refuse(why);
      const reason = {
        log: 'the decision log is behind: no decision is made that could not be logged',
        concurrency: `the server is at its limit of ${limits.concurrency} requests in flight`,
        'event-loop': 'the server is at its limit: its event loop is behind',
      };
      const detail = reason[why];
      fail(
        why === 'log' ? 'log-behind' : 'overloaded',
        503,
        `${detail}; retry after ${limits.retryAfter} s`,
        {},
        { 'retry-after': String(limits.retryAfter) },
      );
    }
    y.inFlight++;
    // 'close' comes once however the exchange ends (answered, aborted, timed out).
    reply.raw.once('close', () => y.inFlight--);
    // Every request that arrived in this turn of the event loop is counted before any of them is
    // decided: a decision takes well under a millisecond, so without this wait the count would
    // hardly ever pass one, and a burst from many connections would queue in the sockets (growing
    // latency) instead of being turned away here at once.
    await new Promise<void>((resolve) => setImmediate(resolve));
  });
  app.addHook('onResponse', async (req, reply) => {
    const ms = performance.now() - req.startedAt;
    const route = req.routeOptions.url ?? 'unmatched';
    y.metrics.request(req.method, route, reply.statusCode, ms / 1000);
    req.log.info(
      {
        method: req.method,
        url: req.url,
        status: reply.statusCode,
        ms: Math.round(ms * 100) / 100,
        ...(req.product ? { product: req.product } : {}),
        ...(req.outcome ? { outcome: req.outcome } : {}),
      },
      'request',
    );
  });
  app.setErrorHandler((err, req, reply) => {
    const { problem: p, headers } = fromError(err as Error, req);
    if (p.status >= 500 && p.type.endsWith(':internal')) req.log.error({ err }, 'internal error');
    return sendProblem(reply, p, headers);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problem('not-found', 404, `no route ${req.method} ${req.url.split('?')[0]}; GET /openapi.json lists them`),
    ),
  );
  app.addHook('onClose', async () => {
    products.close();
    y.loop.stop();
    await o.log?.close();
  });

  productRoutes(y.api, y);
  decideRoutes(y.api, y);
  checkRoutes(y.api);
  metaRoutes(y.api, y);
  return app;
}

// Binding beyond loopback exposes decisions (and the facts in them) to the network: allowed with
// a token, or when the caller says, knowingly, that the service is open.
export function listenCheck(host: string, token: string | undefined, open: boolean): string | undefined {
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\./.test(host);
  if (loopback || token !== undefined) return undefined;
  const who = 'anyone who can reach this port can decide claims and read products';
  if (open) return `WARNING: listening on ${host} with NO TOKEN: ${who}`;
  throw new Error(
    `listening on ${host} needs a bearer token (YAKKAN_TOKEN or --token-file), or --open to serve without one`,
  );
}
