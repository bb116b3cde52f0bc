// Claim rules compiled to JavaScript: the plain rules (rules that read only input facts, see
// evaluate/fast-plan.ts), generated from their conditions and built once per compiled product
// with new Function, 32 to a function (one word of the plan's bitsets: a call per rule cost more
// than the rule when a product has hundreds, and a function per rule seldom runs often enough for
// V8 to optimise it). Truth values are numbers: 0 false, 1 true (it takes effect), 2 unknown.
// Unknown gives no facts: the caller asks the rule's closure (evaluate/outcome.ts evalRule) for
// the exact Unknown, which is rare (facts are missing) and safe (a plain rule has no side effects).
//
// Two versions: in two values, for a decision in which every fact a plain rule reads is present
// (the usual case; enums compared as their value's position, amounts as exact integers, read once
// per word), built with the product; in three values, for the rest, built on first use. The same
// for the check builders, which record the checks the closures record with s.checks set.
//
// The same logic as the closures (evaluate/conditions.ts, outcome.ts evalRule), so the same truth
// value: and/or short-circuit Kleene, `when` false decides at once, a requirement fires when
// violated, `unless` is read only when it can matter. Leaves compare in exact scaled integers
// (exact.ts) while the values fit, else through the product's own comparator in decimal.js. A
// leaf of a shape not generated here leaves its rule to the closures.
//
// Per-item rules (those with `for each`) are generated too, a function per rule called once per
// element of the list (built on first use): their leaves read the element's fields from its
// record, already converted by the reader, and compare amounts through the product's comparator;
// a result of 2 sends the rule on that element to its closures (evaluate/fast-items.ts).
import type { Condition, Leaf } from '../../../dsl/ir.js';
import { Duration, decText, isMoney, isDec, type Dec } from '../money.js';
import { comparator, isNumeric, UNKNOWN, type VType } from '../operators.js';
import { factValue, Pending } from '../facts.js';
import type { Compiled, Scope } from '../evaluate/compiled.js';
import type { Check } from '../decision-types.js';
import { shownSlot } from '../evaluate/shown.js';
import { exprText, leafText } from '../../../dsl/print.js';
import { leafValue, showText, showValue } from '../values.js';
import * as X from './exact.js';

// slots: the decision's facts; exact: per slot, the fact's value as an exact integer at its
// scale (see Gen.scale), filled on first use (NaN: not exact, the comparators decide).
export type RuleFn = (slots: unknown[], exact: (number | undefined)[]) => number;

// The plain rules of one 32-bit word of the fast plan's bitsets (fast-plan.ts bitOf), in one
// function: a call per rule costs more than the rule itself when a product has hundreds. Only
// the rules whose bit is set in `todo` are evaluated; returns the bits of those that fired and
// leaves in unknown[0] the bits of those unknown or not generated (the caller asks their
// closures, which give the exact Unknown).
export type WordFn = (slots: unknown[], exact: (number | undefined)[], todo: number, unknown: Int32Array) => number;

export type BoolWordFn = (
  slots: unknown[],
  exact: (number | undefined)[],
  todo: number,
  codes: readonly number[],
) => number;

// A rule evaluated as the closures evaluate it with s.checks set (evalWithChecks): the same
// truth value (0, 1, 2), and the checks the closures record, in the same order, pushed on checks.
export type ChecksFn = (slots: unknown[], exact: (number | undefined)[], checks: Check[], s: Scope) => number;

// A per-item rule on one element of its list (item: the element's record): 3 when its `when` is
// false for the item (it does not apply), else 0 not fired, 1 fired, 2 unknown (the caller asks
// the closures, which give the exact Unknown).
export type ItemRuleFn = (slots: unknown[], exact: (number | undefined)[], item: Record<string, unknown>) => number;
export const ITEM_NOT_APPLIES = 3;

