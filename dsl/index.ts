// The DSL front end: source text -> product model, with diagnostics. Stages, in order:
// tokens.ts (tokenize) -> parser.ts (parse) -> model.ts (buildModel).
import { tokenize } from './tokens.js';
import { parse } from './parser.js';
import { buildModel, type Model } from './model.js';
import type { Diagnostic } from './diagnostics.js';

export function parseProduct(source: string, file: string): { model: Model; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const tokens = tokenize(source, file, diagnostics);
  const cst = parse(tokens, diagnostics);
  const model = buildModel(cst, file, source, diagnostics);
  return { model, diagnostics };
}

export * from './ir.js';
export * from './diagnostics.js';
export * from './literals.js';
export { type Model, type SpanMap, ROUNDING_MODES, leafLiteral, unescapeString } from './model.js';
export { tokenize } from './tokens.js';
export { parse } from './parser.js';
export { buildModel } from './model.js';
