// Deciding over HTTP: one claim (decide, explain) or a stream of them (batch, NDJSON in and out).
// Each decision is made with the product entry taken when the request began, answered as the
// same bytes `JSON.stringify` gives in-process (the log keeps those bytes), and appended to the
// decision log with the snapshot that made it.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decideIn } from '../../engine/loading/load.js';
import { explain, type Lang } from '../../engine/pipeline/explain.js';
import { batchLine } from '../../engine/tools/batch.js';
import type { Decision } from '../../engine/pipeline/decision-types.js';
import type { DecideRequest } from '../log/store.js';
import { entryFor } from '../log/replay.js';
import { checkItems } from '../limits.js';
import { fail } from '../problem.js';
import { PROBLEM_JSON, ref, type Api } from '../openapi.js';
import type { ProductEntry } from '../products.js';
import type { Yakkan } from '../app.js';
import { ID_PARAMS, productEntry } from './products.js';

const DATE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';

const DECIDE_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    as_of: {
      type: 'string',
      pattern: DATE,
      description: 'Decide with the revision in force on this date, whatever the facts say',
    },
    trace: {
      type: 'boolean',
      default: true,
      description: 'false: reasons without checks and arithmetic (smaller, faster)',
    },
  },
};

interface DecideQuery {
  as_of?: string;
  trace?: boolean;
}

function requestOf(q: DecideQuery): DecideRequest {
  return { ...(q.as_of ? { asOf: q.as_of } : {}), ...(q.trace === false ? { trace: false } : {}) };
}

function goodOf(entry: ProductEntry): NonNullable<ProductEntry['good']> {
  if (entry.good) return entry.good;
  fail(
    'product-unavailable',
    503,
    `${entry.id} does not check, so it cannot decide: GET /v1/products/${entry.id} says why`,
  );
}

// One decision, logged. Throws a problem when no revision can decide at all.
export function decideLogged(
  y: Yakkan,
  entry: ProductEntry,
  facts: unknown,
  raw: string,
  options: DecideRequest,
  requestId: string,
): { decision: Decision; json: string } {
  const good = goodOf(entry);
  checkItems(good.product, facts, y.limits.maxItems);
  const { decision, selection } = decideIn(good.product, facts, options);
  // The engine words it for the command line; here the date came as the as_of parameter.
  if (!decision) fail('no-revision', 422, `cannot decide: ${selection.why.replace('(--as-of)', '(as_of)')}`);
  const json = JSON.stringify(decision);
  y.log?.append(entryFor(good.snapshot, requestId, raw, options, decision, json));
  y.metrics.decision(entry.id, decision.outcome);
  return { decision, json };
}

function invalidFacts(d: Decision): never {
  const n = d.errors.length;
  fail(
    'invalid-facts',
    422,
    `${n} invalid fact${n === 1 ? '' : 's'}: ${d.errors.map((e) => e.pointer || '/').join(', ')}`,
    {
      errors: d.errors,
      product: d.product,
    },
  );
}

function decided(req: FastifyRequest, reply: FastifyReply, d: Decision): void {
  req.outcome = d.outcome;
  reply.header('yakkan-revision', d.product.revision);
}

const FACTS_BODY = {
  contentType: 'application/json',
  schema: {
    type: 'object',
    description: 'The facts, nested by fact path; their JSON Schema is in GET /v1/products/{id} (revisions[].facts)',
  },
};

const DECISION_HEADERS = {
  'yakkan-revision': 'The product revision that decided',
  'x-request-id': 'The request id, as logged in the decision log',
};

