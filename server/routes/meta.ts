// The service about itself: GET /healthz (for load balancers: open, never refused for overload),
// GET /metrics (Prometheus text) and GET /openapi.json (this API, from the routes' own schemas).
import { openApiDocument, type Api } from '../openapi.js';
import type { Yakkan } from '../app.js';

export function metaRoutes(api: Api, y: Yakkan): void {
  api.route({
    method: 'GET',
    url: '/healthz',
    summary: 'Liveness and readiness: 200 while decisions can be made and logged, 503 when the log is behind',
    tags: ['service'],
    public: true,
    responses: {
      200: { description: 'Serving', content: { 'application/json': { type: 'object' } } },
      503: {
        description: 'The decision log is full: decisions are being refused',
        content: { 'application/json': { type: 'object' } },
      },
    },
    handler: async (_req, reply) => {
      const products = y.products.all();
      const body = {
        status: y.log?.full ? 'log-behind' : 'ok',
        products: products.length,
        stale: products.filter((p) => p.problem).map((p) => p.id),
        log: y.log ? { target: y.log.target, ...y.log.stats() } : null,
      };
      return reply.code(y.log?.full ? 503 : 200).send(body);
    },
  });
  api.route({
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics: requests, latency histogram, decisions by outcome, log and reload state',
    tags: ['service'],
    responses: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { type: 'string' } } } },
    handler: async (_req, reply) => {
      const text = y.metrics.render({
        inFlight: y.inFlight,
        eventLoopDelayMs: y.loop.delay,
        ...(y.log ? { log: y.log.stats() } : {}),
        products: y.products.all().map((p) => ({ id: p.id, ok: !p.problem, reloads: y.reloads.get(p.id) ?? 0 })),
      });
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
    },
  });
  let doc: string | undefined;
  api.route({
    method: 'GET',
    url: '/openapi.json',
    summary: 'This API as OpenAPI 3.1',
    tags: ['service'],
    public: true,
    responses: { 200: { description: 'The OpenAPI document', content: { 'application/json': { type: 'object' } } } },
    handler: async (_req, reply) => {
      // Built on first request, when every route (a plugin's too) has been declared.
      doc ??= JSON.stringify(openApiDocument(api));
      return reply.type('application/json').send(doc);
    },
  });
}
