// The DSL front end: source text -> product model, with diagnostics. Stages, in order:
// tokens.ts (tokenize) -> parser.ts (parse) -> model.ts (buildModel).
import { tokenize } from './tokens.js';
import { parse } from './parser.js';
import { buildModel, type Model } from './model.js';
import { type Diagnostic, spanAt } from './diagnostics.js';
import { emptyProduct } from './ir.js';

export function parseProduct(source: string, file: string): { model: Model; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  try {
    const tokens = tokenize(source, file, diagnostics);
    const cst = parse(tokens, diagnostics);
    const model = buildModel(cst, file, source, diagnostics);
    return { model, diagnostics };
  } catch (e) {
    // A bug in yakkan, not a mistake in the file: a diagnostic and an empty model, not a stack
    // trace. The fuzz suite (test/fuzz) fails on any internal/ diagnostic.
    diagnostics.push({
      code: 'internal/parse',
      severity: 'error',
      message: `yakkan failed while reading the file: ${(e as Error).message}`,
      span: spanAt(file, 1, 1, 0, 0),
      hint: 'this is a bug in yakkan: please report it with the product file',
    });
    return { model: { product: emptyProduct(file), spans: new WeakMap(), file }, diagnostics };
  }
}

export * from './ir.js';
export * from './diagnostics.js';
export * from './literals.js';
export { type Model, type SpanMap, ROUNDING_MODES, leafLiteral, unescapeString } from './model.js';
export { tokenize } from './tokens.js';
export { parse } from './parser.js';
export { buildModel } from './model.js';
