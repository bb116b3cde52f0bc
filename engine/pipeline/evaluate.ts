// Stage 5: checked model -> closures (compile), then closures + facts -> decision (decide).
// Evaluation is three-valued: a value that needs a missing fact is an Unknown carrying exactly
// the facts it needs; `and`/`or` short-circuit as Kleene logic, so a fact that cannot change
// the result is never asked for.
import type { Amount, Condition, Expr, Formula, Leaf, Literal, Product, Rule, RuleKind, Table } from '../../dsl/ir.js';
import { exprText, leafText } from '../../dsl/print.js';
import { literalText } from '../../dsl/literals.js';
import { OPERATORS, type VType, comparator, searchSorted, equals, isNumeric, UNKNOWN, Fraction } from './operators.js';
import { Money, Duration, dec, roundTo, isMoney, isDec, decText, cmpDec, type Dec, ZERO } from './money.js';
import { literalValue, showValue, showText as shownText } from './values.js';
import { cellMatcher, type Checked, type Types } from './check.js';
import { readFactSlots, factValue, Pending } from './facts.js';
import {
  DECISION_SCHEMA_ID, decisionProduct, type AmountResult, type AmountStep, type Check, type Decision, type FormulaResult, type FormulaStep,
  type ItemDecision, type Outcome, type Reason, type ShownValue, type TableLookup,
} from './decision-types.js';

export class Unknown {
  private sortedCache: string[] | undefined;
  constructor(readonly facts: string[]) {}
  // Shared Unknowns (one per missing fact) are reused across decisions: sort once.
  sorted(): string[] {
    return (this.sortedCache ??= [...this.facts].sort());
  }
}
export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}
function mergeUnknown(vs: unknown[]): Unknown {
  // Usually one operand is unknown: return it as it is, without building a set.
  let only: Unknown | undefined;
  let count = 0;
  for (const v of vs) if (v instanceof Unknown) { only = v; count++; }
  if (count === 1) return only!;
  const s = new Set<string>();
  for (const v of vs) if (v instanceof Unknown) for (const f of v.facts) s.add(f);
  // Evaluation order is deterministic, so this order is too; lists shown to people are sorted where
  // the decision is assembled.
  return new Unknown([...s]);
}

interface Scope {
  // The input facts, one slot per declared fact (p.facts order); undefined when missing.
  slots: unknown[];
  item: Record<string, unknown> | undefined;
  itemIndex: number;
  itemList: string | undefined;
  memo: Map<string, unknown>;
  // Full trace: formulas record their arithmetic whenever they are first computed.
  trace: boolean;
  steps: FormulaStep[] | null;
  lookups: TableLookup[];
  checks: Check[] | null;
  part: Check['part'];
  // Per decision, the shown value of each input fact a check has shown (checks share it).
  shown?: ShownValue[];
}

type Fn = (s: Scope) => unknown;
type Cond = (s: Scope) => boolean | Unknown;

interface CompiledRule {
  rule: Rule;
  when?: Cond;
  unless?: Cond;
  require?: Cond;
  // eligibility, condition and constraint rules fire when their requirement is violated.
  requires: boolean;
  effect: Outcome;
}

// Lean (trace: false) evaluation of claim-level rules, planned at compile time. A rule is
// "plain" when it reads only input facts (no formulas, tables, derived values, items): it has no
// side effects (memo, lookups) and it is unknown exactly when a fact it reads is missing and the
// rest cannot settle it. Plain rules are evaluated level by level of the outcome ladder; past the
// level that decides, a plain rule whose facts are all present cannot be unknown, so it is not
// evaluated at all. A plain rule whose `when` has a conjunct `fact = value` (or `in`, `not`) on an
// enum or boolean fact is false whenever that fact holds another value: an index from each value
// to the rules it makes false skips them without evaluating anything else.
interface LeanPlan {
  sideEffecting: number[];
  plainByLevel: number[][];
  factsOf: (Int32Array | undefined)[];
  plainSlots: Int32Array;
  words: number;
  // Bits number the plain rules in ladder order (level by level, source order within a level):
  // bitOf[claim index], ruleAt[bit]; per level, the mask of its plain rules and its word range.
  bitOf: Int32Array;
  ruleAt: Int32Array;
  levelMask: Uint32Array[];
  levelWords: [number, number][];
  // Every kill bitset, `words` words each, in one array (cache-friendly): the indexes below give
  // offsets into it. Per decision: the offsets of the kill sets that apply (scratch).
  pool: Uint32Array;
  sources: Int32Array;
  sideByLevel: number[][];
  // 1: a rule the indexes decide alone (see leanPlan).
  full: Uint8Array;
  // Per full rule, its checks when it fires (see PlainLeafInfo), so its reason needs no evaluation.
  // The ladder level of each claim rule.
  levelOf: Int8Array;
  firedChecks: (FiredTemplate | undefined)[];
  // Per claim rule, its id.
  ids: string[];
  // Per slot: how a Pending value of the fact's type shows without converting it (see showPending).
  rawShow: (string | 0 | undefined)[];
  index: { slot: number; kill: Map<unknown, number> }[];
  // Threshold conjuncts (`fact > literal` and the like, or their negation) on money and number
  // facts: per fact and comparison, the literals sorted, and for each position the rules that
  // the fact's value makes false when it lies on the killing side of that literal (cumulative).
  ranges: RangeIndex[];
  scratch: Uint32Array;
  fires: (boolean | Unknown | undefined)[];
  touched: number[];
}

export interface Compiled {
  product: Product;
  claimRules: CompiledRule[];
  // Indices into claimRules by ladder level (LEVELS order), each in source order.
  claimLevels: number[][];
  // No two claim-level rules share an id (the checker reports duplicates).
  uniqueClaimIds: boolean;
  lean: LeanPlan;
  slotOf: Map<string, number>;
  itemRules: CompiledRule[];
  hasItemCover: boolean;
  hasClaimCover: boolean;
  types: Types;
  rules: CompiledRule[];
  named: Map<string, Fn>;
  formulas: { name: string; fn: Fn; decl: Formula; stepsKey: string }[];
  amounts: { amount: Amount; memoKey: string; steps: { kind: string; shared: boolean; fn?: Fn; used?: Fn; when?: Cond; text: string }[] }[];
  forEachLists: string[];
}

const EFFECT: Record<RuleKind, Outcome> = {
  constraint: 'invalid', eligibility: 'ineligible', ineligible: 'ineligible', exclude: 'excluded', condition: 'refused', cover: 'covered',
};
const LEVELS: [RuleKind[], Outcome][] = [
  [['constraint'], 'invalid'],
  [['eligibility', 'ineligible'], 'ineligible'],
  [['exclude'], 'excluded'],
  [['condition'], 'refused'],
  [['cover'], 'covered'],
];