export interface GeneratedRules {
  // Per item rule (Compiled.itemRules): its function, or undefined (evaluated by its closures).
  items: (ItemRuleFn | undefined)[];
  // The item rules they were generated for.
  forItems: readonly unknown[];
  // Per claim rule: its function, or undefined (evaluated by its closures).
  fns: (RuleFn | undefined)[];
  // Per word of the plan's bitsets.
  words: WordFn[];
  // The same in two values, for a decision in which every fact a plain rule reads is present
  // (no leaf can be unknown): returns the bits of the rules in `todo` that fired, but for those
  // in closures[word], which the caller asks the closures.
  bools: BoolWordFn[];
  closures: Int32Array;
  // Per slot, an enum fact's value as its position among the enum's values (-2: not one of them),
  // what the two-valued words compare; once per decision.
  prep: (slots: unknown[]) => number[];
  // Per word, the check builders of its rules: (slots, exact, checks, s, bit in the word).
  checkWords: ((slots: unknown[], exact: (number | undefined)[], checks: Check[], s: Scope, j: number) => number)[];
  // The same in two values, for a decision with every fact a plain rule reads present; codes
  // from prep. 2: not generated (the caller uses checkWords).
  checkBools: ((
    slots: unknown[],
    exact: (number | undefined)[],
    checks: Check[],
    s: Scope,
    j: number,
    codes: readonly number[],
  ) => number)[];
  // Per claim rule: its check builder, or undefined.
  checks: (ChecksFn | undefined)[];
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
    if (m > Number.MAX_SAFE_INTEGER || m < -Number.MAX_SAFE_INTEGER) return Number.NaN;
    // A small integer in every tier: the words that read it are optimised for small integers, and
    // when a full GC drops this function's optimised code, the interpreter's boxed 2420000.0
    // would deoptimise every one of them (then recompiled at ~0.5 s of TurboFan each).
    return (m | 0) === m ? m | 0 : m;
  },
  sh: shownSlot,
  // One check as conditions.ts record writes it (the same keys in the same order). A call, not an
  // object literal in the generated code: one allocation site and shape for every check, and a
  // check builder of 32 rules a third of the source (at ~65 KB, TurboFan took ~0.5 s over each).
  ck(
    C: Check[],
    d: CheckText,
    S: unknown[],
    Cp: Compiled,
    s: Scope,
    slot: number,
    required: unknown,
    result: boolean | null,
  ): void {
    const actual = S[slot] === undefined ? null : shownSlot(Cp, s, slot);
    C.push({ part: d.part, text: d.text, fact: d.fact, operator: d.operator, actual, required, result } as Check);
  },
};

// What a generated check says of its leaf, known when the code is generated.
interface CheckText {
  part: string;
  text: string;
  fact: string;
  operator: string;
}

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
  // Set while generating a check builder: the part (when, require, unless) each leaf records.
  part: string | undefined;
  // Set while generating a two-valued word: the facts its leaves read from locals, and how.
  used: Map<number, 'enum' | 'num' | 'raw'> | undefined;
  enumCodes: Map<number, number>;
}

type Exit = (v: string) => string;
const RETURN: Exit = (v) => `return ${v};`;

