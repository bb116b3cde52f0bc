// The HTTP service on an ephemeral port on 127.0.0.1: every route, every class of error as a
// problem (422 with pointers, 400, 404, 413, 415, 401, 503 with Retry-After), the limits, the
// token, and the decision log behind it (SQLite here; test/log.test.ts runs both stores, and the
// last test here serves with a PostgreSQL log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, listenCheck, type ServerOptions } from '../server/app.js';
import { openLog, type DecisionLog } from '../server/log/store.js';
import { verifyLog } from '../server/log/replay.js';
import { decideIn, loadProduct } from '../engine/loading/load.js';
import { readYaml } from '../engine/tools/cases.js';
import { startPostgres } from './helpers/postgres.js';
import { ROOT } from './helpers.js';

const at = (id: string) => relative(process.cwd(), join(ROOT, 'products', id));
const PRODUCTS = ['nexi-ip-license', 'overseas-ip-litigation', 'cyber'].map(at);
const claim = (id: string) =>
  readYaml(readFileSync(join(ROOT, 'products', id, 'examples', 'claim.yaml'), 'utf8')) as Record<string, unknown>;
const NEXI_CLAIM = claim('nexi-ip-license');
// Named here, made by the first beforeAll: a run that skips every test of this file leaves nothing.
const dir = join(tmpdir(), `yakkan-server-test-${process.pid}-${Date.now()}`);
beforeAll(() => {
  mkdirSync(dir, { recursive: true });
});

interface Running {
  app: FastifyInstance;
  base: string;
}