// ---------------------------------------------------------------- compile
export function compile(checked: Checked): Compiled {
  const p = checked.product;
  const types = checked.types;
  const named = new Map<string, Fn>();
  const c: Compiled = {
    product: p, types, rules: [], named, formulas: [], amounts: [], forEachLists: [],
    claimRules: [], itemRules: [], hasItemCover: false, hasClaimCover: false,
    claimLevels: [], uniqueClaimIds: true, lean: undefined as unknown as LeanPlan, slotOf: new Map(p.facts.map((f, i) => [f.name, i])),
  };
  const slotOf = c.slotOf;
  const typeOf = (e: Expr): VType => types.exprs.get(e) ?? UNKNOWN;

  const ref = (name: string): Fn => {
    if (name.startsWith('item.')) {
      const field = name.slice(5);
      return (s) => {
        const v = s.item?.[field];
        return v === undefined ? new Unknown([`${s.itemList}[${s.itemIndex}].${field}`]) : v;
      };
    }
    if (named.has(name) || formulaNames.has(name) || tableOutputs.has(name) || derivedNames.has(name)) {
      return (s) => named.get(name)!(s);
    }
    // A field of every element of a list fact: claim.items.amount
    const dot = name.lastIndexOf('.');
    const listName = name.slice(0, dot);
    if (dot > 0 && types.itemFields.has(listName)) {
      const field = name.slice(dot + 1);
      const listSlot = slotOf.get(listName);
      return (s) => {
        const list = (listSlot === undefined ? undefined : s.slots[listSlot]) as Record<string, unknown>[] | undefined;
        if (list === undefined) return new Unknown([listName]);
        const out: unknown[] = [];
        const missing: string[] = [];
        list.forEach((it, i) => (it[field] === undefined ? missing.push(`${listName}[${i}].${field}`) : out.push(it[field])));
        return missing.length ? new Unknown(missing) : out;
      };
    }
    const missing = new Unknown([name]);
    const slot = slotOf.get(name);
    if (slot === undefined) return () => missing;
    return (s) => {
      const v = s.slots[slot];
      return v === undefined ? missing : v instanceof Pending ? factValue(s.slots, slot) : v;
    };
  };
  // The slot of a name that is a plain input fact (not a formula, table output, derived value,
  // item field or list field), else undefined.
  const plainSlot = (name: string): number | undefined => {
    if (name.startsWith('item.') || named.has(name) || formulaNames.has(name) || tableOutputs.has(name) || derivedNames.has(name)) return undefined;
    const dot = name.lastIndexOf('.');
    if (dot > 0 && types.itemFields.has(name.slice(0, dot))) return undefined;
    return slotOf.get(name);
  };

  const expr = (e: Expr): Fn => {
    if ('lit' in e) {
      const v = literalValue(e.lit);
      return () => v;
    }
    if ('ref' in e) return ref(e.ref);
    // a and b and c is one n-ary step in the trace, not a nest of binary ones.
    const flat = (x: Expr, op: string): Expr[] => ('op' in x && x.op === op ? x.args.flatMap((y) => flat(y, op)) : [x]);
    const args = ('op' in e && (e.op === 'and' || e.op === 'or') ? flat(e, e.op) : e.args).map(expr);
    const text = exprText(e);
    const traced = (f: Fn): Fn => (s) => {
      const v = f(s);
      if (s.steps && !isUnknown(v)) s.steps.push({ text, value: showValue(v) });
      return v;
    };
    if ('op' in e && (e.op === 'and' || e.op === 'or' || e.op === 'not')) {
      const op = e.op;
      if (op === 'not') {
        const [a] = args as [Fn];
        return traced((s) => {
          const v = a(s);
          return isUnknown(v) ? v : !v;
        });
      }
      return traced((s) => kleene(op === 'or', args, s));
    }
    if ('op' in e && e.op === 'if') {
      const [cond, a, b] = args as [Fn, Fn, Fn];
      return traced((s) => {
        const t = cond(s);
        if (isUnknown(t)) return t;
        return t ? a(s) : b(s);
      });
    }
    if ('call' in e && e.call === 'round') {
      const [x, unit] = args as [Fn, Fn];
      const mode = e.mode!;
      return (s) => {
        const v = x(s);
        const u = unit(s);
        if (isUnknown(v) || isUnknown(u)) return merge2(v, u);
        const uAmount = isMoney(u) ? u.amount : (u as Dec);
        const out = isMoney(v) ? new Money(roundTo(v.amount, uAmount, mode), v.currency) : roundTo(asNumber(v), uAmount, mode);
        if (s.steps) {
          s.steps.push({ text, value: showValue(out), rounding: { mode, unit: isMoney(u) ? literalText({ type: 'money', amount: u.amount.toString(), currency: u.currency }) : String(u), before: String(showText(v)) } });
        }
        return out;
      };
    }
    const def = OPERATORS['op' in e ? e.op : e.call]!;
    const impl = def.impl(e.args.map(typeOf));
    if (args.length === 1) {
      const [a] = args as [Fn];
      return traced((s) => {
        const v = a(s);
        return isUnknown(v) ? v : impl([v]);
      });
    }
    if (args.length === 2) {
      const [a, b] = args as [Fn, Fn];
      return traced((s) => {
        const x = a(s);
        const y = b(s);
        if (isUnknown(x) || isUnknown(y)) return merge2(x, y);
        return impl([x, y]);
      });
    }
    return traced((s) => {
      const vals = args.map((f) => f(s));
      if (vals.some(isUnknown)) return mergeUnknown(vals);
      return impl(vals);
    });
  };

  // Named values are memoized per decision (and per item for item-scoped derived values).
  const formulaNames = new Set([...p.formulas.map((f) => f.name), ...p.amounts.map((a) => a.name)]);
  for (const a of p.amounts) {
    named.set(a.name, (s) => s.memo.get(`@amount:${a.name}`) ?? new Unknown([`(amount ${a.name} is computed later)`]));
  }
  const tableOutputs = new Set(p.tables.flatMap((t) => t.outputs.map((o) => `${t.name}.${o.name}`)));
  const derivedNames = new Set(p.derived.map((d) => d.name));
  for (const f of p.formulas) {
    const fn = expr(f.expr);
    const memoKey = f.name;
    const stepsKey = `${f.name}#steps`;
    named.set(f.name, (s) => {
      if (s.memo.has(memoKey)) return s.memo.get(memoKey);
      // A formula's own trace holds only its own arithmetic; formulas it uses keep theirs.
      const outer = s.steps;
      s.steps = s.trace ? [] : null;
      const v = fn(s);
      if (s.steps) s.memo.set(stepsKey, s.steps);
      s.steps = outer;
      s.memo.set(memoKey, v);
      return v;
    });
    c.formulas.push({ name: f.name, fn: named.get(f.name)!, decl: f, stepsKey: `${f.name}#steps` });
  }
  for (const d of p.derived) {
    const fn = expr(d.expr);
    named.set(d.name, (s) => {
      const key = d.forEach ? `${d.name}#${s.itemIndex}` : d.name;
      if (s.memo.has(key)) return s.memo.get(key);
      const outer = s.steps;
      s.steps = null;
      const v = fn(s);
      s.steps = outer;
      s.memo.set(key, v);
      return v;
    });
  }
  for (const t of p.tables) compileTable(t, expr, typeOf, named);

  const cond = (cnd: Condition, scope: string | undefined): Cond => compileCondition(cnd, scope, named, types, ref, p, plainSlot);
  for (const r of p.rules) {
    const cr: CompiledRule = { rule: r, effect: EFFECT[r.kind], requires: r.kind === 'eligibility' || r.kind === 'condition' || r.kind === 'constraint' };
    if (r.when) cr.when = cond(r.when, r.forEach);
    if (r.unless) cr.unless = cond(r.unless, r.forEach);
    if (r.require) cr.require = cond(r.require, r.forEach);
    c.rules.push(cr);
    if (r.forEach && !c.forEachLists.includes(r.forEach)) c.forEachLists.push(r.forEach);
  }
  c.claimRules = c.rules.filter((cr) => !cr.rule.forEach);
  c.itemRules = c.rules.filter((cr) => cr.rule.forEach === c.forEachLists[0]);
  c.hasItemCover = c.itemRules.some((cr) => cr.rule.kind === 'cover');
  c.hasClaimCover = c.claimRules.some((cr) => cr.rule.kind === 'cover');
  c.claimLevels = LEVELS.map(([kinds]) => c.claimRules.flatMap((cr, i) => (kinds.includes(cr.rule.kind) ? [i] : [])));
  c.uniqueClaimIds = new Set(c.claimRules.map((cr) => cr.rule.id)).size === c.claimRules.length;
  c.lean = leanPlan(c, plainSlot);
  for (const a of p.amounts) {
    c.amounts.push({
      amount: a,
      memoKey: `@amount:${a.name}`,
      steps: a.steps.map((st) => ({
        kind: st.step,
        shared: st.shared === true,
        text: st.step === 'total' ? 'total' : st.step === 'round' ? `round ${st.mode} ${st.expr ? exprText(st.expr) : ''}` : `${st.step} ${st.expr ? exprText(st.expr) : ''}${st.used ? ` used ${exprText(st.used)}` : ''}${st.shared ? ' (shared)' : ''}`,
        ...(st.expr ? { fn: expr(st.expr) } : {}),
        ...(st.used ? { used: expr(st.used) } : {}),
        ...(st.when ? { when: cond(st.when, a.forEach) } : {}),
      })),
    });
  }
  return c;
}

function asNumber(v: unknown): Dec {
  return (v as { value?: () => Dec }).value ? (v as { value: () => Dec }).value() : (v as Dec);
}

function showText(v: unknown): string {
  const s = showValue(v);
  return typeof s === 'object' && s !== null && 'amount' in s ? `${s.amount} ${s.currency}` : String(s);
}

// Kleene and (dominant false) / or (dominant true), short-circuiting, without allocating unless
// more than one operand is unknown.
function kleene(dominant: boolean, parts: ((s: Scope) => unknown)[], s: Scope): boolean | Unknown {
  let first: Unknown | undefined;
  let more: Unknown[] | undefined;
  for (let i = 0; i < parts.length; i++) {
    const v = parts[i]!(s);
    if (v instanceof Unknown) {
      if (first === undefined) first = v;
      else (more ??= [first]).push(v);
    } else if (v === dominant) return dominant;
  }
  return more ? mergeUnknown(more) : first ?? !dominant;
}

// mergeUnknown([a, b]) without the array when only one is unknown.
function merge2(a: unknown, b: unknown): Unknown {
  if (!(a instanceof Unknown)) return b as Unknown;
  if (!(b instanceof Unknown)) return a;
  return mergeUnknown([a, b]);
}