function generate(c: Compiled): GeneratedRules {
  const g: Gen = { c, consts: [], vars: 0, scale: scales(c), part: undefined, used: undefined, enumCodes: new Map() };
  const attempt = (f: () => string[]): string[] | undefined => {
    g.vars = 0;
    try {
      return f();
    } catch (e) {
      if (e instanceof Unsupported) return undefined;
      throw e;
    }
  };
  const plan = c.fast;
  const sources: string[] = [];
  // Each part is its own script over the same constants (K grows as parts are generated).
  const made = <T>(source: string): T => {
    sources.push(source);
    return new Function('H', 'K', 'Cp', `"use strict";\nconst { at, sh, ck } = H;\n${source}`)(
      HELPERS,
      g.consts,
      c,
    ) as T;
  };
  // The rules of word w, by bit: [j, claim index].
  const wordRules = (w: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let j = 0; j < 32 && (w << 5) + j < plan.ruleAt.length; j++) out.push([j, plan.ruleAt[(w << 5) + j]!]);
    return out;
  };
  const wordIndexes = Array.from({ length: plan.words }, (_, w) => w);
  // Per enum fact, its values' positions (a Map in K): a leaf on it compares small integers.
  const enumCodes = new Map<number, number>();
  c.product.facts.forEach((f, k) => {
    if (f.type.kind === 'enum') enumCodes.set(k, g.consts.push(new Map(f.type.values.map((v, i) => [v, i]))) - 1);
  });
  g.enumCodes = enumCodes;

  // Built now: what a decision with every fact a plain rule reads present runs, in two values.
  const closureMask = new Int32Array(plan.words);
  const bools = wordIndexes.map((w) => {
    g.used = new Map();
    const two: string[] = [];
    let closures = 0;
    for (const [j, i] of wordRules(w)) {
      const cr = c.claimRules[i]!;
      const b = String(1 << j);
      const e = attempt(() => [ruleBool(g, cr.rule, cr.requires)]);
      if (e === undefined) closures |= 1 << j;
      else two.push(`if ((k & ${b}) !== 0 && ${e[0]}) f |= ${b};`);
    }
    closureMask[w] = closures;
    const body = ['let x, y, n, m, e, f = 0;', ...localsOf(g), ...two, 'return f;'];
    g.used = undefined;
    return `function b${w}(S, N, k, V) {\n${body.map((l) => `  ${l}`).join('\n')}\n}`;
  });
  // Check builders 32 to a function too, by bit: a product's reasons come from a few of its rules
  // each time, and a function per rule would rarely run often enough for V8 to optimise it (tried:
  // per-rule builders behind a dispatcher compiled 6× as often and ran the mixed 1,000-rule
  // product ~30% slower).
  const checkBools = wordIndexes.map((w) => {
    g.used = new Map();
    const two: string[] = [];
    for (const [j, i] of wordRules(w)) {
      const cr = c.claimRules[i]!;
      const b = attempt(() => ruleChecksBool(g, cr.rule, cr.requires));
      if (b !== undefined) two.push(`  case ${j}: {`, ...b.map((l) => `    ${l}`), '  }');
    }
    const out = [`function q${w}(S, N, C, s, j, V) {`, '  let x, y, n, m, e;', ...localsOf(g).map((l) => `  ${l}`)];
    out.push('  switch (j) {', ...two, '  }', '  return 2;', '}');
    g.used = undefined;
    return out.join('\n');
  });
  const prep = `function prep(S) {\n  return [${c.product.facts.map((_, k) => (enumCodes.has(k) ? `K[${enumCodes.get(k)}].get(S[${k}]) ?? -2` : '0')).join(', ')}];\n}`;
  const eager = made<Pick<GeneratedRules, 'bools' | 'checkBools' | 'prep'>>(
    [
      ...bools,
      ...checkBools,
      prep,
      `return { bools: [${bools.map((_, w) => `b${w}`).join(', ')}], checkBools: [${checkBools.map((_, w) => `q${w}`).join(', ')}], prep };`,
    ].join('\n'),
  );

  // Built when first asked for: the three-valued code, for decisions missing facts (rare), and
  // the per-rule functions (the tests').
  let words: WordFn[] | undefined;
  let checkWords: GeneratedRules['checkWords'] | undefined;
  let fns: (RuleFn | undefined)[] | undefined;
  let checks: (ChecksFn | undefined)[] | undefined;
  let items: (ItemRuleFn | undefined)[] | undefined;
  const out: GeneratedRules = {
    ...eager,
    closures: closureMask,
    for: c.claimRules,
    forItems: c.itemRules,
    // Built on first use: most products have no lists.
    get items() {
      if (items === undefined) {
        const bodies = c.itemRules.map((cr) =>
          attempt(() => ruleBody(g, cr.rule, cr.requires, RETURN, false, String(ITEM_NOT_APPLIES))),
        );
        items = made<(ItemRuleFn | undefined)[]>(
          [
            ...bodies.flatMap((b, i) =>
              b === undefined ? [] : [`function i${i}(S, N, I) {\n${b.map((l) => `  ${l}`).join('\n')}\n}`],
            ),
            `return [${bodies.map((b, i) => (b === undefined ? 'undefined' : `i${i}`)).join(', ')}];`,
          ].join('\n'),
        );
      }
      return items;
    },
    get words() {
      words ??= made<WordFn[]>(
        wordIndexes
          .map((w) => {
            const body = ['let x, y, n, m, e, r, f = 0, u = 0;'];
            for (const [j, i] of wordRules(w)) {
              const b = String(1 << j);
              const cr = c.claimRules[i]!;
              const rule = attempt(() => ruleBody(g, cr.rule, cr.requires, (v) => `{ r = ${v}; break R${j}; }`));
              if (rule === undefined) body.push(`if ((k & ${b}) !== 0) u |= ${b};`);
              else
                body.push(
                  `if ((k & ${b}) !== 0) {`,
                  `R${j}: {`,
                  ...rule,
                  '}',
                  `if (r === 1) f |= ${b}; else if (r === 2) u |= ${b};`,
                  '}',
                );
            }
            body.push('U[0] = u;', 'return f;');
            return `function w${w}(S, N, k, U) {\n${body.map((l) => `  ${l}`).join('\n')}\n}`;
          })
          .concat(`return [${wordIndexes.map((w) => `w${w}`).join(', ')}];`)
          .join('\n'),
      );
      return words;
    },
    get checkWords() {
      checkWords ??= made<GeneratedRules['checkWords']>(
        wordIndexes
          .map((w) => {
            const body = [`function k${w}(S, N, C, s, j) {`, '  switch (j) {'];
            for (const [j, i] of wordRules(w)) {
              const cr = c.claimRules[i]!;
              const b = attempt(() => ruleBody(g, cr.rule, cr.requires, RETURN, true));
              if (b !== undefined) body.push(`  case ${j}: {`, ...b.map((l) => `    ${l}`), '  }');
            }
            body.push('  }', '  return 2;', '}');
            return body.join('\n');
          })
          .concat(`return [${wordIndexes.map((w) => `k${w}`).join(', ')}];`)
          .join('\n'),
      );
      return checkWords;
    },
    get fns() {
      if (fns === undefined) {
        const bodies = c.claimRules.map((cr, i) =>
          plan.factsOf[i] !== undefined ? attempt(() => ruleBody(g, cr.rule, cr.requires, RETURN)) : undefined,
        );
        fns = made<(RuleFn | undefined)[]>(
          [
            ...bodies.flatMap((b, i) =>
              b === undefined ? [] : [`function r${i}(S, N) {\n${b.map((l) => `  ${l}`).join('\n')}\n}`],
            ),
            `return [${bodies.map((b, i) => (b === undefined ? 'undefined' : `r${i}`)).join(', ')}];`,
          ].join('\n'),
        );
      }
      return fns;
    },
    get checks() {
      if (checks === undefined) {
        const ks = out.checkWords;
        checks = c.claimRules.map((cr, i): ChecksFn | undefined => {
          if (plan.factsOf[i] === undefined) return undefined;
          if (attempt(() => ruleBody(g, cr.rule, cr.requires, RETURN, true)) === undefined) return undefined;
          const bit = plan.bitOf[i]!;
          const k = ks[bit >>> 5]!;
          return (slots, exact, found, s) => k(slots, exact, found, s, bit & 31);
        });
      }
      return checks;
    },
    get source() {
      void out.items;
      void out.words;
      void out.checkWords;
      void out.fns;
      return sources.join('\n');
    },
  };
  return out;
}

