// Model -> DSL text, for traces, explanations and the formatter. One printer, so what an
// underwriter reads in an explanation is what a product manager writes.
import type { Condition, Expr, Leaf, LeafValue } from './ir.js';
import { literalText } from './literals.js';

const INFIX: Record<string, [string, number]> = {
  or: ['or', 1],
  and: ['and', 2],
  eq: ['=', 4],
  ne: ['≠', 4],
  lt: ['<', 4],
  le: ['≤', 4],
  gt: ['>', 4],
  ge: ['≥', 4],
  add: ['+', 5],
  sub: ['-', 5],
  mul: ['×', 6],
  div: ['÷', 6],
};

export function exprText(e: Expr, parentPrec = 0): string {
  // A JSON product can hold a malformed expression; its diagnostics must still print.
  if (e === null || typeof e !== 'object') return '?';
  if ('lit' in e) return literalText(e.lit);
  if ('ref' in e) return e.ref;
  if ('call' in e) {
    const args = e.args.map((a) => exprText(a));
    if (e.call === 'round') return `round(${args[0]}, ${e.mode}, ${args[1]})`;
    return `${e.call}(${args.join(', ')})`;
  }
  const { op } = e;
  const args = Array.isArray(e.args) ? e.args : [];
  if (op === 'not') return wrap(`not ${exprText(args[0]!, 3)}`, 3, parentPrec);
  if (op === 'neg') return `-${exprText(args[0]!, 7)}`;
  if (op === 'if')
    return wrap(`if ${exprText(args[0]!)} then ${exprText(args[1]!)} else ${exprText(args[2]!)}`, 0, parentPrec);
  if (op === 'in' || op === 'notIn') {
    const [s, ...m] = args;
    return wrap(
      `${exprText(s!, 5)} ${op === 'in' ? 'in' : 'not in'} (${m.map((x) => exprText(x)).join(', ')})`,
      4,
      parentPrec,
    );
  }
  const infix = INFIX[op];
  if (!infix) return `${op}(${args.map((x) => exprText(x)).join(', ')})`;
  const [sym, prec] = infix;
  // Left-associative: the right operand needs parentheses at equal precedence.
  return wrap(`${exprText(args[0]!, prec)} ${sym} ${exprText(args[1]!, prec + 1)}`, prec, parentPrec);
}

function wrap(s: string, prec: number, parentPrec: number): string {
  return prec < parentPrec ? `(${s})` : s;
}

export const OPERATOR_SYMBOL: Record<string, string> = {
  equal: '=',
  notEqual: '≠',
  lessThan: '<',
  lessThanInclusive: '≤',
  greaterThan: '>',
  greaterThanInclusive: '≥',
  in: 'in',
  notIn: 'not in',
  contains: 'contains',
  doesNotContain: 'does not contain',
};

export function leafValueText(v: LeafValue, derivedText: (name: string) => string): string {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return derivedText(v.fact);
  if (Array.isArray(v)) return `(${v.join(', ')})`;
  return String(v);
}

export function leafText(l: Leaf, derivedText: (name: string) => string): string {
  const fact = derivedText(l.fact);
  if (l.operator === 'equal' && l.value === true) return fact;
  if (l.operator === 'equal' && l.value === false) return `not ${fact}`;
  return `${fact} ${OPERATOR_SYMBOL[l.operator] ?? l.operator} ${leafValueText(l.value, derivedText)}`;
}

export function conditionText(c: Condition, derivedText: (name: string) => string, parentPrec = 0): string {
  if ('all' in c) return wrap(c.all.map((x) => conditionText(x, derivedText, 3)).join(' and '), 2, parentPrec);
  if ('any' in c) return wrap(c.any.map((x) => conditionText(x, derivedText, 2)).join(' or '), 1, parentPrec);
  if ('not' in c) return `not ${conditionText(c.not, derivedText, 3)}`;
  return leafText(c, derivedText);
}