function compileTable(t: Table, expr: (e: Expr) => Fn, typeOf: (e: Expr) => VType, named: Map<string, Fn>): void {
  const inputs = t.inputs.map(expr);
  const inTypes = t.inputs.map(typeOf);
  const rows = t.rows.map((r) => ({ match: r.cells.map((cell, j) => cellMatcher(cell, inTypes[j]!)), outputs: r.outputs.map(literalValue), row: r }));
  const otherwise = t.otherwise?.map(literalValue);
  const find = tableFinder(t, inTypes, rows.map((r) => r.match));
  // What a lookup shows, per row (and for the else row), computed once.
  const inputTexts = t.inputs.map((e) => exprText(e));
  const shownOutputs = (outs: unknown[]) => t.outputs.map((o, k) => [o.name, showValue(outs[k])] as const);
  const rowShown = rows.map((r) => shownOutputs(r.outputs));
  const elseShown = otherwise ? shownOutputs(otherwise) : [];
  const rowCite = t.rows.map((r) => [...(r.cite ?? []), ...t.cite]);
  const memoKey = `@table:${t.name}`;
  const lookup = (s: Scope): { outputs: unknown[]; row: number } | Unknown | undefined => {
    if (s.memo.has(memoKey)) return s.memo.get(memoKey) as { outputs: unknown[]; row: number };
    const vals: unknown[] = new Array(inputs.length);
    let anyUnknown = false;
    for (let j = 0; j < inputs.length; j++) if ((vals[j] = inputs[j]!(s)) instanceof Unknown) anyUnknown = true;
    let hit: { outputs: unknown[]; row: number } | Unknown | undefined;
    if (anyUnknown) hit = mergeUnknown(vals);
    else {
      const i = find(vals);
      let found: { outputs: unknown[]; row: number } | undefined;
      if (i >= 0) found = { outputs: rows[i]!.outputs, row: i + 1 };
      else if (otherwise) found = { outputs: otherwise, row: 0 };
      hit = found;
      const shown = found ? (found.row === 0 ? elseShown : rowShown[found.row - 1]!) : [];
      const outputs: Record<string, ShownValue> = {};
      for (const [k, v] of shown) outputs[k] = v;
      const row = found ? (found.row === 0 ? 'else' as const : found.row) : null;
      const shownInputs = inputTexts.map((text, j) => ({ text, value: showValue(vals[j]) }));
      const cite = found && found.row > 0 ? rowCite[found.row - 1]! : t.cite;
      s.lookups.push(t.label
        ? { table: t.name, label: t.label, row, inputs: shownInputs, outputs, cite }
        : { table: t.name, row, inputs: shownInputs, outputs, cite });
    }
    s.memo.set(memoKey, hit);
    return hit;
  };
  t.outputs.forEach((o, k) => {
    named.set(`${t.name}.${o.name}`, (s) => {
      const hit = lookup(s);
      if (hit === undefined) return new Unknown([`(no row of table ${t.name} matches)`]);
      return isUnknown(hit) ? hit : hit.outputs[k];
    });
  });
}

// The first row (0-based) whose cells all match the input values, or -1. Rows are indexed by the
// first column whose cells are all lists of discrete values (or `-`): a lookup visits only the
// rows of its value. Within those, when one column holds disjoint ranges and the others are `-`,
// a binary search over the ranges finds the one row that can match (disjoint: at most one
// matches, so it is also the first).
function tableFinder(t: Table, inTypes: VType[], match: ((v: unknown) => boolean)[][]): (vals: unknown[]) => number {
  const n = t.rows.length;
  const scan = (cands: number[]) => (vals: unknown[]): number => {
    for (const i of cands) {
      const m = match[i]!;
      let ok = true;
      for (let j = 0; j < m.length; j++) if (!m[j]!(vals[j])) { ok = false; break; }
      if (ok) return i;
    }
    return -1;
  };
  const discrete = (k: VType['kind']) => k === 'enum' || k === 'text' || k === 'symbol' || k === 'boolean';
  const key = t.inputs.findIndex((_, j) => discrete(inTypes[j]!.kind) && t.rows.every((r) => 'in' in r.cells[j]! || 'any' in r.cells[j]!));
  const group = (cands: number[]): ((vals: unknown[]) => number) => ranges(t, inTypes, cands, key) ?? scan(cands);
  if (key < 0) return group(Array.from({ length: n }, (_, i) => i));
  const byValue = new Map<unknown, number[]>();
  const anyRows: number[] = [];
  t.rows.forEach((r, i) => {
    const cell = r.cells[key]!;
    if ('any' in cell) anyRows.push(i);
    else for (const l of (cell as { in: Literal[] }).in) {
      const v = literalValue(l);
      const list = byValue.get(v) ?? [];
      if (list[list.length - 1] !== i) list.push(i);
      byValue.set(v, list);
    }
  });
  const finders = new Map<unknown, (vals: unknown[]) => number>();
  for (const [v, list] of byValue) finders.set(v, group([...new Set([...list, ...anyRows])].sort((a, b) => a - b)));
  const rest = group(anyRows);
  return (vals) => {
    const v = vals[key];
    // Keys compare by identity (strings, booleans), as the cell matchers do.
    return (finders.get(v) ?? rest)(vals);
  };
}

function ranges(t: Table, inTypes: VType[], cands: number[], key: number): ((vals: unknown[]) => number) | undefined {
  if (cands.length < 4) return undefined;
  const col = t.inputs.findIndex((_, j) => j !== key && cands.every((i) => 'range' in t.rows[i]!.cells[j]!));
  if (col < 0) return undefined;
  if (!cands.every((i) => t.rows[i]!.cells.every((c, j) => j === key || j === col || 'any' in c))) return undefined;
  const kind = inTypes[col]!.kind;
  if (!(kind === 'money' || kind === 'date' || kind === 'duration' || isNumeric(inTypes[col]!))) return undefined;
  const cmp = comparator(inTypes[col]!);
  const rs = cands.map((i) => {
    const [lo, hi] = (t.rows[i]!.cells[col] as { range: [Literal, Literal] }).range.map(literalValue);
    return { i, lo, hi };
  }).filter((r) => cmp(r.lo, r.hi) <= 0);
  rs.sort((a, b) => cmp(a.lo, b.lo));
  for (let k = 1; k < rs.length; k++) if (cmp(rs[k - 1]!.hi, rs[k]!.lo) >= 0) return undefined;
  const los = rs.map((r) => r.lo);
  const his = rs.map((r) => r.hi);
  const idx = rs.map((r) => r.i);
  return (vals) => {
    const v = vals[col];
    if (v === undefined) return -1;
    // The last range starting at or below v.
    const at = searchSorted(los, v, cmp, true) - 1;
    return at >= 0 && cmp(v, his[at]) <= 0 ? idx[at]! : -1;
  };
}

// Leaf literal (as JSON in the condition) -> runtime value of the fact's type.
function leafRuntime(v: unknown, t: VType): unknown {
  if (Array.isArray(v)) return v.map((x) => leafRuntime(x, t));
  switch (t.kind) {
    case 'money': return new Money(dec(String(v)), t.currency);
    case 'duration': return new Duration(Number(v), t.unit);
    case 'number': case 'integer': case 'decimal': case 'rate': {
      const s = String(v);
      if (/^-?\d+\/\d+$/.test(s)) {
        const [n, d] = s.split('/');
        return dec(n!).div(dec(d!));
      }
      return dec(s);
    }
    default: return v;
  }
}

const LEAF_TEST: Record<string, (c: number) => boolean> = {
  lessThan: (c) => c < 0, lessThanInclusive: (c) => c <= 0, greaterThan: (c) => c > 0, greaterThanInclusive: (c) => c >= 0,
};

// What a plain leaf with a literal (compiled by compileCondition) shows in its check, whatever
// the facts: a fired rule of such leaves has checks known from the facts' shown values alone.
type FiredLeaf = string | number | boolean | ShownValue;
// A full rule's reason when it fires, but for `deciding` and the checks' actual values.
interface FiredTemplate { id: string; kind: RuleKind; label: string | undefined; cite: Reason['cite']; effect: Outcome; leaves: FiredLeaf[] }
interface PlainLeafInfo { text: string; fact: string; operator: string; required: ShownValue | null; slot: number }
const plainLeafInfo = new WeakMap<Leaf, PlainLeafInfo>();

