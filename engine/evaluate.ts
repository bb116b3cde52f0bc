// Stage 5: checked model -> closures (compile), then closures + facts -> decision (decide).
// Evaluation is three-valued: a value that needs a missing fact is an Unknown carrying exactly
// the facts it needs; `and`/`or` short-circuit as Kleene logic, so a fact that cannot change
// the result is never asked for.
import type { Amount, Condition, Expr, Formula, Leaf, Product, Rule, RuleKind, Table } from '../dsl/ir.js';
import { exprText, leafText } from '../dsl/print.js';
import { literalText } from '../dsl/literals.js';
import { OPERATORS, type VType, comparator, equals, isNumeric, UNKNOWN } from './operators.js';
import { Money, Duration, dec, roundTo, isMoney, type Dec, ZERO } from './money.js';
import { literalValue, showValue, showText as shownText } from './values.js';
import { cellMatcher, type Checked, type Types } from './check.js';
import { readFacts } from './facts.js';
import {
  DECISION_SCHEMA_ID, type AmountResult, type AmountStep, type Check, type Decision, type FormulaResult, type FormulaStep,
  type ItemDecision, type Outcome, type Reason, type TableLookup,
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
  values: Map<string, unknown>;
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
}

type Fn = (s: Scope) => unknown;
type Cond = (s: Scope) => boolean | Unknown;

interface CompiledRule {
  rule: Rule;
  when?: Cond;
  unless?: Cond;
  require?: Cond;
  effect: Outcome;
}

