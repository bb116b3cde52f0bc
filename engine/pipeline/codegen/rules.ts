// Claim rules compiled to JavaScript: one small function per plain rule (a rule that reads only
// input facts, see evaluate/fast-plan.ts), generated from its conditions and built once per
// compiled product with new Function. Each returns the rule's truth value as a number: 0 false,
// 1 true (it takes effect), 2 unknown. Unknown gives no facts: the caller asks the rule's closure
// (evaluate/outcome.ts evalRule) for the exact Unknown, which is rare (facts are missing) and
// safe (a plain rule has no side effects).
//
// The same three-valued logic as the closures (evaluate/conditions.ts, outcome.ts evalRule), so
// the same truth value: and/or short-circuit Kleene, `when` false decides at once, a requirement
// fires when violated, `unless` is read only when it can matter. Leaves compare in exact scaled
// integers (exact.ts) while the values fit, else through the product's own comparator in
// decimal.js. A leaf of a shape not generated here leaves its rule to the closures.
import type { Condition, Leaf } from '../../../dsl/ir.js';
import { Duration, decText, isMoney, isDec, type Dec } from '../money.js';
import { comparator, isNumeric, type VType } from '../operators.js';
import { leafValue } from '../values.js';
import { factValue, Pending } from '../facts.js';
import type { Compiled } from '../evaluate/compiled.js';
import * as X from './exact.js';

// slots: the decision's facts; exact: per slot, the fact's value as an exact integer at its
// scale (see Gen.scale), filled on first use (NaN: not exact, the comparators decide).
export type RuleFn = (slots: unknown[], exact: (number | undefined)[]) => number;

export interface GeneratedRules {
  // Per claim rule: its function, or undefined (evaluated by its closures).
  fns: (RuleFn | undefined)[];
  // The rules they were generated for: a caller that swaps a rule's closures gets no function.
  for: readonly unknown[];
  // The generated source, for reading and for the tests.
  source: string;
}

// What generated code calls: kept small and monomorphic.
const HELPERS = {
  // A value as an exact integer at the given scale (value × 10^scale), or NaN.
  at(v: unknown, scale: number): number {
    if (v === undefined || !scaled(v) || X.S > scale) return Number.NaN;
    const m = X.M * 10 ** (scale - X.S);
    return m > Number.MAX_SAFE_INTEGER || m < -Number.MAX_SAFE_INTEGER ? Number.NaN : m;
  },
};

function scaled(v: unknown): boolean {
  if (v instanceof Pending) {
    const raw = v.raw;
    return typeof raw === 'number' ? X.fromInteger(raw) : X.parseScaled(raw);
  }
  if (isMoney(v)) return X.parseScaled(decText(v.amount));
  if (isDec(v)) return X.parseScaled(decText(v));
  return false;
}

const cache = new WeakMap<object, GeneratedRules>();

// The generated rules of a compiled product (built on first use, then cached with it).
export function generatedRules(c: Compiled): GeneratedRules {
  let g = cache.get(c.fast);
  if (!g) {
    g = generate(c);
    cache.set(c.fast, g);
  }
  return g;
}

class Unsupported extends Error {}

interface Gen {
  c: Compiled;
  // Values the generated code reads by index: literals and fallback comparisons.
  consts: unknown[];
  vars: number;
  // Per money or number fact, the scale its exact integers are written at: the most decimals of
  // any literal it is compared with (facts compared with each other share a scale).
  scale: Map<number, number>;
}

function generate(c: Compiled): GeneratedRules {
  const g: Gen = { c, consts: [], vars: 0, scale: scales(c) };
  const bodies: (string | undefined)[] = c.claimRules.map((cr, i) => {
    if (c.fast.factsOf[i] === undefined) return undefined;
    g.vars = 0;
    try {
      return ruleBody(g, cr.rule, cr.requires);
    } catch (e) {
      if (e instanceof Unsupported) return undefined;
      throw e;
    }
  });
  const names = bodies.map((b, i) => (b === undefined ? 'undefined' : `r${i}`));
  const source = [
    '"use strict";',
    'const { at } = H;',
    ...bodies.flatMap((b, i) => (b === undefined ? [] : [`function r${i}(S, N) {\n${b}\n}`])),
    `return [${names.join(', ')}];`,
  ].join('\n');
  const fns = new Function('H', 'K', source)(HELPERS, g.consts) as (RuleFn | undefined)[];
  return { fns, for: c.claimRules, source };
}