function compileCondition(
  cnd: Condition, scope: string | undefined, named: Map<string, Fn>, types: Types, ref: (n: string) => Fn, p: Product,
  plainSlot: (n: string) => number | undefined,
): Cond {
  if ('all' in cnd || 'any' in cnd) {
    const dominant = 'any' in cnd;
    const parts = ('all' in cnd ? cnd.all : cnd.any).map((x) => compileCondition(x, scope, named, types, ref, p, plainSlot));
    if (parts.length === 2) {
      const [f, g] = parts as [Cond, Cond];
      return (s) => {
        const a = f(s);
        if (a === dominant) return dominant;
        const b = g(s);
        if (b === dominant) return dominant;
        if (a instanceof Unknown) return b instanceof Unknown ? mergeUnknown([a, b]) : a;
        return b;
      };
    }
    return (s) => kleene(dominant, parts, s);
  }
  if ('not' in cnd) {
    const inner = compileCondition(cnd.not, scope, named, types, ref, p, plainSlot);
    return (s) => {
      const v = inner(s);
      return isUnknown(v) ? v : !v;
    };
  }
  const leaf = cnd as Leaf;
  const factType = types.nameType(leaf.fact, scope) ?? UNKNOWN;
  const left = ref(leaf.fact);
  const derivedText = (n: string) => {
    const d = p.derived.find((x) => x.name === n);
    return d ? exprText(d.expr) : n;
  };
  const isRef = typeof leaf.value === 'object' && leaf.value !== null && !Array.isArray(leaf.value);
  const literal = isRef ? undefined : leafRuntime(leaf.value, factType.kind === 'list' ? factType.of : factType);
  // Show literals as people write them (3 months, 9,000万円), not as the JSON leaf stores them.
  const text = isRef || Array.isArray(leaf.value) || typeof leaf.value === 'boolean'
    ? leafText(leaf, derivedText)
    : leafText({ ...leaf, value: shownText(showValue(literal)) }, derivedText);
  const rightFn: Fn = isRef ? ref((leaf.value as { fact: string }).fact) : () => literal;
  const cmpType = factType.kind === 'symbol' ? UNKNOWN : factType;
  let test: (a: unknown, b: unknown) => boolean;
  const op = leaf.operator;
  if (op === 'equal' || op === 'notEqual') {
    const eq = equals(cmpType);
    test = op === 'equal' ? eq : (a, b) => !eq(a, b);
  } else if (op === 'in' || op === 'notIn') {
    const eq = equals(cmpType);
    test = (a, b) => (b as unknown[]).some((x) => eq(a, x)) === (op === 'in');
  } else if (op === 'contains' || op === 'doesNotContain') {
    const eq = equals(cmpType.kind === 'list' ? cmpType.of : cmpType);
    test = (a, b) => (a as unknown[]).some((x) => eq(x, b)) === (op === 'contains');
  } else {
    const cmp = comparator(cmpType);
    const t = LEAF_TEST[op];
    if (!t) throw new Error(`operator ${op} is not supported`);
    test = (a, b) => t(cmp(a, b));
  }
  const literalShown = isRef ? null : showValue(literal);
  const traced = (s: Scope, a: unknown, b: unknown, result: boolean | Unknown): void => {
    s.checks!.push({
      part: s.part, text, fact: leaf.fact, operator: op,
      actual: isUnknown(a) ? null : showValue(a), required: isRef ? (isUnknown(b) ? null : showValue(b)) : literalShown,
      result: isUnknown(result) ? null : result,
    });
  };
  if (!isRef) {
    // A literal on the right (the usual case): a test of one value, specialised by type.
    const test1 = literalTest(op, cmpType, literal) ?? ((a: unknown) => test(a, literal));
    const slot = plainSlot(leaf.fact);
    if (slot !== undefined) {
      const missing = left(({ slots: [] } as unknown) as Scope) as Unknown;
      plainLeafInfo.set(leaf, { text, fact: leaf.fact, operator: op, required: literalShown, slot });
      return (s) => {
        let v = s.slots[slot];
        if (v instanceof Pending) v = factValue(s.slots, slot);
        const result = v === undefined ? missing : test1(v);
        if (s.checks) {
          const shown = (s.shown ??= []);
          s.checks.push({
            part: s.part, text, fact: leaf.fact, operator: op,
            actual: v === undefined ? null : (shown[slot] ??= showValue(v)), required: literalShown,
            result: result instanceof Unknown ? null : result,
          });
        }
        return result;
      };
    }
    return (s) => {
      const a = left(s);
      const result = a instanceof Unknown ? a : test1(a);
      if (s.checks) traced(s, a, literal, result);
      return result;
    };
  }
  return (s) => {
    const a = left(s);
    const b = rightFn(s);
    let result: boolean | Unknown;
    if (a instanceof Unknown || b instanceof Unknown) result = merge2(a, b);
    else result = test(a, b);
    if (s.checks) traced(s, a, b, result);
    return result;
  };
}

// A leaf's test against its literal, for the common types; undefined: use the generic test.
function literalTest(op: string, t: VType, literal: unknown): ((a: unknown) => boolean) | undefined {
  const identity = t.kind === 'enum' || t.kind === 'boolean' || t.kind === 'text' || t.kind === 'date';
  if (identity && (op === 'equal' || op === 'notEqual')) return op === 'equal' ? (a) => a === literal : (a) => a !== literal;
  if (identity && (op === 'in' || op === 'notIn') && Array.isArray(literal)) {
    const xs = literal as unknown[];
    return op === 'in' ? (a) => xs.includes(a) : (a) => !xs.includes(a);
  }
  const lt = LEAF_TEST[op];
  if (!lt) return undefined;
  if (t.kind === 'money' && isMoney(literal)) {
    const x = literal.amount;
    switch (op) {
      case 'lessThan': return (a) => cmpDec((a as Money).amount, x) < 0;
      case 'lessThanInclusive': return (a) => cmpDec((a as Money).amount, x) <= 0;
      case 'greaterThan': return (a) => cmpDec((a as Money).amount, x) > 0;
      case 'greaterThanInclusive': return (a) => cmpDec((a as Money).amount, x) >= 0;
    }
  }
  if (isNumeric(t) && isDec(literal)) {
    const x = literal;
    const d = (a: unknown): Dec => (a instanceof Fraction ? a.value() : (a as Dec));
    switch (op) {
      case 'lessThan': return (a) => cmpDec(d(a), x) < 0;
      case 'lessThanInclusive': return (a) => cmpDec(d(a), x) <= 0;
      case 'greaterThan': return (a) => cmpDec(d(a), x) > 0;
      case 'greaterThanInclusive': return (a) => cmpDec(d(a), x) >= 0;
    }
  }
  return undefined;
}