export interface Compiled {
  product: Product;
  claimRules: CompiledRule[];
  itemRules: CompiledRule[];
  hasItemCover: boolean;
  hasClaimCover: boolean;
  types: Types;
  rules: CompiledRule[];
  named: Map<string, Fn>;
  formulas: { name: string; fn: Fn; decl: Formula }[];
  amounts: { amount: Amount; steps: { kind: string; shared: boolean; fn?: Fn; used?: Fn; when?: Cond; text: string }[] }[];
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
  };
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
      return (s) => {
        const list = s.values.get(listName) as Record<string, unknown>[] | undefined;
        if (list === undefined) return new Unknown([listName]);
        const out: unknown[] = [];
        const missing: string[] = [];
        list.forEach((it, i) => (it[field] === undefined ? missing.push(`${listName}[${i}].${field}`) : out.push(it[field])));
        return missing.length ? new Unknown(missing) : out;
      };
    }
    const missing = new Unknown([name]);
    return (s) => {
      const v = s.values.get(name);
      return v === undefined ? missing : v;
    };
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
      return traced((s) => kleene(op, args.map((a) => () => a(s) as boolean | Unknown)));
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
        if (isUnknown(v) || isUnknown(u)) return mergeUnknown([v, u]);
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
        if (isUnknown(x) || isUnknown(y)) return mergeUnknown([x, y]);
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
    named.set(f.name, (s) => {
      if (s.memo.has(memoKey)) return s.memo.get(memoKey);
      // A formula's own trace holds only its own arithmetic; formulas it uses keep theirs.
      const outer = s.steps;
      s.steps = s.trace ? [] : null;
      const v = fn(s);
      if (s.steps) s.memo.set(`${memoKey}#steps`, s.steps);
      s.steps = outer;
      s.memo.set(memoKey, v);
      return v;
    });
    c.formulas.push({ name: f.name, fn: named.get(f.name)!, decl: f });
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

  const cond = (cnd: Condition, scope: string | undefined): Cond => compileCondition(cnd, scope, named, types, ref, p);
  for (const r of p.rules) {
    const cr: CompiledRule = { rule: r, effect: EFFECT[r.kind] };
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
  for (const a of p.amounts) {
    c.amounts.push({
      amount: a,
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

function kleene(op: 'and' | 'or' | 'not', parts: (() => boolean | Unknown)[]): boolean | Unknown {
  if (op === 'not') {
    const v = parts[0]!();
    return isUnknown(v) ? v : !v;
  }
  const dominant = op === 'or';
  const unknowns: Unknown[] = [];
  for (const p of parts) {
    const v = p();
    if (isUnknown(v)) unknowns.push(v);
    else if (v === dominant) return dominant;
  }
  return unknowns.length ? mergeUnknown(unknowns) : !dominant;
}

function compileTable(t: Table, expr: (e: Expr) => Fn, typeOf: (e: Expr) => VType, named: Map<string, Fn>): void {
  const inputs = t.inputs.map(expr);
  const inTypes = t.inputs.map(typeOf);
  const rows = t.rows.map((r) => ({ match: r.cells.map((cell, j) => cellMatcher(cell, inTypes[j]!)), outputs: r.outputs.map(literalValue), row: r }));
  const otherwise = t.otherwise?.map(literalValue);
  // Single-input tables over discrete values are indexed: lookup cost does not grow with rows.
  const index = t.inputs.length === 1 && t.rows.every((r) => 'in' in r.cells[0]!) && ['enum', 'text', 'symbol'].includes(inTypes[0]!.kind)
    ? buildIndex(rows.map((r) => r.row.cells[0] as { in: { value?: unknown }[] }))
    : undefined;
  const lookup = (s: Scope): { outputs: unknown[]; row: number } | Unknown | undefined => {
    const key = `@table:${t.name}`;
    if (s.memo.has(key)) return s.memo.get(key) as { outputs: unknown[]; row: number };
    const vals = inputs.map((f) => f(s));
    let hit: { outputs: unknown[]; row: number } | Unknown | undefined;
    if (vals.some(isUnknown)) hit = mergeUnknown(vals);
    else {
      if (index) {
        const i = index.get(vals[0] as string);
        if (i !== undefined) hit = { outputs: rows[i]!.outputs, row: i + 1 };
      } else {
        for (let i = 0; i < rows.length; i++) {
          if (rows[i]!.match.every((m, j) => m(vals[j]))) {
            hit = { outputs: rows[i]!.outputs, row: i + 1 };
            break;
          }
        }
      }
      if (!hit && otherwise) hit = { outputs: otherwise, row: 0 };
      s.lookups.push({
        table: t.name,
        ...(t.label ? { label: t.label } : {}),
        row: hit && !isUnknown(hit) ? (hit.row === 0 ? 'else' : hit.row) : null,
        inputs: t.inputs.map((e, j) => ({ text: exprText(e), value: showValue(vals[j]) })),
        outputs: hit && !isUnknown(hit) ? Object.fromEntries(t.outputs.map((o, k) => [o.name, showValue((hit as { outputs: unknown[] }).outputs[k])])) : {},
        cite: hit && !isUnknown(hit) && hit.row > 0 ? [...(t.rows[hit.row - 1]!.cite ?? []), ...t.cite] : t.cite,
      });
    }
    s.memo.set(key, hit);
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

function buildIndex(cells: { in: { value?: unknown }[] }[]): Map<string, number> {
  const m = new Map<string, number>();
  cells.forEach((c, i) => c.in.forEach((l) => { if (!m.has(String(l.value))) m.set(String(l.value), i); }));
  return m;
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

function compileCondition(
  cnd: Condition, scope: string | undefined, named: Map<string, Fn>, types: Types, ref: (n: string) => Fn, p: Product,
): Cond {
  if ('all' in cnd || 'any' in cnd) {
    const op = 'all' in cnd ? 'and' : 'or';
    const parts = ('all' in cnd ? cnd.all : cnd.any).map((x) => compileCondition(x, scope, named, types, ref, p));
    return (s) => kleene(op, parts.map((f) => () => f(s)));
  }
  if ('not' in cnd) {
    const inner = compileCondition(cnd.not, scope, named, types, ref, p);
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
  return (s) => {
    const a = left(s);
    const b = rightFn(s);
    let result: boolean | Unknown;
    if (isUnknown(a) || isUnknown(b)) result = mergeUnknown([a, b]);
    else result = test(a, b);
    if (s.checks) {
      s.checks.push({
        part: s.part, text, fact: leaf.fact, operator: op,
        actual: isUnknown(a) ? null : showValue(a), required: isUnknown(b) ? null : showValue(b),
        result: isUnknown(result) ? null : result,
      });
    }
    return result;
  };
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
  const { values, errors } = readFacts(p, input);
  const base: Decision = {
    schema: DECISION_SCHEMA_ID,
    product: { id: p.id, revision: p.revision, source: p.source },
    outcome: 'error', eligibility: 'undetermined', deciding: [], missing: [], errors, reasons: [], items: [], lookups: [], amounts: [], formulas: [],
  };
  if (errors.length) return base;
  const trace = opts.trace !== false;
  const s: Scope = { values, item: undefined, itemIndex: -1, itemList: undefined, memo: new Map(), trace, steps: null, lookups: [], checks: null, part: 'when' };

  const claimResults: RuleResult[] = [];
  for (const cr of c.claimRules) claimResults.push(evalRule(cr, s, trace));

  // Per-item rules, once per element of their list.
  const itemResults: RuleResult[][] = [];
  const listMissing: string[] = [];
  const lists = c.forEachLists;
  const listName = lists[0];
  let items: Record<string, unknown>[] | undefined;
  if (listName) {
    items = values.get(listName) as Record<string, unknown>[] | undefined;
    if (items === undefined) listMissing.push(listName);
    else {
      items.forEach((it, i) => {
        const is: Scope = { ...s, item: it, itemIndex: i, itemList: listName };
        itemResults.push(c.itemRules.map((cr) => ({ ...evalRule(cr, is, trace), item: i })));
      });
    }
  }

  const elig = ladder(claimResults.filter((r) => r.cr.rule.kind === 'eligibility' || r.cr.rule.kind === 'ineligible'), LEVELS.slice(1, 2), 'eligible');
  base.eligibility = elig.outcome === 'ineligible' ? 'ineligible' : elig.outcome === 'undetermined' ? 'undetermined' : 'eligible';

  const { hasItemCover, hasClaimCover } = c;
  const claim = ladder(claimResults, hasItemCover && !hasClaimCover ? LEVELS.slice(0, 4) : LEVELS, 'not-covered');
  let outcome = claim.outcome;
  let deciding = claim.deciding;
  let missing = new Set(claim.missing);
  const itemDecisions: ItemDecision[] = [];
  const claimBlocks = ['invalid', 'ineligible', 'excluded', 'refused'].includes(claim.outcome) || (hasClaimCover && claim.outcome === 'not-covered');
  if (listName && !claimBlocks) {
    if (items === undefined) {
      outcome = 'undetermined';
      for (const m of listMissing) missing.add(m);
    } else {
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
        if (!hasItemCover && o === 'covered') l.deciding = claim.deciding;
        itemDecisions.push({ index: i, outcome: o, deciding: [...new Set(l.deciding.map((r) => r.cr.rule.id))], missing: [...m].sort() });
      });
      const outs = itemDecisions.map((d) => d.outcome);
      const order: Outcome[] = ['undetermined', 'covered', 'excluded', 'refused', 'invalid', 'ineligible', 'not-covered'];
      // No items: the claim-level decision stands (a claim may be covered with nothing itemised).
      outcome = outs.length === 0 ? (hasItemCover && !hasClaimCover ? 'not-covered' : claim.outcome) : order.find((o) => outs.includes(o))!;
      missing = new Set(outs.length === 0 ? claim.missing : itemDecisions.flatMap((d) => d.missing));
      // The overall outcome is decided by the rules that decided the items sharing it; the
      // rules that refused other items are in those items' own decisions.
      const dec = new Set<RuleResult>(claim.outcome === 'covered' && (outcome === 'covered' || outs.length === 0) ? claim.deciding : []);
      itemResults.flat().forEach((r) => {
        const item = itemDecisions[r.item!]!;
        if (item.outcome === outcome && item.deciding.includes(r.cr.rule.id) && r.fires === true) dec.add(r);
      });
      deciding = [...dec];
    }
  }
  base.outcome = outcome;
  base.deciding = [...new Set(deciding.map((r) => r.cr.rule.id))];
  base.missing = outcome === 'undetermined' ? [...missing].sort() : [];
  base.items = itemDecisions;
  const decidingSet = new Set(deciding);
  const all = [...claimResults, ...itemResults.flat()];
  if (trace) base.reasons = all.map((r) => reason(r, decidingSet.has(r)));
  else {
    // Lean mode: the rules that decided, the ones waiting for facts, and (when nothing pays) the
    // cover rules that did not fire; each evaluated again with its checks, so these reasons are
    // as complete as in a full trace.
    const shown = all.filter((r) => decidingSet.has(r) || isUnknown(r.fires) || (outcome === 'not-covered' && r.cr.rule.kind === 'cover'));
    base.reasons = shown.map((r) => {
      const sc: Scope = r.item === undefined ? s : { ...s, item: items![r.item], itemIndex: r.item, itemList: listName };
      return reason({ ...evalRule(r.cr, sc, true), ...(r.item !== undefined ? { item: r.item } : {}) }, decidingSet.has(r));
    });
  }

  // Amounts, then every formula with its arithmetic.
  for (const a of c.amounts) {
    const r = computeAmount(a, s, outcome, base.missing, itemDecisions, items, trace);
    base.amounts.push(r);
    if (r.value !== null && typeof r.value === 'object' && 'amount' in r.value) s.memo.set(`@amount:${a.amount.name}`, new Money(dec(r.value.amount), r.value.currency));
  }
  for (const f of c.formulas) {
    // Lean mode shows the formulas the decision used; a full trace computes and shows them all.
    if (!trace && !s.memo.has(f.name)) continue;
    const steps: FormulaStep[] = [];
    s.steps = trace ? steps : null;
    const v = f.fn(s);
    s.steps = null;
    const decl = f.decl;
    const recorded = (s.memo.get(`${f.name}#steps`) as FormulaStep[] | undefined) ?? steps;
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

function evalRule(cr: CompiledRule, s: Scope, trace: boolean): RuleResult {
  const checks: Check[] = [];
  s.checks = trace ? checks : null;
  const part = (name: Check['part'], f: Cond | undefined, dflt: boolean): boolean | Unknown => {
    if (!f) return dflt;
    s.part = name;
    return f(s);
  };
  const requires = cr.rule.kind === 'eligibility' || cr.rule.kind === 'condition' || cr.rule.kind === 'constraint';
  const w = part('when', cr.when, true);
  let fires: boolean | Unknown;
  if (w === false) fires = false;
  else {
    const violated: boolean | Unknown = requires ? negate(part('require', cr.require, true)) : true;
    const u = violated === false ? false : part('unless', cr.unless, false);
    fires = kleene('and', [() => w, () => violated, () => negate(u)]);
  }
  s.checks = null;
  return { cr, fires, checks };
}

function negate(v: boolean | Unknown): boolean | Unknown {
  return isUnknown(v) ? v : !v;
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

function reason(r: RuleResult, deciding: boolean): Reason {
  const rule = r.cr.rule;
  return {
    rule: rule.id,
    kind: rule.kind,
    ...(rule.label ? { label: rule.label } : {}),
    ...(r.item !== undefined ? { item: r.item } : {}),
    result: r.fires === true ? 'fired' : r.fires === false ? 'not-fired' : 'unknown',
    effect: r.cr.effect,
    deciding,
    cite: rule.cite,
    checks: r.checks,
    missing: isUnknown(r.fires) ? r.fires.sorted() : [],
  };
}

function computeAmount(
  ca: Compiled['amounts'][number], s: Scope, outcome: Outcome, outcomeMissing: string[], items: ItemDecision[], itemValues: Record<string, unknown>[] | undefined, trace: boolean,
): AmountResult {
  const a = ca.amount;
  const steps: AmountStep[] = [];
  const zero = new Money(ZERO, a.currency);
  // What is left of each shared limit or deductible, by step index, as items use it up in order.
  const budgets = new Map<number, Dec>();
  const result = (value: unknown, missing: string[], extra: Partial<AmountResult> = {}): AmountResult => ({
    name: a.name, ...(a.label ? { label: a.label } : {}),
    value: isUnknown(value) ? null : showValue(value), missing: [...missing].sort(), steps: trace ? steps : [], cite: a.cite, ...extra,
  });
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
  const { values } = readFacts(c.product, input);
  const list = c.forEachLists[0];
  const items = list ? (values.get(list) as Record<string, unknown>[] | undefined) : undefined;
  const s: Scope = {
    values, item: itemIndex !== undefined ? items?.[itemIndex] : undefined, itemIndex: itemIndex ?? -1, itemList: list,
    memo: new Map(), trace: false, steps: null, lookups: [], checks: null, part: 'when',
  };
  const out = new Map<string, unknown>();
  for (const n of names) {
    let v: unknown;
    if (n.startsWith('item.')) v = s.item?.[n.slice(5)];
    else if (c.named.has(n)) v = c.named.get(n)!(s);
    else v = values.get(n);
    if (v !== undefined && !isUnknown(v)) out.set(n, v);
  }
  return out;
}
