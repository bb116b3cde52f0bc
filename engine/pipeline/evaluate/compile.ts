// Checked model -> closures, once per product revision. Names resolve at compile time (a fact's
// slot, a formula's closure), so a decision only runs closures over its Scope.
import type { Expr, Leaf, Product } from '../../../dsl/ir.js';
import { exprText } from '../../../dsl/print.js';
import { literalText } from '../../../dsl/literals.js';
import { OPERATORS, type VType, UNKNOWN } from '../operators.js';
import { Money, roundTo, isMoney, type Dec } from '../money.js';
import { literalValue, numericValue, showValue, showerOf } from '../values.js';
import { factValue, Pending } from '../facts.js';
import type { Checked, Types } from '../check.js';
import { type Compiled, type CompiledRule, type Cond, type Fn, COVER_LEVEL, LEVELS, levelOf } from './compiled.js';
import { Unknown, isUnknown, kleene, merge2, mergeUnknown } from './unknown.js';
import { compileTable } from './tables.js';
import { compileCondition, type PlainLeaf } from './conditions.js';
import { planFast } from './fast-plan.js';

// What the parts of the compiler (tables, conditions, the fast plan) share.
export interface Compiler {
  product: Product;
  types: Types;
  named: Map<string, Fn>;
  ref(name: string): Fn;
  expr(e: Expr): Fn;
  typeOf(e: Expr): VType;
  // The slot of a name that is a plain input fact (not a formula, table output, derived value,
  // item field or list field), else undefined.
  plainSlot(name: string): number | undefined;
  // Each leaf that compares a plain fact with a literal, and what its check shows.
  plainLeaves: Map<Leaf, PlainLeaf>;
}

export function compile(checked: Checked): Compiled {
  // The Unknowns made here (one per missing fact or table miss) are shared by every decision.
  return Unknown.sharedWhile(() => compileShared(checked));
}