// The lean plan (see LeanPlan).
function leanPlan(c: Compiled, plainSlot: (n: string) => number | undefined): LeanPlan {
  const rules = c.claimRules;
  const words = Math.ceil(rules.length / 32) || 1;
  // Ladder order of the plain rules (see LeanPlan); computed before the kill sets, which use it.
  const bitOf = new Int32Array(rules.length).fill(-1);
  const ruleAt: number[] = [];
  // The facts each plain rule reads (undefined: the rule is not plain).
  const slotsOf = rules.map((cr) => {
    const slots = new Set<number>();
    return [cr.rule.when, cr.rule.unless, cr.rule.require].every((cnd) => cnd === undefined || plainFacts(cnd, plainSlot, slots)) ? slots : undefined;
  });
  for (const idx of c.claimLevels) for (const i of idx) if (slotsOf[i]) { bitOf[i] = ruleAt.length; ruleAt.push(i); }
  const factsOf: (Int32Array | undefined)[] = [];
  const sideEffecting: number[] = [];
  const kills = new Map<number, Map<unknown, Uint32Array>>();
  const full = new Uint8Array(rules.length);
  const firedChecks: LeanPlan['firedChecks'] = new Array(rules.length).fill(undefined);
  const thresholds = new Map<string, { slot: number; op: RangeIndex['op']; t: VType; at: { x: unknown; rule: number }[] }>();
  const FLIP = { gt: 'le', ge: 'lt', lt: 'ge', le: 'gt' } as const;
  const OPS: Record<string, RangeIndex['op']> = { greaterThan: 'gt', greaterThanInclusive: 'ge', lessThan: 'lt', lessThanInclusive: 'le' };
  const all = new Set<number>();
  const domain = (slot: number): unknown[] | undefined => {
    const t = c.product.facts[slot]!.type;
    return t.kind === 'enum' ? t.values : t.kind === 'boolean' ? [true, false] : undefined;
  };
  rules.forEach((cr, i) => {
    const slots = slotsOf[i];
    if (!slots) {
      sideEffecting.push(i);
      factsOf.push(undefined);
      return;
    }
    factsOf.push(Int32Array.from(slots));
    for (const x of slots) all.add(x);
    const w = cr.rule.when;
    const conjuncts = w === undefined ? [] : 'all' in w ? w.all : [w];
    let indexed = 0;
    for (const k of conjuncts) {
      const neg = 'not' in k;
      const l = (neg ? (k as { not: Condition }).not : k) as Leaf;
      if (!('fact' in l)) continue;
      const slot = plainSlot(l.fact);
      if (slot === undefined) continue;
      const t = c.product.facts[slot]!.type;
      if (OPS[l.operator] && (t.kind === 'money' || isNumeric(t)) && (typeof l.value === 'string' || typeof l.value === 'number')) {
        // A present fact makes `not (a > x)` exactly `a <= x`.
        const op = neg ? FLIP[OPS[l.operator]!] : OPS[l.operator]!;
        const x = leafRuntime(l.value, t);
        if (!(t.kind === 'money' ? isMoney(x) : isDec(x))) continue;
        const key = `${slot} ${op}`;
        let g = thresholds.get(key);
        if (!g) thresholds.set(key, (g = { slot, op, t, at: [] }));
        g.at.push({ x, rule: i });
        indexed++;
        continue;
      }
      if (!['equal', 'notEqual', 'in', 'notIn'].includes(l.operator)) continue;
      const dom = domain(slot);
      if (!dom) continue;
      const isArr = Array.isArray(l.value);
      if ((l.operator === 'in' || l.operator === 'notIn') !== isArr || (typeof l.value === 'object' && l.value !== null && !isArr)) continue;
      const lits = (isArr ? l.value : [l.value]) as unknown[];
      const positive = (l.operator === 'equal' || l.operator === 'in') !== neg;
      let m = kills.get(slot);
      if (!m) kills.set(slot, (m = new Map(dom.map((v) => [v, new Uint32Array(words)]))));
      const b = bitOf[i]!;
      for (const v of dom) if (lits.includes(v) !== positive) m.get(v)![b >>> 5]! |= 1 << (b & 31);
      indexed++;
    }
    // Every conjunct indexed, nothing else to the rule: not killed (all its facts present) is fired.
    if (w !== undefined && indexed === conjuncts.length && !cr.requires && !cr.rule.unless) {
      full[i] = 1;
      // Fired, every conjunct is true: its leaf checked true (false under a `not`), one check
      // per leaf in source order, as evaluating the rule with its checks records them.
      // Flat, per leaf: text, fact, operator, required, slot, result (one array per rule: the
      // reasons of a decision read a few rules' templates, each from one place in memory).
      const leaves: FiredLeaf[] = [];
      for (const k of conjuncts) {
        const neg = 'not' in k;
        const info = plainLeafInfo.get((neg ? (k as { not: Condition }).not : k) as Leaf);
        if (info === undefined) break;
        leaves.push(info.text, info.fact, info.operator, info.required, info.slot, !neg);
      }
      const { id, kind, label, cite } = cr.rule;
      if (leaves.length === conjuncts.length * 6) firedChecks[i] = { id, kind, label, cite, effect: cr.effect, leaves };
    }
  });
  const plainByLevel = c.claimLevels.map((idx) => idx.filter((i) => factsOf[i] !== undefined));
  // The pool (see LeanPlan): each distinct bitset once.
  const pooled: Uint32Array[] = [];
  const pooledAt = new Map<Uint32Array, number>();
  const intern = (bits: Uint32Array): number => {
    let k = pooledAt.get(bits);
    if (k === undefined) { pooledAt.set(bits, (k = pooled.length)); pooled.push(bits); }
    return k * words;
  };
  const ranges: RangeIndex[] = [...thresholds.values()].map(({ slot, op, t, at }) => {
    const cmp = comparator(t);
    at.sort((a, b) => cmp(a.x, b.x));
    const killed = at.map(() => new Uint32Array(words));
    const order = op === 'gt' || op === 'ge' ? at.map((_, k) => at.length - 1 - k) : at.map((_, k) => k);
    let acc = new Uint32Array(words);
    for (const k of order) {
      acc = acc.slice();
      const b = bitOf[at[k]!.rule]!;
      acc[b >>> 5]! |= 1 << (b & 31);
      killed[k] = acc;
    }
    const xs = at.map((a) => (isMoney(a.x) ? a.x.amount : (a.x as Dec)));
    const exact = xs.every((x) => x.isInteger() && x.abs().lte(Number.MAX_SAFE_INTEGER));
    return { slot, op, xs, money: t.kind === 'money', killed: Int32Array.from(killed, intern), xn: exact ? Float64Array.from(xs, (x) => x.toNumber()) : undefined };
  });
  const index = [...kills].map(([slot, kill]) => ({ slot, kill: new Map([...kill].map(([v, bits]) => [v, intern(bits)])) }));
  const pool = new Uint32Array(pooled.length * words);
  pooled.forEach((bits, k) => pool.set(bits, k * words));
  const levelMask = plainByLevel.map((idx) => {
    const m = new Uint32Array(words);
    for (const i of idx) m[bitOf[i]! >>> 5]! |= 1 << (bitOf[i]! & 31);
    return m;
  });
  const levelWords = plainByLevel.map((idx): [number, number] => (idx.length ? [bitOf[idx[0]!]! >>> 5, (bitOf[idx[idx.length - 1]!]! >>> 5) + 1] : [0, 0]));
  return {
    ranges, sideEffecting, plainByLevel, factsOf, plainSlots: Int32Array.from(all), words, scratch: new Uint32Array(words),
    fires: new Array(rules.length).fill(undefined), touched: [], index, pool,
    bitOf, ruleAt: Int32Array.from(ruleAt), levelMask, levelWords, sources: new Int32Array(index.length + ranges.length),
    full, firedChecks, ids: rules.map((cr) => cr.rule.id),
    levelOf: (() => { const l = new Int8Array(rules.length).fill(-1); c.claimLevels.forEach((idx, level) => { for (const i of idx) l[i] = level; }); return l; })(),
    rawShow: c.product.facts.map((f) => (f.type.kind === 'money' ? f.type.currency : f.type.kind === 'integer' ? 0 : undefined)),
    sideByLevel: c.claimLevels.map((idx) => idx.filter((i) => factsOf[i] === undefined)),
  };
}

// Whether a condition reads only plain input facts and literals; collects their slots.
function plainFacts(cnd: Condition, plainSlot: (n: string) => number | undefined, slots: Set<number>): boolean {
  if ('all' in cnd) return cnd.all.every((x) => plainFacts(x, plainSlot, slots));
  if ('any' in cnd) return cnd.any.every((x) => plainFacts(x, plainSlot, slots));
  if ('not' in cnd) return plainFacts(cnd.not, plainSlot, slots);
  const slot = plainSlot(cnd.fact);
  if (slot === undefined) return false;
  slots.add(slot);
  if (typeof cnd.value === 'object' && cnd.value !== null && !Array.isArray(cnd.value)) {
    const r = plainSlot((cnd.value as { fact: string }).fact);
    if (r === undefined) return false;
    slots.add(r);
  }
  return true;
}

// ---------------------------------------------------------------- decide
export interface DecideOptions {
  trace?: boolean;
}

interface RuleResult {
  cr: CompiledRule;
  fires: boolean | Unknown;
  checks: Check[];
  item?: number;
}