// evalRule (evaluate/outcome.ts) in three values: when, then the requirement, then unless.
function ruleBody(g: Gen, r: { when?: Condition; unless?: Condition; require?: Condition }, requires: boolean): string {
  const out: string[] = ['let x, y, n, m, e;'];
  const w = r.when ? cond(g, r.when, out) : '1';
  if (r.when) out.push(`if (${w} === 0) return 0;`);
  let violated = '1';
  if (requires) {
    if (!r.require) return 'return 0;';
    const q = cond(g, r.require, out);
    violated = fresh(g);
    out.push(`const ${violated} = ${q} === 2 ? 2 : 1 - ${q};`);
  }
  let notUnless = '1';
  if (r.unless) {
    notUnless = fresh(g);
    const inner: string[] = [];
    const u = cond(g, r.unless, inner);
    out.push(
      `let ${notUnless} = 1;`,
      `if (${violated} !== 0) {`,
      ...inner,
      `${notUnless} = ${u} === 2 ? 2 : 1 - ${u};`,
      '}',
    );
  }
  out.push(`if (${violated} === 0 || ${notUnless} === 0) return 0;`);
  out.push(`return ${w} === 2 || ${violated} === 2 || ${notUnless} === 2 ? 2 : 1;`);
  return out.map((l) => `  ${l}`).join('\n');
}

function fresh(g: Gen): string {
  return `t${g.vars++}`;
}

// Statements appended to out; returns the variable (or constant) holding the truth value.
function cond(g: Gen, c: Condition, out: string[]): string {
  if ('all' in c || 'any' in c) {
    const parts = 'all' in c ? c.all : c.any;
    const dominant = 'any' in c ? 1 : 0;
    const v = fresh(g);
    const label = `L${v}`;
    out.push(`let ${v} = ${1 - dominant};`, `${label}: {`);
    for (const p of parts) {
      const x = cond(g, p, out);
      out.push(`if (${x} === ${dominant}) { ${v} = ${dominant}; break ${label}; }`, `if (${x} === 2) ${v} = 2;`);
    }
    out.push('}');
    return v;
  }
  if ('not' in c) {
    const x = cond(g, c.not, out);
    const v = fresh(g);
    out.push(`const ${v} = ${x} === 2 ? 2 : 1 - ${x};`);
    return v;
  }
  const v = fresh(g);
  out.push(`const ${v} = ${leaf(g, c)};`);
  return v;
}

const ORDER: Record<string, string> = {
  lessThan: '<',
  lessThanInclusive: '<=',
  greaterThan: '>',
  greaterThanInclusive: '>=',
};

function konst(g: Gen, x: unknown): string {
  g.consts.push(x);
  return `K[${g.consts.length - 1}]`;
}