async function serve(o: Partial<ServerOptions> = {}): Promise<Running> {
  const app = await buildApp({ products: PRODUCTS, watch: false, ...o });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { app, base: `http://127.0.0.1:${port}` };
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

async function problemOf(r: Response, status: number, type: string): Promise<Record<string, unknown>> {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const p = (await r.json()) as Record<string, unknown>;
  expect(p).toMatchObject({
    type: `urn:yakkan:problem:${type}`,
    status,
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(JSON.stringify(p)).not.toMatch(/ at .*\.(ts|js):\d+/);
  return p;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the decision service', () => {
  let s: Running;
  let log: DecisionLog;
  const logFile = join(dir, 'service.sqlite');

  beforeAll(async () => {
    log = await openLog(logFile, { flushMs: 10, thread: true });
    s = await serve({ log, limits: { bodyLimit: 64 * 1024, maxItems: 3 } });
  });
  afterAll(async () => {
    await s.app.close();
  });

  it('GET /v1/products lists every product with its revisions and status', async () => {
    const r = await fetch(`${s.base}/v1/products`);
    expect(r.status).toBe(200);
    const { products } = (await r.json()) as {
      products: { id: string; status: string; hash: string; revisions: { revision: string }[] }[];
    };
    expect(products.map((p) => p.id)).toEqual(['cyber', 'nexi-ip-license', 'overseas-ip-litigation']);
    for (const p of products) expect(p).toMatchObject({ status: 'ok', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(products[2]!.revisions.map((x) => x.revision)).toEqual(['2024-07', '2025-06']);
  });

  it('GET /v1/products/{id}: revisions with periods, facts schema, citations; 404 with a suggestion', async () => {
    const r = await fetch(`${s.base}/v1/products/overseas-ip-litigation`);
    const p = (await r.json()) as Record<string, unknown> & {
      revisions: { inForce: object; facts: { properties: object } }[];
      citations: object[];
    };
    expect(p).toMatchObject({
      id: 'overseas-ip-litigation',
      status: 'ok',
      chosenBy: 'policy.start_date',
      problem: null,
    });
    expect(p.revisions[0]!.inForce).toEqual({ from: '2024-07-01', until: '2025-06-30' });
    expect(Object.keys(p.revisions[1]!.facts.properties)).toContain('policy');
    expect(p.citations.length).toBeGreaterThan(20);
    expect(p.citations[0]).toMatchObject({
      product: 'overseas-ip-litigation',
      revision: '2024-07',
      rule: expect.any(String),
      quote: expect.any(String),
    });
    const missing = await problemOf(await fetch(`${s.base}/v1/products/nexi-ip-licence`), 404, 'unknown-product');
    expect(missing['detail']).toMatch(/did you mean nexi-ip-license/);
  });

  it('decide answers the same bytes as deciding in-process, with the revision and request id', async () => {
    const r = await fetch(
      `${s.base}/v1/products/nexi-ip-license/decide`,
      json(NEXI_CLAIM, { 'x-request-id': 'claim-0001' }),
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('yakkan-revision')).toBe('2017-04');
    expect(r.headers.get('x-request-id')).toBe('claim-0001');
    const local = decideIn(loadProduct(PRODUCTS[0]!), NEXI_CLAIM).decision;
    expect(await r.text()).toBe(JSON.stringify(local));
    const lean = await fetch(`${s.base}/v1/products/nexi-ip-license/decide?trace=false`, json(NEXI_CLAIM));
    expect(await lean.text()).toBe(
      JSON.stringify(decideIn(loadProduct(PRODUCTS[0]!), NEXI_CLAIM, { trace: false }).decision),
    );
  });

  it('as_of chooses the revision; a date no revision is in force on is a 422', async () => {
    const litigation = claim('overseas-ip-litigation') as { claim: { items: unknown[] } };
    // Three items: the limit of this server.
    const facts = { ...litigation, claim: { ...litigation.claim, items: litigation.claim.items.slice(0, 3) } };
    const old = await fetch(`${s.base}/v1/products/overseas-ip-litigation/decide?as_of=2024-09-01`, json(facts));
    expect(old.headers.get('yakkan-revision')).toBe('2024-07');
    const now = await fetch(`${s.base}/v1/products/overseas-ip-litigation/decide?as_of=2025-09-01`, json(facts));
    expect(now.headers.get('yakkan-revision')).toBe('2025-06');
    const none = await problemOf(
      await fetch(`${s.base}/v1/products/overseas-ip-litigation/decide?as_of=2001-01-01`, json(facts)),
      422,
      'no-revision',
    );
    expect(none['detail']).toMatch(/no revision of overseas-ip-litigation is in force on 2001-01-01/);
    await problemOf(
      await fetch(`${s.base}/v1/products/nexi-ip-license/decide?as_of=01/02/2025`, json(facts)),
      400,
      'invalid-request',
    );
  });

  it('undetermined is a decision (200) that lists the missing facts', async () => {
    const { loss: _loss, ...facts } = NEXI_CLAIM;
    const r = await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(facts));
    expect(r.status).toBe(200);
    const d = (await r.json()) as { outcome: string; missing: string[] };
    expect(d.outcome).toBe('undetermined');
    expect(d.missing).toContain('loss.risk');
  });

  it('invalid facts are a 422 naming each fact by JSON pointer, as the CLI does', async () => {
    const facts = {
      ...NEXI_CLAIM,
      buyer: { ...(NEXI_CLAIM['buyer'] as object), ratng: 'EF' },
      loss: { ...(NEXI_CLAIM['loss'] as object), amount: 'lots' },
    };
    const p = await problemOf(
      await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(facts)),
      422,
      'invalid-facts',
    );
    const errors = p['errors'] as { pointer: string; message: string; expected: string }[];
    expect(errors.map((e) => e.pointer).sort()).toEqual(['/buyer/ratng', '/loss/amount']);
    expect(errors.find((e) => e.pointer === '/buyer/ratng')!.message).toMatch(/did you mean rating/);
    await problemOf(await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json([1, 2])), 422, 'invalid-facts');
  });

  it('bad requests are 4xx problems, never a 500', async () => {
    const decide = `${s.base}/v1/products/nexi-ip-license/decide`;
    await problemOf(await fetch(decide, json('{"buyer": ')), 400, 'invalid-json');
    await problemOf(await fetch(decide, json('')), 400, 'invalid-json');
    const unknown = await problemOf(await fetch(`${decide}?asof=2025-01-01`, json(NEXI_CLAIM)), 400, 'invalid-request');
    expect(unknown['errors']).toEqual([{ pointer: '/asof', message: expect.stringMatching(/asof is not allowed/) }]);
    for (const type of ['text/plain', 'application/xml']) {
      await problemOf(
        await fetch(decide, { method: 'POST', headers: { 'content-type': type }, body: 'x' }),
        415,
        'unsupported-media-type',
      );
    }
    await problemOf(await fetch(`${s.base}/v1/nothing`), 404, 'not-found');
    await problemOf(await fetch(`${s.base}/v1/products`, { method: 'DELETE' }), 404, 'not-found');
    await problemOf(await fetch(`${s.base}/v1/check`, json({ text: 'x' })), 400, 'invalid-request');
  });

  it('limits: a body over the limit and a claim with too many items are 413s', async () => {
    const big = { ...NEXI_CLAIM, padding: 'x'.repeat(70 * 1024) };
    const p = await problemOf(await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(big)), 413, 'too-large');
    expect(p['detail']).toMatch(/65536 bytes/);
    const cyber = claim('cyber') as { claim: { items: unknown[] } };
    const items = Array.from({ length: 4 }, () => cyber.claim.items[0]);
    const many = { ...cyber, claim: { ...cyber.claim, items } };
    const q = await problemOf(await fetch(`${s.base}/v1/products/cyber/decide`, json(many)), 413, 'too-many-items');
    expect(q['errors']).toEqual([{ pointer: '/claim/items', message: '4 entries, more than the limit of 3' }]);
    const ok = await fetch(
      `${s.base}/v1/products/cyber/decide`,
      json({ ...cyber, claim: { ...cyber.claim, items: items.slice(0, 3) } }),
    );
    expect(ok.status).toBe(200);
  });

  it('explain answers text in ja or en; invalid facts are still a 422', async () => {
    const en = await fetch(`${s.base}/v1/products/nexi-ip-license/explain?lang=en`, json(NEXI_CLAIM));
    expect(en.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await en.text();
    expect(text).toMatch(/^NEXI IP-Rights License Insurance \(revision 2017-04\)/);
    expect(text).toMatch(/excluded/);
    const ja = await fetch(`${s.base}/v1/products/nexi-ip-license/explain`, json(NEXI_CLAIM));
    expect(await ja.text()).toMatch(/特別な関係にあるバイヤーの信用危険/);
    await problemOf(
      await fetch(`${s.base}/v1/products/nexi-ip-license/explain?lang=fr`, json(NEXI_CLAIM)),
      400,
      'invalid-request',
    );
    await problemOf(
      await fetch(`${s.base}/v1/products/nexi-ip-license/explain`, json({ buyer: { x: 1 } })),
      422,
      'invalid-facts',
    );
  });

  it('batch streams one NDJSON line out per line in, in order', async () => {
    const good = JSON.stringify(NEXI_CLAIM);
    const body = [good, '{"buyer": {"ratng": "EF"}}', 'not json', '', good].join('\n') + '\n';
    const r = await fetch(`${s.base}/v1/products/nexi-ip-license/batch?trace=false`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await r.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const lean = JSON.stringify(decideIn(loadProduct(PRODUCTS[0]!), NEXI_CLAIM, { trace: false }).decision);
    expect(lines[0]).toBe(`{"line":1,"decision":${lean}}`);
    expect(JSON.parse(lines[1]!)).toMatchObject({
      line: 2,
      decision: { outcome: 'error', errors: [{ pointer: '/buyer/ratng' }] },
    });
    expect(JSON.parse(lines[2]!)).toEqual({ line: 3, error: expect.stringMatching(/^invalid JSON/) });
    expect(JSON.parse(lines[3]!)).toEqual({ line: 4, blank: true });
    expect(lines[4]).toBe(`{"line":5,"decision":${lean}}`);
  });

  it('POST /v1/check gives the diagnostics of a source, as yakkan check does', async () => {
    const source = readFileSync(join(ROOT, 'products', 'nexi-ip-license', 'product.yk'), 'utf8');
    const clean = (await (await fetch(`${s.base}/v1/check`, json({ source }))).json()) as {
      ok: boolean;
      product: object;
    };
    expect(clean).toMatchObject({ ok: true, errors: 0, product: { id: 'nexi-ip-license', revision: '2017-04' } });
    const typo = source.replace('when buyer.related_party and', 'when buyer.related_pary and');
    const r = (await (await fetch(`${s.base}/v1/check`, json({ source: typo, file: 'nexi.yk' }))).json()) as {
      ok: boolean;
      diagnostics: { code: string; span: { file: string; start: { line: number } } }[];
      text: string;
    };
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ code: 'check/unknown-name', span: { file: 'nexi.yk' } });
    expect(r.text).toMatch(/error\[check\/unknown-name\]: unknown name buyer\.related_pary\n {2}--> nexi\.yk:\d+:\d+/);
    expect(r.text).toMatch(/did you mean buyer\.related_party\?/);
  });

  it('GET /openapi.json documents every route from the schemas the server validates with', async () => {
    const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/v1/check',
      '/v1/products',
      '/v1/products/{id}',
      '/v1/products/{id}/batch',
      '/v1/products/{id}/decide',
      '/v1/products/{id}/explain',
    ]);
    expect(doc.paths['/v1/products/{id}/decide']!['post']!.parameters!.map((p) => p.name)).toEqual([
      'id',
      'as_of',
      'trace',
    ]);
    expect(Object.keys(doc.paths['/v1/products/{id}/decide']!['post']!.responses)).toEqual([
      '200',
      '404',
      '413',
      '422',
      '503',
    ]);
    expect(doc.components.schemas['Decision']).toMatchObject({
      required: expect.arrayContaining(['outcome', 'reasons']),
    });
    // Every $ref resolves inside the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) expect(doc.components.schemas).toHaveProperty([/schemas\/([^"]+)"$/.exec(r)![1]!]);
  });

  it('GET /healthz and GET /metrics (Prometheus text: requests, latency, decisions by outcome)', async () => {
    const h = (await (await fetch(`${s.base}/healthz`)).json()) as Record<string, unknown>;
    expect(h).toMatchObject({ status: 'ok', products: 3, stale: [], log: { target: logFile } });
    const m = await fetch(`${s.base}/metrics`);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await m.text();
    expect(text).toMatch(
      /^yakkan_http_requests_total\{method="POST",route="\/v1\/products\/:id\/decide",status="200"\} \d+$/m,
    );
    expect(text).toMatch(
      /^yakkan_http_request_duration_seconds_bucket\{route="\/v1\/products\/:id\/decide",le="\+Inf"\} \d+$/m,
    );
    expect(text).toMatch(/^yakkan_decisions_total\{product="nexi-ip-license",outcome="excluded"\} \d+$/m);
    expect(text).toMatch(/^yakkan_decisions_total\{product="nexi-ip-license",outcome="error"\} \d+$/m);
    expect(text).toMatch(/^yakkan_log_written_total \d+$/m);
    expect(text).toMatch(/^yakkan_product_ok\{product="cyber"\} 1$/m);
  });

  it('logs every decision with its request id, and the log verifies byte for byte', async () => {
    await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(NEXI_CLAIM, { 'x-request-id': 'audit-me' }));
    await log.flush();
    const logged = [];
    for await (const e of log.entries({ requestId: 'audit-me' })) logged.push(e);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      product: 'nexi-ip-license',
      revision: '2017-04',
      outcome: 'excluded',
      options: {},
    });
    expect(JSON.parse(logged[0]!.facts)).toEqual(NEXI_CLAIM);
    const batchLines = [];
    for await (const e of log.entries({ outcome: 'error' })) batchLines.push(e.requestId);
    expect(batchLines.some((id) => /#2$/.test(id))).toBe(true);
    const r = await verifyLog(log, {});
    expect(r.differences).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(r.identical).toBeGreaterThan(8);
  });
});