export function decide(c: Compiled, input: unknown, opts: DecideOptions = {}): Decision {
  const p = c.product;
  const { slots, errors } = readFactSlots(p, input);
  const base: Decision = {
    schema: DECISION_SCHEMA_ID,
    product: decisionProduct(p),
    outcome: 'error', eligibility: 'undetermined', deciding: [], missing: [], errors, reasons: [], items: [], lookups: [], amounts: [], formulas: [],
  };
  if (errors.length) return base;
  const trace = opts.trace !== false;
  const s: Scope = { slots, item: undefined, itemIndex: -1, itemList: undefined, memo: new Map(), trace, steps: null, lookups: [], checks: null, part: 'when' };

  // Claim-level rules: one truth value per rule (claimRules order; undefined: not evaluated, as
  // it cannot change the decision, see LeanPlan), and in a full trace its checks.
  const rules = c.claimRules;
  const claimChecks: Check[][] = [];
  const unknownClaim: number[] = [];
  let fires: (boolean | Unknown | undefined)[];
  let firedAt: (number[] | undefined)[] | undefined;
  if (trace) {
    fires = new Array(rules.length);
    for (let i = 0; i < rules.length; i++) {
      const checks: Check[] = [];
      s.checks = checks;
      fires[i] = evalRule(rules[i]!, s);
      claimChecks.push(checks);
    }
    s.checks = null;
  } else fires = evalClaimLean(c, s, unknownClaim, (firedAt = [undefined, undefined, undefined, undefined, undefined]));

  // Per-item rules, once per element of their list.
  const itemResults: RuleResult[][] = [];
  const listMissing: string[] = [];
  const lists = c.forEachLists;
  const listName = lists[0];
  let items: Record<string, unknown>[] | undefined;
  if (listName) {
    const listSlot = c.slotOf.get(listName);
    items = (listSlot === undefined ? undefined : slots[listSlot]) as Record<string, unknown>[] | undefined;
    if (items === undefined) listMissing.push(listName);
    else {
      items.forEach((it, i) => {
        const is: Scope = { ...s, item: it, itemIndex: i, itemList: listName };
        itemResults.push(c.itemRules.map((cr) => {
          const checks: Check[] = [];
          is.checks = trace ? checks : null;
          const fires = evalRule(cr, is);
          is.checks = null;
          return { cr, fires, checks, item: i };
        }));
      });
    }
  }

  // Lean mode: what evalClaimLean found (a full trace has neither).
  const leanUnknown = firedAt === undefined ? undefined : unknownClaim;
  const elig = claimLadder(c, fires, 1, 2, 'eligible' as Outcome, firedAt, leanUnknown);
  base.eligibility = elig.outcome === 'ineligible' ? 'ineligible' : elig.outcome === 'undetermined' ? 'undetermined' : 'eligible';

  const { hasItemCover, hasClaimCover } = c;
  const claim = claimLadder(c, fires, 0, hasItemCover && !hasClaimCover ? 4 : 5, 'not-covered', firedAt, leanUnknown);
  let outcome = claim.outcome;
  // The deciding rules: claim-level ones by index, per-item ones as results.
  let decidingClaim = claim.deciding;
  let decidingItems: RuleResult[] = [];
  // Only per-item decisions add to the claim's missing facts (claim.missing: sorted, distinct).
  let missing = listName ? new Set(claim.missing) : undefined;
  const itemDecisions: ItemDecision[] = [];
  const claimBlocks = ['invalid', 'ineligible', 'excluded', 'refused'].includes(claim.outcome) || (hasClaimCover && claim.outcome === 'not-covered');
  if (listName && !claimBlocks) {
    if (items === undefined) {
      outcome = 'undetermined';
      for (const m of listMissing) missing!.add(m);
    } else {
      const claimIds = claim.deciding.map((i) => rules[i]!.rule.id);
      itemResults.forEach((rs, i) => {
        // An item is covered when the claim is within cover and nothing refuses the item: with
        // per-item cover rules, one of them must pay the item; without, the claim's cover does.
        const l = ladder(rs, hasItemCover ? LEVELS : LEVELS.slice(0, 4), hasItemCover ? 'not-covered' : claim.outcome);
        let o = l.outcome;
        const m = new Set(l.missing);
        if (claim.outcome === 'undetermined' && (o === 'covered' || o === 'not-covered' || o === 'undetermined')) {
          o = 'undetermined';
          for (const f of claim.missing) m.add(f);
        }
        const ids = !hasItemCover && o === 'covered' ? claimIds : l.deciding.map((r) => r.cr.rule.id);
        itemDecisions.push({ index: i, outcome: o, deciding: [...new Set(ids)], missing: [...m].sort() });
      });
      const outs = itemDecisions.map((d) => d.outcome);
      const order: Outcome[] = ['undetermined', 'covered', 'excluded', 'refused', 'invalid', 'ineligible', 'not-covered'];
      // No items: the claim-level decision stands (a claim may be covered with nothing itemised).
      outcome = outs.length === 0 ? (hasItemCover && !hasClaimCover ? 'not-covered' : claim.outcome) : order.find((o) => outs.includes(o))!;
      missing = new Set(outs.length === 0 ? claim.missing : itemDecisions.flatMap((d) => d.missing));
      // The overall outcome is decided by the rules that decided the items sharing it; the
      // rules that refused other items are in those items' own decisions.
      decidingClaim = claim.outcome === 'covered' && (outcome === 'covered' || outs.length === 0) ? claim.deciding : [];
      const dec = new Set<RuleResult>();
      for (const r of itemResults.flat()) {
        const item = itemDecisions[r.item!]!;
        if (item.outcome === outcome && item.deciding.includes(r.cr.rule.id) && r.fires === true) dec.add(r);
      }
      decidingItems = [...dec];
    }
  }
  base.outcome = outcome;
  const claimIds = c.lean.ids;
  const ids = decidingClaim.map((i) => claimIds[i]!);
  if (decidingItems.length || !c.uniqueClaimIds) {
    for (const r of decidingItems) ids.push(r.cr.rule.id);
    base.deciding = [...new Set(ids)];
  } else base.deciding = ids;
  base.missing = outcome === 'undetermined' ? (missing ? [...missing].sort() : claim.missing.slice()) : [];
  base.items = itemDecisions;
  const decSet = decidingClaim.length > 16 ? new Set(decidingClaim) : undefined;
  const decItems: ReadonlySet<RuleResult> = decidingItems.length ? new Set(decidingItems) : NO_RESULTS;
  if (trace) {
    for (let i = 0; i < rules.length; i++) base.reasons.push(reason(rules[i]!, fires[i]!, claimChecks[i]!, undefined, decSet !== undefined ? decSet.has(i) : decidingClaim.includes(i)));
    for (const rs of itemResults) for (const r of rs) base.reasons.push(reason(r.cr, r.fires, r.checks, r.item, decItems.has(r)));
  } else {
    // Lean mode: the rules that decided, the ones waiting for facts, and (when nothing pays) the
    // cover rules that did not fire; each evaluated again with its checks, so these reasons are
    // as complete as in a full trace.
    const again = (cr: CompiledRule, sc: Scope, item: number | undefined, deciding: boolean): Reason => {
      const checks: Check[] = [];
      sc.checks = checks;
      const f = evalRule(cr, sc);
      sc.checks = null;
      return reason(cr, f, checks, item, deciding);
    };
    const notCovered = outcome === 'not-covered';
    // In source order, without visiting every rule.
    const allDeciding = unknownClaim.length === 0 && !notCovered;
    const shown = allDeciding ? decidingClaim : [...decidingClaim, ...unknownClaim, ...(notCovered ? c.claimLevels[4]! : [])].sort((a, b) => a - b);
    const firedChecks = c.lean.firedChecks;
    const rawShow = c.lean.rawShow;
    for (let k = 0; k < shown.length; k++) {
      const i = shown[k]!;
      if (k > 0 && shown[k - 1] === i) continue;
      const fc = firedChecks[i];
      const deciding = allDeciding || (decSet !== undefined ? decSet.has(i) : decidingClaim.includes(i));
      if (fc !== undefined && fires[i] === true) {
        // Fired, so every fact it reads is present and every leaf has its known result.
        const checks: Check[] = [];
        const shownValues = (s.shown ??= []);
        const lv = fc.leaves;
        for (let j = 0; j < lv.length; j += 6) {
          const slot = lv[j + 4] as number;
          let actual = shownValues[slot];
          if (actual === undefined) {
            const v = slots[slot];
            // An enum, text or boolean shows as itself; an amount or integer not converted yet
            // shows as its digits (no decimal needed).
            actual = shownValues[slot] = typeof v === 'string' || typeof v === 'boolean' ? v
              : v instanceof Pending ? showPending(v, rawShow[slot]) ?? showValue(factValue(slots, slot)) : showValue(v);
          }
          checks.push({ part: 'when', text: lv[j] as string, fact: lv[j + 1] as string, operator: lv[j + 2] as string, actual, required: lv[j + 3] as ShownValue, result: lv[j + 5] as boolean });
        }
        // As reason() builds it.
        const { id, kind, label, cite, effect } = fc;
        base.reasons.push(label ? { rule: id, kind, label, result: 'fired', effect, deciding, cite, checks, missing: [] } : { rule: id, kind, result: 'fired', effect, deciding, cite, checks, missing: [] });
      } else base.reasons.push(again(rules[i]!, s, undefined, deciding));
    }
    for (const rs of itemResults) {
      for (const r of rs) {
        if (decItems.has(r) || r.fires instanceof Unknown || (notCovered && r.cr.rule.kind === 'cover')) {
          base.reasons.push(again(r.cr, { ...s, item: items![r.item!], itemIndex: r.item!, itemList: listName }, r.item, decItems.has(r)));
        }
      }
    }
  }

  // Amounts, then every formula with its arithmetic.
  for (const a of c.amounts) {
    const out: { value?: unknown } = {};
    const r = computeAmount(a, s, outcome, base.missing, itemDecisions, items, trace, out);
    base.amounts.push(r);
    const v = out.value;
    // Later steps read the amount as shown (a zero shows as 0, whatever its sign).
    if (isMoney(v)) s.memo.set(a.memoKey, v.amount.isZero() ? new Money(dec(decText(v.amount)), v.currency) : v);
  }
  for (const f of c.formulas) {
    // Lean mode shows the formulas the decision used; a full trace computes and shows them all.
    if (!trace && !s.memo.has(f.name)) continue;
    const steps: FormulaStep[] = [];
    s.steps = trace ? steps : null;
    const v = f.fn(s);
    s.steps = null;
    const decl = f.decl;
    const recorded = (trace ? (s.memo.get(f.stepsKey) as FormulaStep[] | undefined) : undefined) ?? steps;
    const fr: FormulaResult = {
      name: f.name,
      ...(decl.label ? { label: decl.label } : {}),
      value: isUnknown(v) ? null : showValue(v),
      missing: isUnknown(v) ? v.sorted() : [],
      steps: trace ? recorded : [],
      cite: decl.cite,
    };
    base.formulas.push(fr);
  }
  base.lookups = s.lookups;
  return base;
}

