// Errors as RFC 9457 problem details (application/problem+json): a stable `type` per class of
// error, the HTTP status, a sentence for people, and for facts the same `{pointer, message,
// expected}` list the CLI prints. Bad input is always a 4xx with a problem; a 500 means a bug in
// yakkan, and its body never carries a stack.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FactError } from '../engine/pipeline/decision-types.js';

export type ProblemCode =
  | 'invalid-facts'
  | 'invalid-request'
  | 'invalid-json'
  | 'not-found'
  | 'unknown-product'
  | 'product-unavailable'
  | 'no-revision'
  | 'too-large'
  | 'too-many-items'
  | 'unsupported-media-type'
  | 'method-not-allowed'
  | 'unauthorized'
  | 'overloaded'
  | 'log-behind'
  | 'timeout'
  | 'internal';

export const PROBLEM_TITLES: Record<ProblemCode, string> = {
  'invalid-facts': 'The facts are invalid',
  'invalid-request': 'The request is invalid',
  'invalid-json': 'The body is not JSON',
  'not-found': 'No such resource',
  'unknown-product': 'No such product',
  'product-unavailable': 'The product cannot decide',
  'no-revision': 'No revision of the product can decide this',
  'too-large': 'The request is too large',
  'too-many-items': 'Too many items',
  'unsupported-media-type': 'Unsupported media type',
  'method-not-allowed': 'Method not allowed',
  unauthorized: 'A bearer token is required',
  overloaded: 'The server is overloaded',
  'log-behind': 'The decision log is behind',
  timeout: 'The request took too long',
  internal: 'Internal error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  // Facts (or request fields) at fault, by JSON pointer.
  errors?: (FactError | { pointer: string; message: string })[];
  [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'urn:yakkan:problem:';

export function problem(code: ProblemCode, status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title: PROBLEM_TITLES[code], status, detail, ...extra };
}

// Thrown by handlers and hooks; the error handler turns it into the response.
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
  }
}

export function fail(
  code: ProblemCode,
  status: number,
  detail: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): never {
  throw new ProblemError(problem(code, status, detail, extra), headers);
}

export function sendProblem(reply: FastifyReply, p: Problem, headers: Record<string, string> = {}): FastifyReply {
  const body = { ...p, instance: p.instance ?? reply.request.url };
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(p.status).type('application/problem+json').send(JSON.stringify(body));
}

// Fastify's own errors (validation, body limits, media types) as problems: a client mistake is a 4xx.
export function fromError(
  err: FastifyError | ProblemError | Error,
  req: FastifyRequest,
): { problem: Problem; headers: Record<string, string> } {
  if (err instanceof ProblemError) return { problem: err.problem, headers: err.headers };
  const e = err as FastifyError;
  if (e.validation) {
    const where = e.validationContext ?? 'body';
    const errors = e.validation.map((v) => {
      const missing =
        v.keyword === 'required' ? `/${String((v.params as { missingProperty?: string }).missingProperty)}` : '';
      const extra =
        v.keyword === 'additionalProperties'
          ? `/${String((v.params as { additionalProperty?: string }).additionalProperty)}`
          : '';
      const pointer = `${v.instancePath}${missing}${extra}`;
      const what = extra ? 'is not allowed here' : (v.message ?? 'is invalid');
      return {
        pointer,
        message: `${where}${pointer ? ` ${pointer}` : ''} ${what}`,
      };
    });
    return {
      problem: problem('invalid-request', 400, errors.map((x) => x.message).join('; '), { errors, in: where }),
      headers: {},
    };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        problem: problem('too-large', 413, `the body is larger than the limit of ${req.routeOptions.bodyLimit} bytes`),
        headers: {},
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        problem: problem(
          'unsupported-media-type',
          415,
          `content type ${req.headers['content-type'] ?? '(none)'} is not accepted here`,
        ),
        headers: {},
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        problem: problem('invalid-json', 400, 'the body is empty: send the facts as a JSON object'),
        headers: {},
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { problem: problem('invalid-request', 400, 'the content length does not match the body'), headers: {} };
  }
  const status = e.statusCode ?? 500;
  if (status >= 400 && status < 500) return { problem: problem('invalid-request', status, e.message), headers: {} };
  return {
    problem: problem('internal', 500, 'an internal error in yakkan (the request id finds it in the server log)'),
    headers: {},
  };
}
