// The decision document, assembled in one place (key order is part of the output: the same
// revision and facts give byte-identical JSON).
import type { Product } from '../../../dsl/ir.js';
import {
  DECISION_SCHEMA_ID,
  decisionProduct,
  type AmountResult,
  type Decision,
  type FactError,
  type FormulaResult,
  type Reason,
  type TableLookup,
} from '../decision-types.js';
import type { Compiled } from './compiled.js';
import type { Settled } from './outcome.js';

export function decisionOf(
  c: Compiled,
  settled: Settled,
  reasons: Reason[],
  lookups: TableLookup[],
  amounts: AmountResult[],
  formulas: FormulaResult[],
): Decision {
  return {
    schema: DECISION_SCHEMA_ID,
    product: decisionProduct(c.product),
    outcome: settled.outcome,
    eligibility: settled.eligibility,
    deciding: settled.deciding,
    missing: settled.missing,
    errors: [],
    reasons,
    items: settled.items,
    lookups,
    amounts,
    formulas,
  };
}

// Facts that do not read: no rule ran.
export function errorDecision(p: Product, errors: FactError[]): Decision {
  return {
    schema: DECISION_SCHEMA_ID,
    product: decisionProduct(p),
    outcome: 'error',
    eligibility: 'undetermined',
    deciding: [],
    missing: [],
    errors,
    reasons: [],
    items: [],
    lookups: [],
    amounts: [],
    formulas: [],
  };
}