// Each fact a two-valued function reads, once: enums as their value's position (V, see prep),
// amounts and numbers as exact integers (NaN: not exact), the rest as they are.
function localsOf(g: Gen): string[] {
  return [...g.used!].map(([k, how]) =>
    how === 'enum'
      ? `const v${k} = V[${k}];`
      : how === 'num'
        ? `const v${k} = (e = N[${k}]) === undefined ? (N[${k}] = at(S[${k}], ${g.scale.get(k) ?? 0})) : e;`
        : `const v${k} = S[${k}];`,
  );
}

// evalRule (evaluate/outcome.ts) in three values: when, then the requirement, then unless.
// With checks, every leaf evaluated records its check as the closures do (conditions.ts record).
function ruleBody(
  g: Gen,
  r: { when?: Condition; unless?: Condition; require?: Condition },
  requires: boolean,
  exit: Exit,
  checks = false,
  // What a `when` false gives: 0 (the rule is false), or for an item rule ITEM_NOT_APPLIES.
  whenFalse = '0',
): string[] {
  const out: string[] = [];
  if (exit === RETURN) out.push('let x, y, n, m, e;');
  g.part = checks ? 'when' : undefined;
  const w = r.when ? cond(g, r.when, out) : '1';
  if (r.when) out.push(`if (${w} === 0) ${exit(whenFalse)}`);
  let violated = '1';
  if (requires) {
    if (!r.require) {
      out.push(exit('0'));
      return out;
    }
    g.part = checks ? 'require' : undefined;
    const q = cond(g, r.require, out);
    violated = fresh(g);
    out.push(`const ${violated} = ${q} === 2 ? 2 : 1 - ${q};`);
  }
  let notUnless = '1';
  if (r.unless) {
    notUnless = fresh(g);
    const inner: string[] = [];
    g.part = checks ? 'unless' : undefined;
    const u = cond(g, r.unless, inner);
    out.push(
      `let ${notUnless} = 1;`,
      `if (${violated} !== 0) {`,
      ...inner,
      `${notUnless} = ${u} === 2 ? 2 : 1 - ${u};`,
      '}',
    );
  }
  g.part = undefined;
  out.push(`if (${violated} === 0 || ${notUnless} === 0) ${exit('0')}`);
  out.push(exit(`${w} === 2 || ${violated} === 2 || ${notUnless} === 2 ? 2 : 1`));
  return out;
}

