// Rule conditions (json-rules-engine syntax: all / any / not / leaf) -> three-valued closures.
// A leaf records its check (text, actual, required, result) when the scope collects checks.
import type { Condition, Leaf } from '../../../dsl/ir.js';
import { exprText, leafText } from '../../../dsl/print.js';
import { comparator, equals, isNumeric, UNKNOWN, type VType } from '../operators.js';
import { cmpDec, isDec, isMoney, type Money } from '../money.js';
import { leafValue, numericValue, showText, showValue } from '../values.js';
import { factValue, Pending } from '../facts.js';
import type { ShownValue } from '../decision-types.js';
import type { Cond, Scope } from './compiled.js';
import { Unknown, isUnknown, kleene, merge2 } from './unknown.js';
import type { Compiler } from './compile.js';

// A leaf comparing a plain input fact with a literal: what its check shows whatever the facts,
// but for the actual value (the fast path builds such checks without evaluating the leaf).
export interface PlainLeaf {
  text: string;
  fact: string;
  operator: string;
  required: ShownValue;
  slot: number;
}

const LEAF_TEST: Record<string, (c: number) => boolean> = {
  lessThan: (c) => c < 0,
  lessThanInclusive: (c) => c <= 0,
  greaterThan: (c) => c > 0,
  greaterThanInclusive: (c) => c >= 0,
};

export function compileCondition(cnd: Condition, scope: string | undefined, cx: Compiler): Cond {
  if ('all' in cnd || 'any' in cnd) {
    const dominant = 'any' in cnd;
    const parts = ('all' in cnd ? cnd.all : cnd.any).map((x) => compileCondition(x, scope, cx));
    if (parts.length === 2) {
      const [f, g] = parts as [Cond, Cond];
      return (s) => {
        const a = f(s);
        if (a === dominant) return dominant;
        const b = g(s);
        if (b === dominant) return dominant;
        if (a instanceof Unknown) return b instanceof Unknown ? merge2(a, b) : a;
        return b;
      };
    }
    return (s) => kleene(dominant, parts, s);
  }
  if ('not' in cnd) {
    const inner = compileCondition(cnd.not, scope, cx);
    return (s) => {
      const v = inner(s);
      return isUnknown(v) ? v : !v;
    };
  }
  return compileLeaf(cnd, scope, cx);
}

function compileLeaf(leaf: Leaf, scope: string | undefined, cx: Compiler): Cond {
  const factType = cx.types.nameType(leaf.fact, scope) ?? UNKNOWN;
  const left = cx.ref(leaf.fact);
  const derivedText = (n: string) => {
    const d = cx.product.derived.find((x) => x.name === n);
    return d ? exprText(d.expr) : n;
  };
  const op = leaf.operator;
  const cmpType = factType.kind === 'symbol' ? UNKNOWN : factType;
  const test = leafTest(op, cmpType);
  const v = leaf.value;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    // Another named value on the right.
    const text = leafText(leaf, derivedText);
    const right = cx.ref(v.fact);
    return (s) => {
      const a = left(s);
      const b = right(s);
      const result = a instanceof Unknown || b instanceof Unknown ? merge2(a, b) : test(a, b);
      if (s.checks) record(s, text, leaf.fact, op, shownOf(a), shownOf(b), result);
      return result;
    };
  }
  // A literal on the right (the usual case): a test of one value, specialised by type.
  const literal = leafValue(v, factType.kind === 'list' ? factType.of : factType);
  const required = showValue(literal);
  // Show literals as people write them (3 months, 9,000万円), not as the JSON leaf stores them.
  const text =
    Array.isArray(v) || typeof v === 'boolean'
      ? leafText(leaf, derivedText)
      : leafText({ ...leaf, value: showText(required) }, derivedText);
  const test1 = literalTest(op, cmpType, literal) ?? ((a: unknown) => test(a, literal));
  const slot = cx.plainSlot(leaf.fact);
  if (slot !== undefined) {
    // Read straight from the slot, and show the fact's value once per decision (see Scope.shown).
    const missing = new Unknown([leaf.fact]);
    cx.plainLeaves.set(leaf, { text, fact: leaf.fact, operator: op, required, slot });
    return (s) => {
      let a = s.slots[slot];
      if (a instanceof Pending) a = factValue(s.slots, slot);
      const result = a === undefined ? missing : test1(a);
      if (s.checks)
        record(s, text, leaf.fact, op, a === undefined ? null : (s.shown[slot] ??= showValue(a)), required, result);
      return result;
    };
  }
  return (s) => {
    const a = left(s);
    const result = a instanceof Unknown ? a : test1(a);
    if (s.checks) record(s, text, leaf.fact, op, shownOf(a), required, result);
    return result;
  };
}

