// The decision document (schemas/decision.schema.json). Everything in it is JSON with a fixed key
// order, so the same product revision and the same facts give byte-identical output.
import type { Citation, Product, RuleKind } from '../../dsl/ir.js';

export const DECISION_SCHEMA_ID = 'yakkan/decision@1';

export type Outcome =
  | 'covered'
  | 'excluded'
  | 'refused'
  | 'not-covered'
  | 'ineligible'
  | 'invalid'
  | 'undetermined'
  | 'error';
export type Eligibility = 'eligible' | 'ineligible' | 'undetermined';
export type Truth = true | false | null;

// A value as the decision shows it: money as {amount, currency}; other values as strings/booleans.
export type ShownValue = { amount: string; currency: string } | string | boolean | null | ShownValue[];

export interface FactError {
  pointer: string;
  message: string;
  expected: string;
}

export interface Check {
  part: 'when' | 'unless' | 'require';
  text: string;
  fact: string;
  operator: string;
  actual: ShownValue;
  required: ShownValue;
  result: Truth;
}

export interface Reason {
  rule: string;
  kind: RuleKind;
  label?: string;
  item?: number;
  result: 'fired' | 'not-fired' | 'unknown';
  effect: Outcome;
  deciding: boolean;
  cite: Citation[];
  checks: Check[];
  missing: string[];
}

export interface FormulaStep {
  text: string;
  value: ShownValue;
  rounding?: { mode: string; unit: string; before: string };
}

export interface FormulaResult {
  name: string;
  label?: string;
  value: ShownValue;
  missing: string[];
  steps: FormulaStep[];
  cite: Citation[];
}

export interface AmountStep {
  step: string;
  text: string;
  operand: ShownValue;
  before: ShownValue;
  after: ShownValue;
  applied: boolean;
  item?: number;
  cite: Citation[];
}

export interface AmountResult {
  name: string;
  label?: string;
  value: ShownValue;
  missing: string[];
  steps: AmountStep[];
  cite: Citation[];
  items?: ShownValue[];
}

export interface TableLookup {
  table: string;
  label?: string;
  row: number | 'else' | null;
  inputs: { text: string; value: ShownValue }[];
  outputs: Record<string, ShownValue>;
  cite: Citation[];
}

export interface ItemDecision {
  index: number;
  outcome: Outcome;
  deciding: string[];
  missing: string[];
}

export interface DecisionProduct {
  id: string;
  revision: string;
  source: string;
  reconstructed?: string;
}

// The revision a decision was made by; a reconstructed edition says so in every decision it makes.
export function decisionProduct(p: Product): DecisionProduct {
  const out: DecisionProduct = { id: p.id, revision: p.revision, source: p.source };
  if (p.reconstructed) out.reconstructed = p.reconstructed;
  return out;
}

export interface Decision {
  schema: typeof DECISION_SCHEMA_ID;
  product: DecisionProduct;
  outcome: Outcome;
  eligibility: Eligibility;
  deciding: string[];
  missing: string[];
  errors: FactError[];
  reasons: Reason[];
  items: ItemDecision[];
  lookups: TableLookup[];
  amounts: AmountResult[];
  formulas: FormulaResult[];
}