// evalRule in two values, every fact the rule reads present: a JavaScript boolean expression.
function ruleBool(g: Gen, r: { when?: Condition; unless?: Condition; require?: Condition }, requires: boolean): string {
  const parts: string[] = [];
  if (r.when) parts.push(bool(g, r.when));
  if (requires) {
    if (!r.require) return 'false';
    parts.push(`!${bool(g, r.require)}`);
  }
  if (r.unless) parts.push(`!${bool(g, r.unless)}`);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}

function bool(g: Gen, c: Condition): string {
  if ('all' in c) return c.all.length === 0 ? 'true' : `(${c.all.map((x) => bool(g, x)).join(' && ')})`;
  if ('any' in c) return c.any.length === 0 ? 'false' : `(${c.any.map((x) => bool(g, x)).join(' || ')})`;
  if ('not' in c) return `!${bool(g, c.not)}`;
  return g.used === undefined ? leafBool(g, c) : (leafLocal(g, c) ?? leafBool(g, c));
}

// A leaf over the word's locals (see generate): enum values by position, amounts and numbers by
// their exact integers; undefined: another shape (leafBool reads the slots).
function leafLocal(g: Gen, l: Leaf): string | undefined {
  const c = g.c;
  const slot = c.slotOf.get(l.fact);
  const t = c.types.nameType(l.fact) as VType | undefined;
  if (slot === undefined || !t) return undefined;
  const op = l.operator;
  const v = l.value;
  const used = g.used!;
  const mark = (k: number, how: 'enum' | 'num' | 'raw'): boolean => {
    const had = used.get(k);
    if (had !== undefined && had !== how) return false;
    used.set(k, how);
    return true;
  };
  const cmpOp = ORDER[op] ?? (op === 'equal' ? '===' : op === 'notEqual' ? '!==' : undefined);
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const b = c.slotOf.get(v.fact);
    if (b === undefined || !(t.kind === 'money' || isNumeric(t)) || cmpOp === undefined) return undefined;
    if (!mark(slot, 'num') || !mark(b, 'num')) return undefined;
    const slow = konst(g, (s: unknown[]) => comparator(t)(factValue(s, slot), factValue(s, b)));
    return `(v${slot} === v${slot} && v${b} === v${b} ? v${slot} ${cmpOp} v${b} : ${slow}(S) ${cmpOp} 0)`;
  }
  if ((t.kind === 'money' || isNumeric(t)) && cmpOp !== undefined && !Array.isArray(v)) {
    const literal = leafValue(v, t);
    const d: Dec | undefined = isMoney(literal) ? literal.amount : isDec(literal) ? literal : undefined;
    if (d === undefined || !X.parseScaled(decText(d))) return undefined;
    const lit = X.M * 10 ** ((g.scale.get(slot) ?? 0) - X.S);
    if (!Number.isSafeInteger(lit) || !mark(slot, 'num')) return undefined;
    const cmp = comparator(t);
    const slow = konst(g, (s: unknown[]) => cmp(factValue(s, slot), literal));
    return `(v${slot} === v${slot} ? v${slot} ${cmpOp} ${lit} : ${slow}(S) ${cmpOp} 0)`;
  }
  if (t.kind === 'enum' && g.enumCodes.has(slot) && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
    const lit = leafValue(v, t);
    const lits = (Array.isArray(lit) ? lit : [lit]) as unknown[];
    const codes = lits.map((x) => (typeof x === 'string' ? t.values.indexOf(x) : -1));
    if (codes.some((x) => x < 0)) return undefined;
    const isList = op === 'in' || op === 'notIn';
    if (isList !== Array.isArray(v) || !(isList || op === 'equal' || op === 'notEqual')) return undefined;
    if (!mark(slot, 'enum')) return undefined;
    const any = codes.length ? codes.map((x) => `v${slot} === ${x}`).join(' || ') : 'false';
    return op === 'equal' || op === 'in' ? `(${any})` : `!(${any})`;
  }
  if (t.kind === 'boolean' && typeof v === 'boolean' && (op === 'equal' || op === 'notEqual')) {
    if (!mark(slot, 'raw')) return undefined;
    return `v${slot} ${op === 'equal' ? '===' : '!=='} ${v}`;
  }
  return undefined;
}