// A leaf as one expression: 2 when its fact is missing, else 1 or 0.
function leaf(g: Gen, l: Leaf): string {
  const c = g.c;
  const slot = c.slotOf.get(l.fact);
  const t = c.types.nameType(l.fact) as VType | undefined;
  if (slot === undefined || !t) throw new Unsupported();
  const a = `S[${slot}]`;
  const op = l.operator;
  const cmpOp = ORDER[op];
  const identity =
    t.kind === 'enum' || t.kind === 'boolean' || t.kind === 'text' || t.kind === 'date' || t.kind === 'time';
  const v = l.value;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    // Two facts.
    const slotB = c.slotOf.get(v.fact);
    if (slotB === undefined) throw new Unsupported();
    const b = `S[${slotB}]`;
    const test = (x: string, y: string) => {
      if (identity && op === 'equal') return `${x} === ${y}`;
      if (identity && op === 'notEqual') return `${x} !== ${y}`;
      if ((t.kind === 'date' || t.kind === 'time' || t.kind === 'text') && cmpOp) return `${x} ${cmpOp} ${y}`;
      if ((t.kind === 'money' || isNumeric(t)) && (cmpOp || op === 'equal' || op === 'notEqual')) {
        const slow = konst(g, (s: unknown[]) => comparator(t)(factValue(s, slot), factValue(s, slotB)));
        const o = cmpOp ?? (op === 'equal' ? '===' : '!==');
        return `((n = ${exact(g, slot)}) === n && (m = ${exact(g, slotB)}) === m ? n ${o} m : ${slow}(S) ${o} 0)`;
      }
      throw new Unsupported();
    };
    return `((x = ${a}) === undefined || (y = ${b}) === undefined ? 2 : ${test('x', 'y')} ? 1 : 0)`;
  }
  const literal = leafValue(v, t);
  let test: string;
  if (identity && (op === 'equal' || op === 'notEqual')) {
    test = `x ${op === 'equal' ? '===' : '!=='} ${JSON.stringify(literal)}`;
  } else if (identity && (op === 'in' || op === 'notIn') && Array.isArray(literal)) {
    const any = literal.length ? literal.map((x) => `x === ${JSON.stringify(x)}`).join(' || ') : 'false';
    test = op === 'in' ? `(${any})` : `!(${any})`;
  } else if ((t.kind === 'date' || t.kind === 'time' || t.kind === 'text') && cmpOp && typeof literal === 'string') {
    test = `x ${cmpOp} ${JSON.stringify(literal)}`;
  } else if (t.kind === 'duration' && literal instanceof Duration && (cmpOp || op === 'equal' || op === 'notEqual')) {
    const o = cmpOp ?? (op === 'equal' ? '===' : '!==');
    test = `x.n ${o} ${literal.n}`;
  } else if ((t.kind === 'money' || isNumeric(t)) && (cmpOp || op === 'equal' || op === 'notEqual')) {
    const d: Dec | undefined = isMoney(literal) ? literal.amount : isDec(literal) ? literal : undefined;
    if (d === undefined || !X.parseScaled(decText(d))) throw new Unsupported();
    const scale = g.scale.get(slot)!;
    const lit = X.M * 10 ** (scale - X.S);
    if (!Number.isSafeInteger(lit)) throw new Unsupported();
    const cmp = comparator(t);
    const slow = konst(g, (s: unknown[]) => cmp(factValue(s, slot), literal));
    const o = cmpOp ?? (op === 'equal' ? '===' : '!==');
    test = `((n = ${exact(g, slot)}) === n ? n ${o} ${lit} : ${slow}(S) ${o} 0)`;
  } else throw new Unsupported();
  return `((x = ${a}) === undefined ? 2 : ${test} ? 1 : 0)`;
}

// The exact integer of slot k, computed once per decision.
function exact(g: Gen, k: number): string {
  return `((e = N[${k}]) === undefined ? (N[${k}] = at(S[${k}], ${g.scale.get(k) ?? 0})) : e)`;
}

// The scale of each money or number fact: the most decimals of a literal it meets, shared by
// facts compared with each other (at most 6, so that amounts up to 10^9 stay exact).
function scales(c: Compiled): Map<number, number> {
  const parent = new Map<number, number>();
  const find = (k: number): number => {
    let p = parent.get(k) ?? k;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p)!;
    return p;
  };
  const need = new Map<number, number>();
  const visit = (cnd: Condition | undefined): void => {
    if (!cnd) return;
    if ('all' in cnd) cnd.all.forEach(visit);
    else if ('any' in cnd) cnd.any.forEach(visit);
    else if ('not' in cnd) visit(cnd.not);
    else {
      const a = c.slotOf.get(cnd.fact);
      const t = c.types.nameType(cnd.fact) as VType | undefined;
      if (a === undefined || !t || !(t.kind === 'money' || isNumeric(t))) return;
      const v = cnd.value;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const b = c.slotOf.get(v.fact);
        if (b !== undefined) parent.set(find(a), find(b));
        return;
      }
      const lit = leafValue(v, t);
      const d = isMoney(lit) ? lit.amount : isDec(lit) ? lit : undefined;
      if (d && X.parseScaled(decText(d))) need.set(a, Math.max(need.get(a) ?? 0, X.S));
    }
  };
  c.claimRules.forEach((cr, i) => {
    if (c.fast.factsOf[i] !== undefined) [cr.rule.when, cr.rule.unless, cr.rule.require].forEach(visit);
  });
  const byRoot = new Map<number, number>();
  for (const [k, s] of need) byRoot.set(find(k), Math.max(byRoot.get(find(k)) ?? 0, s));
  const out = new Map<number, number>();
  for (let k = 0; k < c.product.facts.length; k++) out.set(k, Math.min(6, byRoot.get(find(k)) ?? 0));
  return out;
}
