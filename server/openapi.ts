// Routes are declared once, as data: the same parameter and body schemas are given to Fastify
// (which validates requests with them, through Ajv) and written into GET /openapi.json, so the
// document cannot drift from what the server accepts. Responses name the decision schema
// (schemas/decision.schema.json) and the problem details the server really sends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { projectRoot } from '../engine/loading/sources.js';
import { engineVersion } from './log/store.js';
import { PROBLEM_TITLES, PROBLEM_TYPE_BASE } from './problem.js';

type Schema = Record<string, unknown>;

export interface ResponseDoc {
  description: string;
  // Media type -> schema.
  content?: Record<string, Schema>;
  headers?: Record<string, string>;
}

export interface RouteDef {
  method: HTTPMethods;
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: Schema;
  querystring?: Schema;
  // The body's schema as documented; Fastify validates with it only when `validateBody` is set
  // (facts are validated by yakkan itself, which names every invalid fact by pointer).
  body?: { contentType: string; schema: Schema; validate?: boolean };
  responses: Record<number, ResponseDoc>;
  // Open without the bearer token.
  public?: boolean;
  handler(req: FastifyRequest, reply: FastifyReply): unknown;
}

export class Api {
  readonly routes: RouteDef[] = [];

  constructor(private readonly app: FastifyInstance) {}

  route(def: RouteDef): void {
    this.routes.push(def);
    const schema: Schema = {};
    if (def.params) schema['params'] = def.params;
    if (def.querystring) schema['querystring'] = def.querystring;
    if (def.body?.validate) schema['body'] = def.body.schema;
    this.app.route({
      method: def.method,
      url: def.url,
      schema,
      config: { public: def.public === true },
      handler: def.handler as never,
    });
  }
}

let decisionSchema: Schema | undefined;

// schemas/decision.schema.json with its definitions moved under components (OpenAPI 3.1 schemas
// are JSON Schema 2020-12, which reads this draft-07 schema as is but resolves `#/...` from the
// document's root).
function decisionComponents(): Record<string, Schema> {
  decisionSchema ??= JSON.parse(readFileSync(join(projectRoot(), 'schemas', 'decision.schema.json'), 'utf8')) as Schema;
  const {
    $schema: _s,
    $id: _i,
    definitions = {},
    ...decision
  } = decisionSchema as Schema & { definitions?: Record<string, Schema> };
  const moved = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(moved);
    if (o === null || typeof o !== 'object') return o;
    return Object.fromEntries(
      Object.entries(o).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string'
          ? v.replace('#/definitions/', '#/components/schemas/Decision.')
          : moved(v),
      ]),
    );
  };
  const out: Record<string, Schema> = { Decision: moved(decision) as Schema };
  for (const [k, v] of Object.entries(definitions)) out[`Decision.${k}`] = moved(v) as Schema;
  return out;
}

const PROBLEM_SCHEMA: Schema = {
  type: 'object',
  description: 'RFC 9457 problem details. `type` is one of the urn:yakkan:problem: codes listed in docs/server.md.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', enum: Object.keys(PROBLEM_TITLES).map((c) => `${PROBLEM_TYPE_BASE}${c}`) },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'message'],
        properties: { pointer: { type: 'string' }, message: { type: 'string' }, expected: { type: 'string' } },
      },
    },
  },
};

// `post` + `/v1/products/{id}/decide` -> `postV1ProductsIdDecide`.
function operationId(method: string, path: string): string {
  const camel = path
    .replace(/[{}]/g, '')
    .replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase());
  return `${method.toLowerCase()}${camel}`;
}

export function openApiDocument(api: Api): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const r of api.routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters: Schema[] = [];
    for (const [where, s] of [
      ['path', r.params],
      ['query', r.querystring],
    ] as const) {
      const props = (s?.['properties'] ?? {}) as Record<string, Schema>;
      const required = (s?.['required'] ?? []) as string[];
      for (const [name, schema] of Object.entries(props)) {
        const { description, ...rest } = schema;
        parameters.push({
          name,
          in: where,
          required: where === 'path' || required.includes(name),
          schema: rest,
          ...(description ? { description } : {}),
        });
      }
    }
    const responses: Record<string, Schema> = {};
    for (const [status, doc] of Object.entries(r.responses)) {
      responses[status] = {
        description: doc.description,
        ...(doc.content
          ? { content: Object.fromEntries(Object.entries(doc.content).map(([type, schema]) => [type, { schema }])) }
          : {}),
        ...(doc.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(doc.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]),
              ),
            }
          : {}),
      };
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      operationId: operationId(r.method, path),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { [r.body.contentType]: { schema: r.body.schema } } } }
        : {}),
      responses,
      ...(r.public ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'yakkan decision service',
      version: engineVersion().replace(/^yakkan /, ''),
      description: 'Decisions from insurance pamphlets, with their reasons; a decision log; checks for editors.',
    },
    paths,
    components: {
      schemas: { ...decisionComponents(), Problem: PROBLEM_SCHEMA },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Required when the server was started with a token.' },
      },
    },
    security: [{ bearer: [] }],
  };
}

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const PROBLEM_JSON = { 'application/problem+json': ref('Problem') };
