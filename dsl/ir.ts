// The product model: what a `.yk` file lowers to and what `yakkan compile` prints as JSON.
// It is plain JSON (validated by schemas/product.schema.json), so a product written directly
// as JSON loads the same way. Rule conditions use json-rules-engine's condition syntax.

export const PRODUCT_SCHEMA_ID = 'yakkan/product@1';

// A product with nothing declared: what a file that does not parse, or does not load, models.
export function emptyProduct(id: string): Product {
  return {
    schema: PRODUCT_SCHEMA_ID,
    id,
    name: {},
    revision: '',
    inForce: {},
    currency: 'JPY',
    source: '',
    facts: [],
    formulas: [],
    tables: [],
    rules: [],
    amounts: [],
    derived: [],
  };
}

export type DurationUnit = 'days' | 'months' | 'years';
export type RoundingMode = 'down' | 'up' | 'half-up' | 'half-even' | 'half-down';

export type TypeRef =
  | { kind: 'boolean' }
  // Counts, numbers, rates and amounts are never negative in facts, unless declared `signed`.
  | { kind: 'integer'; signed?: true }
  | { kind: 'decimal'; signed?: true }
  | { kind: 'rate'; signed?: true }
  | { kind: 'money'; currency: string; signed?: true }
  | { kind: 'date' }
  // A time of day, HH:MM on a 24-hour clock (保険期間は午後4時に始まる).
  | { kind: 'time' }
  | { kind: 'duration'; unit: DurationUnit }
  // labels: the pamphlet's words for some or all values (political -> 非常危険), for explanations.
  | { kind: 'enum'; values: string[]; labels?: Record<string, string> }
  | { kind: 'text' }
  | { kind: 'list'; of: TypeRef }
  | { kind: 'record'; fields: FieldDecl[] };

export interface FieldDecl {
  name: string;
  type: TypeRef;
  label?: string;
  default?: Literal;
  oneOf?: Literal[];
}

export interface Citation {
  source: string;
  section: string;
  quote: string;
}

export type Literal =
  | { type: 'boolean'; value: boolean }
  | { type: 'number'; value: string }
  | { type: 'rate'; value: string }
  | { type: 'fraction'; num: string; den: string }
  | { type: 'money'; amount: string; currency: string }
  | { type: 'date'; value: string }
  | { type: 'time'; value: string }
  | { type: 'duration'; value: number; unit: DurationUnit }
  | { type: 'symbol'; value: string }
  | { type: 'text'; value: string };

export type OpName =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'neg'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'in'
  | 'notIn'
  | 'and'
  | 'or'
  | 'not'
  | 'if';

export type Expr =
  | { lit: Literal }
  | { ref: string }
  | { op: OpName; args: Expr[] }
  | { call: string; args: Expr[]; mode?: RoundingMode };

// json-rules-engine condition syntax. A leaf compares a fact (an input fact path, a formula,
// a table output, or a hoisted derived value) with a literal or with another fact.
export type LeafValue = string | boolean | number | string[] | { fact: string };
export interface Leaf {
  fact: string;
  operator: string;
  value: LeafValue;
}
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Leaf;

export type RuleKind = 'eligibility' | 'ineligible' | 'cover' | 'exclude' | 'condition' | 'constraint';

export interface Rule {
  id: string;
  kind: RuleKind;
  label?: string;
  cite: Citation[];
  note?: string;
  forEach?: string;
  when?: Condition;
  unless?: Condition;
  require?: Condition;
}

export interface Formula {
  name: string;
  label?: string;
  kind: 'formula' | 'define';
  expr: Expr;
  cite: Citation[];
  note?: string;
}

// A value computed for a condition operand that is not a plain fact (e.g. `loss.known_date + 45 days`).
export interface Derived {
  name: string;
  expr: Expr;
  forEach?: string;
}

export type Cell =
  | { any: true }
  | { in: Literal[] }
  | { cmp: 'lt' | 'le' | 'gt' | 'ge' | 'eq'; value: Literal }
  | { range: [Literal, Literal] };

export interface TableRow {
  cells: Cell[];
  outputs: Literal[];
  cite?: Citation[];
}

export interface Table {
  name: string;
  label?: string;
  hit: 'unique' | 'first';
  inputs: Expr[];
  outputs: FieldDecl[];
  rows: TableRow[];
  otherwise?: Literal[];
  cite: Citation[];
  note?: string;
}

export type StepKind =
  | 'start'
  | 'add'
  | 'subtract'
  | 'deductible'
  | 'coinsurance'
  | 'multiply'
  | 'limit'
  | 'aggregate'
  | 'floor'
  | 'round'
  | 'total';

export interface Step {
  step: StepKind;
  // A shared limit or deductible is one budget for all items, used up in list order.
  shared?: boolean;
  expr?: Expr;
  used?: Expr;
  mode?: RoundingMode;
  when?: Condition;
  cite?: Citation[];
}

export interface Amount {
  name: string;
  label?: string;
  currency: string;
  payable: boolean;
  forEach?: string;
  steps: Step[];
  cite: Citation[];
  note?: string;
}

export interface Product {
  schema: typeof PRODUCT_SCHEMA_ID;
  id: string;
  name: { ja?: string; en?: string };
  revision: string;
  // What a Japanese reader calls this edition where the id is not a date (`revision "seed-003" "…版"`).
  revisionLabel?: string;
  inForce: { from?: string; until?: string };
  chosenBy?: string;
  currency: string;
  source: string;
  // Set when the edition's own pamphlet is not in the seeds: how it was reconstructed, and from what.
  reconstructed?: string;
  facts: FieldDecl[];
  formulas: Formula[];
  tables: Table[];
  rules: Rule[];
  amounts: Amount[];
  derived: Derived[];
}