// A leaf's check, in the scope that collects them (s.checks set).
function record(
  s: Scope,
  text: string,
  fact: string,
  operator: string,
  actual: ShownValue,
  required: ShownValue,
  result: boolean | Unknown,
): void {
  s.checks!.push({
    part: s.part,
    text,
    fact,
    operator,
    actual,
    required,
    result: result instanceof Unknown ? null : result,
  });
}

function shownOf(v: unknown): ShownValue {
  return v instanceof Unknown ? null : showValue(v);
}

function leafTest(op: string, t: VType): (a: unknown, b: unknown) => boolean {
  if (op === 'equal' || op === 'notEqual') {
    const eq = equals(t);
    return op === 'equal' ? eq : (a, b) => !eq(a, b);
  }
  if (op === 'in' || op === 'notIn') {
    const eq = equals(t);
    return (a, b) => (b as unknown[]).some((x) => eq(a, x)) === (op === 'in');
  }
  if (op === 'contains' || op === 'doesNotContain') {
    const eq = equals(t.kind === 'list' ? t.of : t);
    return (a, b) => (a as unknown[]).some((x) => eq(x, b)) === (op === 'contains');
  }
  const cmp = comparator(t);
  const sign = LEAF_TEST[op];
  if (!sign) throw new Error(`operator ${op} is not supported`);
  return (a, b) => sign(cmp(a, b));
}

// A leaf's test against its literal, for the common types; undefined: use the generic test.
function literalTest(op: string, t: VType, literal: unknown): ((a: unknown) => boolean) | undefined {
  const identity = t.kind === 'enum' || t.kind === 'boolean' || t.kind === 'text' || t.kind === 'date';
  if (identity && (op === 'equal' || op === 'notEqual'))
    return op === 'equal' ? (a) => a === literal : (a) => a !== literal;
  if (identity && (op === 'in' || op === 'notIn') && Array.isArray(literal)) {
    const xs = literal as unknown[];
    return op === 'in' ? (a) => xs.includes(a) : (a) => !xs.includes(a);
  }
  if (!LEAF_TEST[op]) return undefined;
  if (t.kind === 'money' && isMoney(literal)) {
    const x = literal.amount;
    switch (op) {
      case 'lessThan':
        return (a) => cmpDec((a as Money).amount, x) < 0;
      case 'lessThanInclusive':
        return (a) => cmpDec((a as Money).amount, x) <= 0;
      case 'greaterThan':
        return (a) => cmpDec((a as Money).amount, x) > 0;
      case 'greaterThanInclusive':
        return (a) => cmpDec((a as Money).amount, x) >= 0;
    }
  }
  if (isNumeric(t) && isDec(literal)) {
    const x = literal;
    switch (op) {
      case 'lessThan':
        return (a) => cmpDec(numericValue(a), x) < 0;
      case 'lessThanInclusive':
        return (a) => cmpDec(numericValue(a), x) <= 0;
      case 'greaterThan':
        return (a) => cmpDec(numericValue(a), x) > 0;
      case 'greaterThanInclusive':
        return (a) => cmpDec(numericValue(a), x) >= 0;
    }
  }
  return undefined;
}
