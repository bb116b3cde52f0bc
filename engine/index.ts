// yakkan's public API: `import { loadProduct, decideIn, explain } from 'yakkan'`. What is exported
// here is what the package promises (package.json "exports" names this module only); every other
// module is internal and may change in any release.
//
//   const product = loadProduct('products/nexi-ip-license');      // parse, check, compile
//   if (hasErrors(product.diagnostics)) throw new Error(renderDiagnostics(product.diagnostics, product.sources));
//   const { decision } = decideIn(product, facts);                 // the revision the facts choose
//   console.log(decision?.outcome, explain(decision!, { lang: 'en' }));
//
// The stages one by one: parseProduct (source → model) → check (→ checked model) → compile
// (→ closures) → decide (facts → decision) → explain (decision → text).

// ---- the DSL front end and the model it produces
export { parseProduct } from '../dsl/index.js';
export type * from '../dsl/ir.js';
export { PRODUCT_SCHEMA_ID } from '../dsl/ir.js';
export type { Model } from '../dsl/model.js';
export { formatSource } from '../dsl/format.js';
export {
  type Diagnostic,
  type Position,
  type Severity,
  type Span,
  hasErrors,
  renderDiagnostic,
  renderDiagnostics,
  sortDiagnostics,
} from '../dsl/diagnostics.js';

// ---- loading products and their revisions
export {
  checkText,
  decideIn,
  type LoadedProduct,
  type LoadOptions,
  loadProduct,
  type Revision,
  type Selection,
  selectRevision,
} from './loading/load.js';

// ---- the pipeline: check, compile, decide, explain; facts in, decisions out
export { type Checked, check } from './pipeline/check.js';
export { type Compiled, compile, type DecideOptions, decide } from './pipeline/evaluate/index.js';
export { type ExplainOptions, explain, type Lang } from './pipeline/explain.js';
export { factsSchema, type ReadFacts, readFacts } from './pipeline/facts.js';
export type * from './pipeline/decision-types.js';
export { DECISION_SCHEMA_ID } from './pipeline/decision-types.js';
export { canonicalJson } from './pipeline/json.js';

// ---- case files: scenarios with expected decisions
export {
  type CaseFile,
  type CaseResult,
  compareDecision,
  findCaseFiles,
  formatFailure,
  type Mismatch,
  readCase,
  runCase,
} from './tools/cases.js';

// ---- two revisions compared: changed rules and changed decisions
export {
  type Behaviour,
  type BehaviourOptions,
  behaviouralDiff,
  type DiffReport,
  DiffUsageError,
  diffExitCode,
  diffRevisions,
  renderText as renderDiff,
  type StructuralChange,
  structuralDiff,
} from './tools/diff.js';