// evalRule with its checks in two values (every fact the rule reads present): as ruleBody with
// checks, each truth a boolean, leaves over the word's locals where they can be.
function ruleChecksBool(
  g: Gen,
  r: { when?: Condition; unless?: Condition; require?: Condition },
  requires: boolean,
): string[] {
  const out: string[] = [];
  g.part = 'when';
  if (r.when) out.push(`if (!${condBool(g, r.when, out)}) return 0;`);
  if (requires) {
    if (!r.require) {
      out.push('return 0;');
      return out;
    }
    g.part = 'require';
    out.push(`if (${condBool(g, r.require, out)}) return 0;`);
  }
  if (r.unless) {
    g.part = 'unless';
    out.push(`if (${condBool(g, r.unless, out)}) return 0;`);
  }
  g.part = undefined;
  out.push('return 1;');
  return out;
}

// Statements appended to out, recording each leaf's check; returns the boolean's variable.
function condBool(g: Gen, c: Condition, out: string[]): string {
  if ('all' in c || 'any' in c) {
    const parts = 'all' in c ? c.all : c.any;
    const dominant = 'any' in c;
    const v = fresh(g);
    out.push(`let ${v} = ${!dominant};`, `L${v}: {`);
    for (const p of parts) {
      const x = condBool(g, p, out);
      out.push(`if (${dominant ? '' : '!'}${x}) { ${v} = ${dominant}; break L${v}; }`);
    }
    out.push('}');
    return v;
  }
  if ('not' in c) {
    const x = condBool(g, c.not, out);
    const v = fresh(g);
    out.push(`const ${v} = !${x};`);
    return v;
  }
  const v = fresh(g);
  out.push(`const ${v} = ${leafLocal(g, c) ?? leafBool(g, c)};`, recordCheck(g, c, v, true));
  return v;
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
  if (g.part !== undefined) out.push(recordCheck(g, c, v));
  return v;
}

// The check a leaf's closure records (conditions.ts compileLeaf, record), its result in v.
function recordCheck(g: Gen, l: Leaf, v: string, two = false): string {
  const c = g.c;
  const slot = c.slotOf.get(l.fact)!;
  const t = (c.types.nameType(l.fact) as VType | undefined) ?? UNKNOWN;
  const derivedText = (n: string) => {
    const d = c.product.derived.find((x) => x.name === n);
    return d ? exprText(d.expr) : n;
  };
  const shown = (k: number) => `(S[${k}] === undefined ? null : sh(Cp, s, ${k}))`;
  const lit = l.value;
  let text: string;
  let required: string;
  if (typeof lit === 'object' && lit !== null && !Array.isArray(lit)) {
    text = leafText(l, derivedText);
    required = shown(c.slotOf.get(lit.fact)!);
  } else {
    const req = showValue(leafValue(lit, t.kind === 'list' ? t.of : t));
    text =
      Array.isArray(lit) || typeof lit === 'boolean'
        ? leafText(l, derivedText)
        : leafText({ ...l, value: showText(req) }, derivedText);
    required = typeof req === 'object' && req !== null ? konst(g, req) : JSON.stringify(req);
  }
  const d: CheckText = { part: g.part!, text, fact: l.fact, operator: l.operator };
  return `ck(C, ${konst(g, d)}, S, Cp, s, ${slot}, ${required}, ${two ? v : `${v} === 2 ? null : ${v} === 1`});`;
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
  const p = leafParts(g, l);
  return `(${p.missing} ? 2 : ${p.test} ? 1 : 0)`;
}

// A leaf as a boolean expression, for decisions where no fact a plain rule reads is missing.
function leafBool(g: Gen, l: Leaf): string {
  const p = leafParts(g, l);
  return `(${p.assign}, ${p.test})`;
}