function compileShared(checked: Checked): Compiled {
  const p = checked.product;
  const types = checked.types;
  const named = new Map<string, Fn>();
  const slotOf = new Map(p.facts.map((f, i) => [f.name, i]));
  // Names that are computed, not read from the facts.
  const computed = new Set([
    ...p.formulas.map((f) => f.name),
    ...p.amounts.map((a) => a.name),
    ...p.derived.map((d) => d.name),
    ...p.tables.flatMap((t) => t.outputs.map((o) => `${t.name}.${o.name}`)),
  ]);
  const isListField = (name: string): boolean => {
    const dot = name.lastIndexOf('.');
    return dot > 0 && types.itemFields.has(name.slice(0, dot));
  };

  const ref = (name: string): Fn => {
    if (name.startsWith('item.')) {
      const field = name.slice(5);
      return (s) => {
        const v = s.item?.[field];
        return v === undefined ? new Unknown([`${s.itemList}[${s.itemIndex}].${field}`]) : v;
      };
    }
    // Resolved when called: a formula may use one declared after it.
    if (named.has(name) || computed.has(name)) {
      let fn: Fn | undefined;
      return (s) => (fn ??= named.get(name)!)(s);
    }
    if (isListField(name)) return listField(name, slotOf.get(name.slice(0, name.lastIndexOf('.'))));
    const missing = Unknown.shared([name]);
    const slot = slotOf.get(name);
    if (slot === undefined) return () => missing;
    return (s) => {
      const v = s.slots[slot];
      return v === undefined ? missing : v instanceof Pending ? factValue(s.slots, slot) : v;
    };
  };
  const plainSlot = (name: string): number | undefined => {
    if (name.startsWith('item.') || named.has(name) || computed.has(name) || isListField(name)) return undefined;
    return slotOf.get(name);
  };
  const typeOf = (e: Expr): VType => types.exprs.get(e) ?? UNKNOWN;
  const cx: Compiler = {
    product: p,
    types,
    named,
    ref,
    typeOf,
    plainSlot,
    plainLeaves: new Map(),
    expr: (e) => compileExpr(e, cx),
  };

  // Named values are memoized per decision (and per item for item-scoped derived values).
  for (const a of p.amounts) {
    const later = Unknown.shared([`(amount ${a.name} is computed later)`]);
    named.set(a.name, (s) => s.memo.get(`@amount:${a.name}`) ?? later);
  }
  const formulas: Compiled['formulas'] = [];
  for (const f of p.formulas) {
    const fn = cx.expr(f.expr);
    const stepsKey = `${f.name}#steps`;
    const name = f.name;
    const memoized: Fn = (s) => {
      const hit = s.memo.get(name);
      if (hit !== undefined || s.memo.has(name)) return hit;
      // A formula's own trace holds only its own arithmetic; formulas it uses keep theirs.
      const outer = s.steps;
      s.steps = s.trace ? [] : null;
      const v = fn(s);
      if (s.steps) s.memo.set(stepsKey, s.steps);
      s.steps = outer;
      s.memo.set(f.name, v);
      return v;
    };
    named.set(f.name, memoized);
    formulas.push({ name: f.name, fn: memoized, decl: f, stepsKey });
  }
  for (const d of p.derived) {
    const fn = cx.expr(d.expr);
    named.set(d.name, (s) => {
      const key = d.forEach ? `${d.name}#${s.itemIndex}` : d.name;
      const hit = s.memo.get(key);
      if (hit !== undefined || s.memo.has(key)) return hit;
      const outer = s.steps;
      s.steps = null;
      const v = fn(s);
      s.steps = outer;
      s.memo.set(key, v);
      return v;
    });
  }
  for (const t of p.tables) compileTable(t, cx);

  const cond = (cnd: Parameters<typeof compileCondition>[0], scope: string | undefined): Cond =>
    compileCondition(cnd, scope, cx);
  const rules: CompiledRule[] = p.rules.map((r) => {
    const level = levelOf(r.kind);
    const cr: CompiledRule = {
      rule: r,
      level,
      effect: LEVELS[level]!.effect,
      requires: r.kind === 'eligibility' || r.kind === 'condition' || r.kind === 'constraint',
    };
    if (r.when) cr.when = cond(r.when, r.forEach);
    if (r.unless) cr.unless = cond(r.unless, r.forEach);
    if (r.require) cr.require = cond(r.require, r.forEach);
    return cr;
  });
  const forEachLists = [...new Set(p.rules.flatMap((r) => (r.forEach ? [r.forEach] : [])))];
  const itemList = forEachLists[0];
  const claimRules = rules.filter((cr) => !cr.rule.forEach);
  const itemRules = itemList === undefined ? [] : rules.filter((cr) => cr.rule.forEach === itemList);
  const byLevel = (rs: CompiledRule[]) =>
    LEVELS.map((_, level) => rs.flatMap((cr, i) => (cr.level === level ? [i] : [])));
  const claimLevels = byLevel(claimRules);
  return {
    product: p,
    types,
    slotOf,
    named,
    rules,
    claimRules,
    claimLevels,
    uniqueClaimIds: new Set(claimRules.map((cr) => cr.rule.id)).size === claimRules.length,
    itemList,
    itemRules,
    itemLevels: byLevel(itemRules),
    forEachLists,
    hasItemCover: itemRules.some((cr) => cr.level === COVER_LEVEL),
    hasClaimCover: claimRules.some((cr) => cr.level === COVER_LEVEL),
    formulas,
    amounts: p.amounts.map((a) => ({
      amount: a,
      memoKey: `@amount:${a.name}`,
      totalAt: a.steps.findIndex((st) => st.step === 'total'),
      steps: a.steps.map((st) => ({
        kind: st.step,
        shared: st.shared === true,
        text: stepText(st),
        ...(st.expr ? { fn: cx.expr(st.expr) } : {}),
        ...(st.used ? { used: cx.expr(st.used) } : {}),
        ...(st.when ? { when: cond(st.when, a.forEach) } : {}),
      })),
    })),
    fast: planFast(claimRules, claimLevels, cx),
  };
}