// A request held open: its headers and part of its body sent, the rest when `finish` is called.
function holdOpen(base: string, path: string): Promise<{ finish(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } });
    let body = '';
    const done = new Promise<string>((ok) =>
      req.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => ok(body));
      }),
    );
    req.on('error', reject);
    req.write(`${JSON.stringify(NEXI_CLAIM)}\n`, () =>
      setTimeout(() => {
        const finish = () => {
          req.end();
          return done;
        };
        resolve({ finish });
      }, 200),
    );
  });
}

describe('overload and the token', () => {
  it('answers 503 with Retry-After when the requests in flight reach the limit, and serves again after', async () => {
    const s = await serve({ limits: { concurrency: 1, retryAfter: 2 } });
    try {
      const held = await holdOpen(s.base, '/v1/products/nexi-ip-license/batch');
      const r = await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(NEXI_CLAIM));
      await problemOf(r, 503, 'overloaded');
      expect(r.headers.get('retry-after')).toBe('2');
      // Monitoring still answers.
      expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
      expect(await fetch(`${s.base}/metrics`).then((m) => m.text())).toMatch(
        /^yakkan_overload_refusals_total\{reason="concurrency"\} 1$/m,
      );
      expect((await held.finish()).split('\n')[0]).toMatch(/^\{"line":1,"decision":\{"schema":"yakkan\/decision@1"/);
      expect((await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(NEXI_CLAIM))).status).toBe(200);
    } finally {
      await s.app.close();
    }
  });

  it('answers 503 when the decision log is behind, rather than deciding what it cannot log', async () => {
    const log = await openLog(join(dir, 'behind.sqlite'), { maxPending: 1, flushMs: 60_000, batchSize: 1000 });
    const s = await serve({ log });
    try {
      expect((await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(NEXI_CLAIM))).status).toBe(200);
      const r = await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(NEXI_CLAIM));
      await problemOf(r, 503, 'log-behind');
      expect(r.headers.get('retry-after')).toBe('1');
      expect((await fetch(`${s.base}/healthz`)).status).toBe(503);
    } finally {
      await s.app.close();
    }
    const again = await openLog(join(dir, 'behind.sqlite'));
    const all = [];
    for await (const e of again.entries({})) all.push(e);
    expect(all).toHaveLength(1);
    await again.close();
  });

  it('with a token, every route but /healthz and /openapi.json needs it (401 with WWW-Authenticate)', async () => {
    const token = 'a-long-enough-test-token';
    const s = await serve({ token });
    try {
      const none = await fetch(`${s.base}/v1/products`);
      await problemOf(none, 401, 'unauthorized');
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="yakkan"');
      await problemOf(
        await fetch(`${s.base}/v1/products`, { headers: { authorization: 'Bearer wrong' } }),
        401,
        'unauthorized',
      );
      await problemOf(
        await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(NEXI_CLAIM)),
        401,
        'unauthorized',
      );
      await problemOf(await fetch(`${s.base}/metrics`), 401, 'unauthorized');
      expect((await fetch(`${s.base}/v1/products`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      );
      expect(
        (
          await fetch(
            `${s.base}/v1/products/nexi-ip-license/decide`,
            json(NEXI_CLAIM, { authorization: `Bearer ${token}` }),
          )
        ).status,
      ).toBe(200);
      expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
      expect((await fetch(`${s.base}/openapi.json`)).status).toBe(200);
    } finally {
      await s.app.close();
    }
  });

  it('binding beyond loopback needs a token, or --open (which warns)', () => {
    expect(listenCheck('127.0.0.1', undefined, false)).toBeUndefined();
    expect(listenCheck('::1', undefined, false)).toBeUndefined();
    expect(() => listenCheck('0.0.0.0', undefined, false)).toThrow(/needs a bearer token/);
    expect(listenCheck('0.0.0.0', 'a-long-enough-test-token', false)).toBeUndefined();
    expect(listenCheck('0.0.0.0', undefined, true)).toMatch(/^WARNING: .*NO TOKEN/);
  });

  it('a request slower than the request timeout is cut off (408), the server keeps serving', async () => {
    const s = await serve({ limits: { requestTimeout: 300 } });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${s.base}/v1/products/nexi-ip-license/decide`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '100' },
        });
        req.on('response', (res) => resolve(res.statusCode ?? 0));
        req.on('error', reject);
        req.write('{"buyer":');
      });
      expect(status).toBe(408);
      expect((await fetch(`${s.base}/v1/products/nexi-ip-license/decide`, json(NEXI_CLAIM))).status).toBe(200);
    } finally {
      await s.app.close();
    }
  });
});

describe('serving with a PostgreSQL decision log', () => {
  it('logs through HTTP into PostgreSQL and verifies', async (ctx) => {
    const pg = await startPostgres();
    if ('skip' in pg) {
      console.warn(`server.test.ts: PostgreSQL test skipped: ${pg.skip}`);
      return ctx.skip();
    }
    try {
      const log = await openLog(pg.url, { flushMs: 10 });
      const s = await serve({ log });
      for (let i = 0; i < 20; i++) {
        const r = await fetch(
          `${s.base}/v1/products/nexi-ip-license/decide`,
          json(NEXI_CLAIM, { 'x-request-id': `pg-${i}` }),
        );
        expect(r.status).toBe(200);
      }
      await s.app.close();
      const again = await openLog(pg.url);
      const r = await verifyLog(again, { product: 'nexi-ip-license' });
      expect(r).toMatchObject({ checked: 20, identical: 20, differences: [], failures: [] });
      await again.close();
    } finally {
      pg.stop();
    }
  }, 120_000);
});
