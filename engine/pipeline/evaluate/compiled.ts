// What compile() makes of a checked product and what decide() runs: closures over a Scope, the
// rules grouped by the outcome ladder, amounts and formulas; and the one ladder itself.
import type { Amount, Formula, Product, Rule, RuleKind } from '../../../dsl/ir.js';
import type { Types } from '../check.js';
import type { Check, FormulaStep, Outcome, ShownValue, TableLookup } from '../decision-types.js';
import type { FastPlan } from './fast-plan.js';
import type { Unknown } from './unknown.js';

// One decision's state. Item rules and per-item amounts run in a copy with the item set.
export interface Scope {
  // The input facts, one slot per declared fact (p.facts order); undefined when missing.
  slots: unknown[];
  item: Record<string, unknown> | undefined;
  itemIndex: number;
  itemList: string | undefined;
  // Named values (formulas, table lookups, derived values, amounts) once computed.
  memo: Map<string, unknown>;
  // Full trace: formulas record their arithmetic whenever they are first computed.
  trace: boolean;
  steps: FormulaStep[] | null;
  lookups: TableLookup[];
  // Set by whoever wants a rule's checks (see evalRule); null otherwise.
  checks: Check[] | null;
  part: Check['part'];
  // The shown value of each input fact a check has shown, by slot (checks share them).
  shown: ShownValue[];
}

export function newScope(slots: unknown[], trace: boolean, itemList?: string): Scope {
  return {
    slots,
    item: undefined,
    itemIndex: -1,
    itemList,
    memo: new Map(),
    trace,
    steps: null,
    lookups: [],
    checks: null,
    part: 'when',
    shown: [],
  };
}

// (Spelled out: object spread takes a slow path in V8 here.)
export function itemScope(s: Scope, item: Record<string, unknown>, index: number, list: string): Scope {
  return {
    slots: s.slots,
    item,
    itemIndex: index,
    itemList: list,
    memo: s.memo,
    trace: s.trace,
    steps: s.steps,
    lookups: s.lookups,
    checks: s.checks,
    part: s.part,
    shown: s.shown,
  };
}

export type Fn = (s: Scope) => unknown;
export type Cond = (s: Scope) => boolean | Unknown;

export interface CompiledRule {
  rule: Rule;
  when?: Cond;
  unless?: Cond;
  require?: Cond;
  // eligibility, condition and constraint rules fire when their requirement is violated.
  requires: boolean;
  // The rule's level on the ladder (LEVELS) and the outcome it gives when it decides.
  level: number;
  effect: Outcome;
}

export interface CompiledFormula {
  name: string;
  fn: Fn;
  decl: Formula;
  stepsKey: string;
}

export interface CompiledStep {
  kind: string;
  shared: boolean;
  text: string;
  fn?: Fn;
  used?: Fn;
  when?: Cond;
}

export interface CompiledAmount {
  amount: Amount;
  memoKey: string;
  steps: CompiledStep[];
  // The index of the `total` step (per-item steps before it, the claim's after), or -1.
  totalAt: number;
}

export interface Compiled {
  product: Product;
  types: Types;
  // Each declared fact's slot.
  slotOf: Map<string, number>;
  named: Map<string, Fn>;
  rules: CompiledRule[];
  claimRules: CompiledRule[];
  // Indices into claimRules by ladder level (LEVELS order), each in source order.
  claimLevels: number[][];
  // No two claim-level rules share an id (the checker reports duplicates).
  uniqueClaimIds: boolean;
  // The list the per-item rules run over (the first `for each` list), its rules and their levels.
  itemList: string | undefined;
  itemRules: CompiledRule[];
  itemLevels: number[][];
  hasItemCover: boolean;
  hasClaimCover: boolean;
  forEachLists: string[];
  formulas: CompiledFormula[];
  amounts: CompiledAmount[];
  // What the fast path (trace: false) precomputes; see fast-plan.ts.
  fast: FastPlan;
}

// The outcome ladder, in order: the first level at which a rule fires decides, unless a rule at
// an earlier level is unknown (then the decision waits for the facts that rule needs).
export const LEVELS: readonly { kinds: readonly RuleKind[]; effect: Outcome }[] = [
  { kinds: ['constraint'], effect: 'invalid' },
  { kinds: ['eligibility', 'ineligible'], effect: 'ineligible' },
  { kinds: ['exclude'], effect: 'excluded' },
  { kinds: ['condition'], effect: 'refused' },
  { kinds: ['cover'], effect: 'covered' },
];
export const ELIGIBILITY_LEVEL = 1;
export const EXCLUSION_LEVEL = 2;
export const COVER_LEVEL = 4;

export function levelOf(kind: RuleKind): number {
  return LEVELS.findIndex((l) => l.kinds.includes(kind));
}