export function decideRoutes(api: Api, y: Yakkan): void {
  api.route({
    method: 'POST',
    url: '/v1/products/:id/decide',
    summary: 'Decide one claim: facts in, the decision JSON out (schemas/decision.schema.json)',
    tags: ['decide'],
    params: ID_PARAMS,
    querystring: DECIDE_QUERY,
    body: FACTS_BODY,
    responses: {
      200: {
        description: 'The decision (undetermined ones too, listing the missing facts)',
        content: { 'application/json': ref('Decision') },
        headers: DECISION_HEADERS,
      },
      404: { description: 'No such product', content: PROBLEM_JSON },
      413: { description: 'Body or a list in the facts over the limit', content: PROBLEM_JSON },
      422: {
        description: 'Invalid facts, each named by JSON pointer; or no revision in force on as_of',
        content: PROBLEM_JSON,
      },
      503: { description: 'Overloaded (Retry-After), or the product does not check', content: PROBLEM_JSON },
    },
    handler: async (req, reply) => {
      const entry = productEntry(y, (req.params as { id: string }).id);
      req.product = entry.id;
      const { decision, json } = decideLogged(
        y,
        entry,
        req.body,
        req.rawBody ?? JSON.stringify(req.body),
        requestOf(req.query as DecideQuery),
        req.id,
      );
      decided(req, reply, decision);
      if (decision.outcome === 'error') invalidFacts(decision);
      return reply.type('application/json').send(json);
    },
  });

  api.route({
    method: 'POST',
    url: '/v1/products/:id/explain',
    summary: 'Decide one claim and explain it for people (text, ja or en)',
    tags: ['decide'],
    params: ID_PARAMS,
    querystring: {
      ...DECIDE_QUERY,
      properties: {
        ...DECIDE_QUERY.properties,
        lang: { type: 'string', enum: ['ja', 'en'], default: 'ja' },
        all: { type: 'boolean', default: false, description: 'Every rule and formula, not only those that decided' },
      },
    },
    body: FACTS_BODY,
    responses: {
      200: { description: 'The explanation', content: { 'text/plain': { type: 'string' } }, headers: DECISION_HEADERS },
      404: { description: 'No such product', content: PROBLEM_JSON },
      422: { description: 'Invalid facts, each named by JSON pointer', content: PROBLEM_JSON },
      503: { description: 'Overloaded (Retry-After), or the product does not check', content: PROBLEM_JSON },
    },
    handler: async (req, reply) => {
      const q = req.query as DecideQuery & { lang: Lang; all: boolean };
      const entry = productEntry(y, (req.params as { id: string }).id);
      req.product = entry.id;
      const { decision } = decideLogged(
        y,
        entry,
        req.body,
        req.rawBody ?? JSON.stringify(req.body),
        requestOf(q),
        req.id,
      );
      decided(req, reply, decision);
      if (decision.outcome === 'error') invalidFacts(decision);
      // The revision that decided lends its labels (fact, rule and enum names in Japanese).
      const revs = entry.good?.product.revisions ?? [];
      const rev = revs.find((r) => r.checked.product.revision === decision.product.revision) ?? revs[revs.length - 1];
      const labels = rev ? { product: rev.checked.product } : {};
      return reply.type('text/plain; charset=utf-8').send(explain(decision, { lang: q.lang, all: q.all, ...labels }));
    },
  });

  api.route({
    method: 'POST',
    url: '/v1/products/:id/batch',
    summary: 'Decide a stream of claims: NDJSON facts in, one NDJSON decision out per line in, streamed',
    description:
      'Each line in gives one line out, as `yakkan batch` prints it: `{"line": N, "decision": {...}}`, ' +
      '`{"line": N, "error": "..."}` (not JSON, or no revision can decide it) or `{"line": N, "blank": true}`. ' +
      'Invalid facts give a decision with outcome `error`. All lines are decided with the revision set in place ' +
      'when the request began.',
    tags: ['decide'],
    params: ID_PARAMS,
    querystring: DECIDE_QUERY,
    body: { contentType: 'application/x-ndjson', schema: { type: 'string', description: 'One facts object per line' } },
    responses: {
      200: {
        description: 'One line per line in, in order',
        content: { 'application/x-ndjson': { type: 'string' } },
        headers: DECISION_HEADERS,
      },
      404: { description: 'No such product', content: PROBLEM_JSON },
      503: { description: 'Overloaded (Retry-After), or the product does not check', content: PROBLEM_JSON },
    },
    handler: async (req, reply) => {
      const entry = productEntry(y, (req.params as { id: string }).id);
      req.product = entry.id;
      goodOf(entry);
      const options = requestOf(req.query as DecideQuery);
      const lines = batchLines(y, entry, req.body as Readable, options, req.id);
      return reply.type('application/x-ndjson').send(Readable.from(lines, { objectMode: false }));
    },
  });
}

// The lines of a batch, decided as they arrive, each answered as `yakkan batch` answers it
// (engine/tools/batch.ts batchLine). The output is pulled by the response stream, so a slow
// reader slows the reading of the request; a full decision log pauses the batch instead of
// failing its lines.
async function* batchLines(
  y: Yakkan,
  entry: ProductEntry,
  body: Readable,
  options: DecideRequest,
  requestId: string,
): AsyncGenerator<string> {
  let rest = '';
  let n = 0;
  const one = (line: string): string => {
    n++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const decideLine = (facts: unknown) => decideLogged(y, entry, facts, text, options, `${requestId}#${n}`).json;
    return `${batchLine(text, n, decideLine).text}\n`;
  };
  const stop = (message: string) => {
    body.destroy();
    return `${JSON.stringify({ line: n + 1, error: message })}\n`;
  };
  body.setEncoding('utf8');
  for await (const chunk of body as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    if (rest.length > y.limits.bodyLimit) {
      yield stop(`longer than the limit of ${y.limits.bodyLimit} bytes: the batch stops here`);
      return;
    }
    let out = '';
    for (const line of parts) {
      if (n >= y.limits.maxBatchLines) {
        yield `${out}${stop(`over the limit of ${y.limits.maxBatchLines} lines per batch: the batch stops here`)}`;
        return;
      }
      out += one(line);
    }
    if (out) yield out;
    if (y.log?.full) await y.log.drained();
  }
  if (rest !== '') yield one(rest);
}