interface LeafParts {
  // Reads the fact(s) into x (and y): whether one is missing; or only reads them.
  missing: string;
  assign: string;
  // The comparison of x (and y), its fact(s) present.
  test: string;
}

function leafParts(g: Gen, l: Leaf): LeafParts {
  const c = g.c;
  if (l.fact.startsWith('item.')) return itemLeafParts(g, l);
  const slot = c.slotOf.get(l.fact);
  const t = c.types.nameType(l.fact) as VType | undefined;
  if (slot === undefined || !t) throw new Unsupported();
  const a = `S[${slot}]`;
  const op = l.operator;
  const cmpOp = ORDER[op];
  const identity = byIdentity(t);
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
    return {
      missing: `(x = ${a}) === undefined || (y = ${b}) === undefined`,
      assign: `x = ${a}, y = ${b}`,
      test: test('x', 'y'),
    };
  }
  const literal = leafValue(v, t);
  const test = literalTest(t, op, literal, (o) => {
    const d: Dec | undefined = isMoney(literal) ? literal.amount : isDec(literal) ? literal : undefined;
    if (d === undefined || !X.parseScaled(decText(d))) throw new Unsupported();
    const scale = g.scale.get(slot)!;
    const lit = X.M * 10 ** (scale - X.S);
    if (!Number.isSafeInteger(lit)) throw new Unsupported();
    const cmp = comparator(t);
    const slow = konst(g, (s: unknown[]) => cmp(factValue(s, slot), literal));
    return `((n = ${exact(g, slot)}) === n ? n ${o} ${lit} : ${slow}(S) ${o} 0)`;
  });
  return { missing: `(x = ${a}) === undefined`, assign: `x = ${a}`, test };
}

// A leaf on a field of the item (I, its record, whose values the reader converted already) and
// a literal; amounts and numbers compare through the product's comparator.
function itemLeafParts(g: Gen, l: Leaf): LeafParts {
  const c = g.c;
  const t = c.itemList === undefined ? undefined : (c.types.nameType(l.fact, c.itemList) as VType | undefined);
  const v = l.value;
  if (!t || (typeof v === 'object' && v !== null && !Array.isArray(v))) throw new Unsupported();
  const a = `I[${JSON.stringify(l.fact.slice(5))}]`;
  const literal = leafValue(v, t);
  const cmp = comparator(t);
  const test = literalTest(t, l.operator, literal, (o) => `${konst(g, (x: unknown) => cmp(x, literal))}(x) ${o} 0`);
  return { missing: `(x = ${a}) === undefined`, assign: `x = ${a}`, test };
}

// Values of these kinds are equal when they are the same JS value (strings, booleans).
function byIdentity(t: VType): boolean {
  return t.kind === 'enum' || t.kind === 'boolean' || t.kind === 'text' || t.kind === 'date' || t.kind === 'time';
}

// A leaf's test of its value x against a literal, as the closures compare (conditions.ts
// leafTest); numeric(o) writes an amount's or a number's comparison with the operator o.
function literalTest(t: VType, op: string, literal: unknown, numeric: (o: string) => string): string {
  const cmpOp = ORDER[op];
  const identity = byIdentity(t);
  if (identity && (op === 'equal' || op === 'notEqual'))
    return `x ${op === 'equal' ? '===' : '!=='} ${JSON.stringify(literal)}`;
  if (identity && (op === 'in' || op === 'notIn') && Array.isArray(literal)) {
    const any = literal.length ? literal.map((x) => `x === ${JSON.stringify(x)}`).join(' || ') : 'false';
    return op === 'in' ? `(${any})` : `!(${any})`;
  }
  if ((t.kind === 'date' || t.kind === 'time' || t.kind === 'text') && cmpOp && typeof literal === 'string')
    return `x ${cmpOp} ${JSON.stringify(literal)}`;
  if (t.kind === 'duration' && literal instanceof Duration && (cmpOp || op === 'equal' || op === 'notEqual'))
    return `x.n ${cmpOp ?? (op === 'equal' ? '===' : '!==')} ${literal.n}`;
  if ((t.kind === 'money' || isNumeric(t)) && (cmpOp || op === 'equal' || op === 'notEqual'))
    return numeric(cmpOp ?? (op === 'equal' ? '===' : '!=='));
  throw new Unsupported();
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