// Lean evaluation of the claim-level rules (see LeanPlan): rules with side effects in source
// order, as a full trace evaluates them; then the plain ones by ladder level.
interface RangeIndex {
  slot: number;
  // gt: fact > X, killed when X >= v; ge: killed when X > v; lt: fact < X, killed when X <= v; le: killed when X < v.
  op: 'gt' | 'ge' | 'lt' | 'le';
  // The literals' decimals (an amount's amount), and whether the fact's value is an amount.
  xs: Dec[];
  money: boolean;
  // The same literals as JS numbers, when all are integers a double holds exactly.
  xn: Float64Array | undefined;
  // gt/ge: killed[k] = rules of positions k..end; lt/le: positions 0..k (offsets into the pool).
  killed: Int32Array;
}

// The rules a threshold index makes false for the value v, or undefined.
function rangeKills(r: RangeIndex, value: unknown): number {
  const xs = r.xs;
  // lo = first position whose literal is > v (strict: ge, lt) or >= v (gt, le).
  const strict = r.op === 'ge' || r.op === 'lt';
  let lo = 0;
  let hi = xs.length;
  if (typeof value === 'number' && r.xn !== undefined) {
    const xn = r.xn;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (strict ? xn[m]! <= value : xn[m]! < value) lo = m + 1; else hi = m;
    }
  } else {
    const v = r.money ? (value as Money).amount : value instanceof Fraction ? value.value() : (value as Dec);
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const c = cmpDec(xs[m]!, v);
      if (strict ? c <= 0 : c < 0) lo = m + 1; else hi = m;
    }
  }
  if (r.op === 'gt' || r.op === 'ge') return lo < xs.length ? r.killed[lo]! : -1;
  return lo > 0 ? r.killed[lo - 1]! : -1;
}

// firedAt[level]: the level's plain rules that fired, in source order (bits are in ladder order).
function evalClaimLean(c: Compiled, s: Scope, unknown: number[], firedAt: (number[] | undefined)[]): (boolean | Unknown | undefined)[] {
  const rules = c.claimRules;
  const lean = c.lean;
  // The truth values live in a scratch array per product (decide() never runs inside another
  // decide()): first clear what the last decision wrote, whether or not it finished.
  const fires = lean.fires;
  const touched = lean.touched;
  for (let k = 0; k < touched.length; k++) fires[touched[k]!] = undefined;
  touched.length = 0;
  for (const i of lean.sideEffecting) {
    touched.push(i);
    const f = evalRule(rules[i]!, s);
    fires[i] = f;
    if (f instanceof Unknown) unknown.push(i);
  }
  const slots = s.slots;
  // The kill sets that this decision's facts select (a scratch list: see above).
  const sources = lean.sources;
  const pool = lean.pool;
  let ns = 0;
  let exact = true;
  for (const ix of lean.index) {
    const v = slots[ix.slot];
    if (v === undefined) continue;
    const off = ix.kill.get(v);
    if (off !== undefined) sources[ns++] = off;
    else exact = false; // a value the index does not know: evaluate every survivor
  }
  for (const r of lean.ranges) {
    let v = slots[r.slot];
    if (v === undefined) continue;
    // Not converted yet: a digit string of at most 15 digits or an integer is exactly a double.
    if (v instanceof Pending) v = r.xn !== undefined && (typeof v.raw === 'number' || r.money) ? Number(v.raw) : factValue(slots, r.slot);
    const off = rangeKills(r, v);
    if (off >= 0) sources[ns++] = off;
  }
  let anyMissing = false;
  for (const slot of lean.plainSlots) if (slots[slot] === undefined) { anyMissing = true; break; }
  let decided = false;
  for (let level = 0; level < LEVELS.length; level++) {
    // Past the deciding level, only an unknown rule changes the decision (its missing facts are
    // shown); eligibility (level 1) is always decided in full.
    const lazy = decided && level >= 2;
    if (lazy && !anyMissing) break;
    // The level's plain rules that no kill set makes false, in source order (killed ones keep
    // undefined: not true, not unknown, as good as false here).
    let firedHere = false;
    const mask = lean.levelMask[level]!;
    const [from, to] = lean.levelWords[level]!;
    for (let w = from; w < to; w++) {
      let k = mask[w]!;
      for (let j = 0; j < ns && k !== 0; j++) k &= ~pool[sources[j]! + w]!;
      while (k !== 0) {
        const low = k & -k;
        k ^= low;
        const i = lean.ruleAt[(w << 5) + 31 - Math.clz32(low)]!;
        if (lazy && allPresent(lean.factsOf[i]!, slots)) continue;
        touched.push(i);
        if (exact && lean.full[i] === 1 && (!anyMissing || allPresent(lean.factsOf[i]!, slots))) {
          fires[i] = true;
          firedHere = true;
          (firedAt[level] ??= []).push(i);
          continue;
        }
        const f = evalRule(rules[i]!, s);
        fires[i] = f;
        if (f === true) {
          firedHere = true;
          (firedAt[level] ??= []).push(i);
        }
        else if (f instanceof Unknown) unknown.push(i);
      }
    }
    if (!decided) {
      if (firedHere) decided = true;
      else for (const i of lean.sideByLevel[level]!) if (fires[i] === true) { decided = true; break; }
    }
  }
  return fires;
}

// The shown value of a Pending amount (raw: 1 to 15 digits, see facts.ts; `how` is its currency)
// or integer (`how` 0), as showValue shows the converted decimal: digits without leading zeros,
// a safe integer as String() writes it. undefined: convert and show.
function showPending(v: Pending, how: string | 0 | undefined): ShownValue | undefined {
  const raw = v.raw;
  if (how === 0) return typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : undefined;
  if (how === undefined || typeof raw !== 'string' || raw.length === 0 || raw.length > 15) return undefined;
  let z = 0;
  for (let k = 0; k < raw.length; k++) {
    const ch = raw.charCodeAt(k);
    if (ch < 48 || ch > 57) return undefined;
    if (ch === 48 && z === k && k < raw.length - 1) z++;
  }
  return { amount: z === 0 ? raw : raw.slice(z), currency: how };
}

const NO_RESULTS: ReadonlySet<RuleResult> = new Set();

function allPresent(facts: Int32Array, slots: unknown[]): boolean {
  for (let k = 0; k < facts.length; k++) if (slots[facts[k]!] === undefined) return false;
  return true;
}

// The claim-level ladder over LEVELS[from..to), on the rules' truth values.
// Lean mode passes what evalClaimLean found (firedAt, and the unknown rules), so that a level
// without side-effecting rules is not scanned; the result is the same.
function claimLadder(
  c: Compiled, fires: (boolean | Unknown | undefined)[], from: number, to: number, otherwise: Outcome,
  firedAt?: (number[] | undefined)[], unknown?: number[],
): { outcome: Outcome; deciding: number[]; missing: string[] } {
  let missing: Set<string> | undefined;
  const sideByLevel = c.lean.sideByLevel;
  const levelOf = c.lean.levelOf;
  for (let level = from; level < to; level++) {
    const idx = c.claimLevels[level]!;
    let fired: number[] | undefined;
    if (firedAt !== undefined && sideByLevel[level]!.length === 0) {
      const f = firedAt[level];
      if (f !== undefined) fired = f; // fresh per decision
    } else for (const i of idx) if (fires[i] === true) (fired ??= []).push(i);
    if (fired) {
      if (missing?.size) return { outcome: 'undetermined', deciding: [], missing: [...missing].sort() };
      return { outcome: LEVELS[level]![1], deciding: fired, missing: [] };
    }
    if (unknown !== undefined) {
      for (const i of unknown) {
        if (levelOf[i] !== level) continue;
        const f = fires[i];
        if (f instanceof Unknown) for (const x of f.facts) (missing ??= new Set()).add(x);
      }
    } else {
      for (const i of idx) {
        const f = fires[i];
        if (f instanceof Unknown) for (const x of f.facts) (missing ??= new Set()).add(x);
      }
    }
  }
  if (missing?.size) return { outcome: 'undetermined', deciding: [], missing: [...missing].sort() };
  return { outcome: otherwise, deciding: [], missing: [] };
}

// A rule's truth value; the caller sets s.checks to collect the checks (full trace) or null.
function evalRule(cr: CompiledRule, s: Scope): boolean | Unknown {
  let w: boolean | Unknown = true;
  if (cr.when) {
    s.part = 'when';
    w = cr.when(s);
    if (w === false) return false;
  }
  let violated: boolean | Unknown = true;
  if (cr.requires) {
    // No requirement: nothing to violate.
    if (!cr.require) return false;
    s.part = 'require';
    const r = cr.require(s);
    violated = r instanceof Unknown ? r : !r;
  }
  let notUnless: boolean | Unknown = true;
  if (violated !== false && cr.unless) {
    s.part = 'unless';
    const u = cr.unless(s);
    notUnless = u instanceof Unknown ? u : !u;
  }
  // Kleene and of the three.
  if (violated === false || notUnless === false) return false;
  if (w === true) return violated === true ? notUnless : notUnless === true ? violated : mergeUnknown([violated, notUnless]);
  if (violated === true && notUnless === true) return w;
  return mergeUnknown([w, violated, notUnless]);
}

