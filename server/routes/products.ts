// GET /v1/products and GET /v1/products/{id}: what the server decides with. The detail gives each
// revision's in-force period and facts JSON Schema, every citation, the content hash the decision
// log records, and, when the files on disk no longer check, the diagnostics that say why the
// last good version is still being served.
import { closest } from '../../dsl/diagnostics.js';
import { factsSchema } from '../../engine/pipeline/facts.js';
import { productCitations } from '../../engine/loading/sources.js';
import type { ProductEntry } from '../products.js';
import { fail } from '../problem.js';
import { PROBLEM_JSON, type Api } from '../openapi.js';
import type { Yakkan } from '../app.js';

export const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'The product id, e.g. nexi-ip-license' } },
};

// The entry a request decides with, taken once: a reload during the request does not change it.
export function productEntry(y: Yakkan, id: string): ProductEntry {
  const entry = y.products.get(id);
  if (!entry) {
    const ids = y.products.all().map((e) => e.id);
    const near = closest(id, ids);
    fail(
      'unknown-product',
      404,
      `no product ${id}${near ? ` (did you mean ${near}?)` : ''}; GET /v1/products lists them`,
    );
  }
  return entry;
}

function status(e: ProductEntry): 'ok' | 'stale' | 'unavailable' {
  return !e.good ? 'unavailable' : e.problem ? 'stale' : 'ok';
}

function summary(e: ProductEntry) {
  const newest = e.good?.product.revisions[e.good.product.revisions.length - 1]?.checked.product;
  return {
    id: e.id,
    name: newest?.name ?? {},
    status: status(e),
    hash: e.good?.snapshot.hash ?? null,
    revisions: (e.good?.product.revisions ?? []).map((r) => ({
      revision: r.checked.product.revision,
      inForce: r.checked.product.inForce,
    })),
  };
}

function detail(e: ProductEntry) {
  const revisions = e.good?.product.revisions ?? [];
  return {
    ...summary(e),
    loadedAt: e.good?.loadedAt ?? null,
    chosenBy: revisions[revisions.length - 1]?.checked.product.chosenBy ?? null,
    problem: e.problem
      ? {
          at: e.problem.at,
          detail: e.good
            ? "the product's files do not check now: the last good version is served until they do"
            : "the product's files do not check: it cannot decide",
          diagnostics: e.problem.diagnostics,
          text: e.problem.text,
        }
      : null,
    revisions: revisions.map((r) => {
      const p = r.checked.product;
      return { revision: p.revision, inForce: p.inForce, source: p.source, facts: factsSchema(p) };
    }),
    citations: revisions.flatMap((r) => productCitations(r.checked.product)),
  };
}

export function productRoutes(api: Api, y: Yakkan): void {
  api.route({
    method: 'GET',
    url: '/v1/products',
    summary: 'The products this server decides with',
    tags: ['products'],
    responses: {
      200: {
        description: 'Every product, its revisions and its status',
        content: { 'application/json': { type: 'object' } },
      },
    },
    handler: async () => ({ products: y.products.all().map(summary) }),
  });
  api.route({
    method: 'GET',
    url: '/v1/products/:id',
    summary: 'One product: revisions with their periods, facts JSON Schema, citations, reload status',
    tags: ['products'],
    params: ID_PARAMS,
    responses: {
      200: { description: 'The product', content: { 'application/json': { type: 'object' } } },
      404: { description: 'No such product', content: PROBLEM_JSON },
    },
    handler: async (req) => detail(productEntry(y, (req.params as { id: string }).id)),
  });
}