function stepText(st: Product['amounts'][number]['steps'][number]): string {
  if (st.step === 'total') return 'total';
  if (st.step === 'round') return `round ${st.mode} ${st.expr ? exprText(st.expr) : ''}`;
  const used = st.used ? ` used ${exprText(st.used)}` : '';
  return `${st.step} ${st.expr ? exprText(st.expr) : ''}${used}${st.shared ? ' (shared)' : ''}`;
}

// A field of every element of a list fact (claim.items.amount): the list of its values, or the
// elements that lack it.
function listField(name: string, listSlot: number | undefined): Fn {
  const dot = name.lastIndexOf('.');
  const listName = name.slice(0, dot);
  const field = name.slice(dot + 1);
  const noList = Unknown.shared([listName]);
  return (s) => {
    const list = (listSlot === undefined ? undefined : s.slots[listSlot]) as Record<string, unknown>[] | undefined;
    if (list === undefined) return noList;
    const out: unknown[] = [];
    const missing: string[] = [];
    list.forEach((it, i) =>
      it[field] === undefined ? missing.push(`${listName}[${i}].${field}`) : out.push(it[field]),
    );
    return missing.length ? new Unknown(missing) : out;
  };
}

function compileExpr(e: Expr, cx: Compiler): Fn {
  if ('lit' in e) {
    const v = literalValue(e.lit);
    return () => v;
  }
  if ('ref' in e) return cx.ref(e.ref);
  // a and b and c is one n-ary step in the trace, not a nest of binary ones.
  const flat = (x: Expr, op: string): Expr[] => ('op' in x && x.op === op ? x.args.flatMap((y) => flat(y, op)) : [x]);
  const args = ('op' in e && (e.op === 'and' || e.op === 'or') ? flat(e, e.op) : e.args).map(cx.expr);
  const text = exprText(e);
  const show = showerOf(cx.typeOf(e).kind);
  const traced =
    (f: Fn): Fn =>
    (s) => {
      const v = f(s);
      if (s.steps && !isUnknown(v)) s.steps.push({ text, value: show(v) });
      return v;
    };
  if ('op' in e && (e.op === 'and' || e.op === 'or')) {
    const dominant = e.op === 'or';
    return traced((s) => kleene(dominant, args, s));
  }
  if ('op' in e && e.op === 'not') {
    const [a] = args as [Fn];
    return traced((s) => {
      const v = a(s);
      return isUnknown(v) ? v : !v;
    });
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
    const unitIsLiteral = 'lit' in e.args[1]!;
    let literalUnit: string | undefined;
    return (s) => {
      const v = x(s);
      const u = unit(s);
      if (isUnknown(v) || isUnknown(u)) return merge2(v, u);
      const by = isMoney(u) ? u.amount : (u as Dec);
      const out = isMoney(v) ? new Money(roundTo(v.amount, by, mode), v.currency) : roundTo(numericValue(v), by, mode);
      if (s.steps) {
        // A literal unit (the usual case) is written once.
        const unitText =
          literalUnit ??
          (isMoney(u) ? literalText({ type: 'money', amount: u.amount.toString(), currency: u.currency }) : String(u));
        if (unitIsLiteral) literalUnit = unitText;
        s.steps.push({ text, value: showValue(out), rounding: { mode, unit: unitText, before: valueText(v) } });
      }
      return out;
    };
  }
  const impl = OPERATORS['op' in e ? e.op : e.call]!.impl(e.args.map(cx.typeOf));
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
}

// A value before rounding, as a rounding step shows it.
function valueText(v: unknown): string {
  const s = showValue(v);
  return typeof s === 'object' && s !== null && 'amount' in s ? `${s.amount} ${s.currency}` : String(s);
}
