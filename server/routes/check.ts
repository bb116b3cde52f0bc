// POST /v1/check: a product's source text in, its diagnostics out, for editors. The check of
// `yakkan check`, on a text that need not be saved anywhere. `checkSource` is the reusable part
// (the studio calls it too); the route only adapts it to HTTP.
import { checkText } from '../../engine/loading/load.js';
import { renderDiagnostics, sortDiagnostics, type Diagnostic } from '../../dsl/diagnostics.js';
import { PROBLEM_JSON, type Api } from '../openapi.js';

export interface CheckResult {
  ok: boolean;
  errors: number;
  warnings: number;
  // The product the text defines, when it got that far.
  product: { id: string; revision: string } | null;
  diagnostics: Diagnostic[];
  // As `yakkan check` prints them: file:line:col, the source line, a caret, the hint.
  text: string;
}

export function checkSource(source: string, file = 'product.yk'): CheckResult {
  const { model, checked, diagnostics } = checkText(source, file);
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  return {
    ok: errors === 0,
    errors,
    warnings: sorted.length - errors,
    product: model ? { id: checked.product.id, revision: checked.product.revision } : null,
    diagnostics: sorted,
    text: sorted.length ? renderDiagnostics(sorted, new Map([[file, source]])) : '',
  };
}

export const CHECK_BODY = {
  type: 'object',
  required: ['source'],
  additionalProperties: false,
  properties: {
    source: { type: 'string', description: 'The text of one product file' },
    file: {
      type: 'string',
      pattern: '^[^/\\\\]+\\.(yk|json)$',
      default: 'product.yk',
      description: 'Its file name, for the diagnostics; .json checks a product written as JSON',
    },
  },
};

export function checkRoutes(api: Api): void {
  api.route({
    method: 'POST',
    url: '/v1/check',
    summary: 'Check a product source: diagnostics with stable codes and spans, as `yakkan check` gives',
    tags: ['check'],
    body: { contentType: 'application/json', schema: CHECK_BODY, validate: true },
    responses: {
      200: {
        description: 'The diagnostics (a product with errors is still a 200: the check ran)',
        content: { 'application/json': { type: 'object' } },
      },
      400: { description: 'The body is not {source, file?}', content: PROBLEM_JSON },
      413: { description: 'The source is over the body limit', content: PROBLEM_JSON },
    },
    handler: async (req) => {
      const { source, file } = req.body as { source: string; file: string };
      return checkSource(source, file);
    },
  });
}