// The outcome ladder: the first level at which a rule fires decides, unless a rule at an
// earlier level is unknown (then the decision waits for the facts that rule needs).
function ladder(results: RuleResult[], levels: [RuleKind[], Outcome][], otherwise: Outcome | 'eligible'): { outcome: Outcome; deciding: RuleResult[]; missing: string[] } {
  const fallback = otherwise as Outcome;
  const missing = new Set<string>();
  for (const [kinds, effect] of levels) {
    const rs = results.filter((r) => kinds.includes(r.cr.rule.kind));
    const fired = rs.filter((r) => r.fires === true);
    if (fired.length) {
      if (missing.size) return { outcome: 'undetermined', deciding: [], missing: [...missing].sort() };
      return { outcome: effect, deciding: fired, missing: [] };
    }
    for (const r of rs) if (isUnknown(r.fires)) for (const f of r.fires.facts) missing.add(f);
  }
  if (missing.size) return { outcome: 'undetermined', deciding: [], missing: [...missing].sort() };
  return { outcome: fallback, deciding: [], missing: [] };
}

function reason(cr: CompiledRule, fires: boolean | Unknown, checks: Check[], item: number | undefined, deciding: boolean): Reason {
  const rule = cr.rule;
  // Keys in the order of the decision schema (label and item only when there is one).
  const result = fires === true ? 'fired' : fires === false ? 'not-fired' : 'unknown';
  const missing = fires instanceof Unknown ? fires.sorted() : [];
  const { id, kind, label, cite } = rule;
  const effect = cr.effect;
  if (item === undefined) {
    return label ? { rule: id, kind, label, result, effect, deciding, cite, checks, missing } : { rule: id, kind, result, effect, deciding, cite, checks, missing };
  }
  return label ? { rule: id, kind, label, item, result, effect, deciding, cite, checks, missing } : { rule: id, kind, item, result, effect, deciding, cite, checks, missing };
}

function computeAmount(
  ca: Compiled['amounts'][number], s: Scope, outcome: Outcome, outcomeMissing: string[], items: ItemDecision[], itemValues: Record<string, unknown>[] | undefined, trace: boolean,
  out: { value?: unknown },
): AmountResult {
  const a = ca.amount;
  const steps: AmountStep[] = [];
  const zero = new Money(ZERO, a.currency);
  // What is left of each shared limit or deductible, by step index, as items use it up in order.
  const budgets = new Map<number, Dec>();
  const result = (value: unknown, missing: string[], extra: Partial<AmountResult> = {}): AmountResult => {
    out.value = value;
    const shown = isUnknown(value) ? null : showValue(value);
    const miss = missing.length ? [...missing].sort() : [];
    const st = trace ? steps : [];
    // Keys in the decision schema's order; label and items only when there are.
    const r: AmountResult = a.label
      ? { name: a.name, label: a.label, value: shown, missing: miss, steps: st, cite: a.cite }
      : { name: a.name, value: shown, missing: miss, steps: st, cite: a.cite };
    if (extra.items) r.items = extra.items;
    return r;
  };
  const run = (from: number, to: number, start: unknown, sc: Scope, item?: number): unknown => {
    let cur = start;
    for (let i = from; i < to; i++) {
      const st = ca.steps[i]!;
      const astep = (operand: unknown, before: unknown, after: unknown, applied: boolean): void => {
        if (!trace) return;
        steps.push({ step: st.kind, text: st.text, operand: showValue(operand), before: showValue(before), after: showValue(after), applied, ...(item !== undefined ? { item } : {}), cite: a.steps[i]!.cite ?? [] });
      };
      if (st.when) {
        sc.checks = null;
        const w = st.when(sc);
        if (isUnknown(w)) return w;
        if (!w) {
          astep(null, cur, cur, false);
          continue;
        }
      }
      const x = st.fn ? st.fn(sc) : undefined;
      if (isUnknown(x)) return x;
      if (isUnknown(cur) && st.kind !== 'start') return cur;
      const m = cur as Money;
      let next: unknown;
      if (st.shared) {
        const left = budgets.get(i) ?? (x as Money).amount;
        const used = m.amount.cmp(left) > 0 ? left : m.amount;
        budgets.set(i, left.minus(used));
        next = new Money(st.kind === 'limit' ? used : m.amount.minus(used), a.currency);
        astep(new Money(left, a.currency), m, next, true);
        cur = next;
        continue;
      }
      switch (st.kind) {
        case 'start': next = x; break;
        case 'add': next = new Money(m.amount.plus((x as Money).amount), a.currency); break;
        case 'subtract': next = new Money(m.amount.minus((x as Money).amount), a.currency); break;
        case 'deductible': next = new Money(Decimalmax(m.amount.minus((x as Money).amount)), a.currency); break;
        case 'coinsurance': case 'multiply': next = new Money(m.amount.mul(asNumber(x)), a.currency); break;
        case 'limit': next = m.amount.cmp((x as Money).amount) > 0 ? x : m; break;
        case 'floor': next = m.amount.cmp((x as Money).amount) < 0 ? x : m; break;
        case 'aggregate': {
          const used = st.used!(sc);
          if (isUnknown(used)) return used;
          const room = Decimalmax((x as Money).amount.minus((used as Money).amount));
          next = m.amount.cmp(room) > 0 ? new Money(room, a.currency) : m;
          astep(new Money(room, a.currency), m, next, true);
          cur = next;
          continue;
        }
        case 'round': next = new Money(roundTo(m.amount, isMoney(x) ? x.amount : asNumber(x), a.steps[i]!.mode!), a.currency); break;
        default: next = m;
      }
      astep(x, cur, next, true);
      cur = next;
    }
    return cur;
  };
  const totalAt = ca.steps.findIndex((st) => st.kind === 'total');
  if (!a.forEach) {
    if (a.payable && outcome !== 'covered') {
      if (outcome === 'undetermined') return result(new Unknown(outcomeMissing), outcomeMissing);
      if (trace) steps.push({ step: 'not-payable', text: outcome, operand: null, before: null, after: showValue(zero), applied: true, cite: [] });
      return result(zero, []);
    }
    const v = run(0, ca.steps.length, zero, s);
    return result(v, isUnknown(v) ? v.facts : []);
  }
  const list = itemValues;
  if (list === undefined) return result(new Unknown([a.forEach]), [a.forEach]);
  const perItem: unknown[] = [];
  list.forEach((it, i) => {
    const d = items[i];
    if (a.payable && d && d.outcome !== 'covered') {
      perItem.push(d.outcome === 'undetermined' ? new Unknown(d.missing) : zero);
      return;
    }
    if (a.payable && !d && outcome !== 'covered') {
      perItem.push(outcome === 'undetermined' ? new Unknown([]) : zero);
      return;
    }
    const is: Scope = { ...s, item: it, itemIndex: i, itemList: a.forEach };
    perItem.push(run(0, totalAt < 0 ? ca.steps.length : totalAt, zero, is, i));
  });
  const shownItems = perItem.map((v) => (isUnknown(v) ? null : showValue(v)));
  if (perItem.some(isUnknown)) {
    const u = mergeUnknown(perItem);
    return result(u, u.facts, { items: shownItems });
  }
  let total: unknown = new Money(perItem.reduce((sum: Dec, m) => sum.plus((m as Money).amount), ZERO), a.currency);
  if (totalAt >= 0) {
    if (trace) steps.push({ step: 'total', text: 'total', operand: null, before: null, after: showValue(total), applied: true, cite: [] });
    total = run(totalAt + 1, ca.steps.length, total, s);
  }
  return result(total, isUnknown(total) ? total.facts : [], { items: shownItems });
}

function Decimalmax(d: Dec): Dec {
  return d.isNegative() ? ZERO : d;
}

export { isNumeric };

// The values of named facts (input facts, formulas, table outputs, derived values) as the
// engine computes them, for the json-rules-engine reference run: Unknown becomes undefined.
export function namedValues(c: Compiled, input: unknown, names: string[], itemIndex?: number): Map<string, unknown> {
  const { slots } = readFactSlots(c.product, input);
  const list = c.forEachLists[0];
  const listSlot = list ? c.slotOf.get(list) : undefined;
  const items = listSlot !== undefined ? (slots[listSlot] as Record<string, unknown>[] | undefined) : undefined;
  const s: Scope = {
    slots, item: itemIndex !== undefined ? items?.[itemIndex] : undefined, itemIndex: itemIndex ?? -1, itemList: list,
    memo: new Map(), trace: false, steps: null, lookups: [], checks: null, part: 'when',
  };
  const out = new Map<string, unknown>();
  for (const n of names) {
    let v: unknown;
    if (n.startsWith('item.')) v = s.item?.[n.slice(5)];
    else if (c.named.has(n)) v = c.named.get(n)!(s);
    else v = c.slotOf.has(n) ? factValue(slots, c.slotOf.get(n)!) : undefined;
    if (v !== undefined && !isUnknown(v)) out.set(n, v);
  }
  return out;
}
