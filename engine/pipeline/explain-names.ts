// What explanations call things. In Japanese, the product's own words: fact, formula, table and
// enum labels, values as the pamphlets write them (90%, 45日, 2021年3月25日) and expressions
// read out (「…のいずれか」「…の場合」); in English, the names of the DSL. Everything is looked
// up in the revision that decided; without it, names are shown as the decision has them.
import type { Amount, Condition, Expr, FieldDecl, Leaf, Literal, Product, Rule, TypeRef } from '../../dsl/ir.js';
import { exprText } from '../../dsl/print.js';
import { groupDigits, literalText, percentText } from '../../dsl/literals.js';
import type { Check, ShownValue } from './decision-types.js';
import { showText } from './values.js';

export type Lang = 'ja' | 'en';

const CURRENCY_JA: Record<string, string> = { JPY: '円', USD: '米ドル', EUR: 'ユーロ' };
const UNIT_JA: Record<string, string> = {
  day: '日',
  days: '日',
  month: 'か月',
  months: 'か月',
  year: '年',
  years: '年',
};
export const ROUNDING_JA: Record<string, string> = {
  down: '切り捨て',
  up: '切り上げ',
  'half-up': '四捨五入',
  'half-even': '偶数丸め',
  'half-down': '五捨六入',
};
const INFIX_JA: Record<string, [string, number]> = {
  or: ['または', 1],
  and: ['かつ', 2],
  eq: ['=', 4],
  ne: ['≠', 4],
  lt: ['<', 4],
  le: ['≤', 4],
  gt: ['>', 4],
  ge: ['≥', 4],
  add: ['+', 5],
  sub: ['−', 5],
  mul: ['×', 6],
  div: ['÷', 6],
};

const WORDY = new Set(['min', 'max', 'round', 'days_between', 'add_months', 'next_business_day']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DURATION = /^(\d+) (days?|months?|years?)$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function wrap(s: string, prec: number, parent: number): string {
  return prec < parent ? `（${s}）` : s;
}

export class Names {
  private readonly facts = new Map<string, FieldDecl>();
  private readonly rules = new Map<string, Rule>();

  constructor(
    readonly lang: Lang,
    readonly product: Product | undefined,
  ) {
    for (const f of product?.facts ?? []) this.facts.set(f.name, f);
    for (const r of product?.rules ?? []) this.rules.set(r.id, r);
  }

  rule(id: string): Rule | undefined {
    return this.rules.get(id);
  }

  amount(name: string): Amount | undefined {
    return this.product?.amounts.find((a) => a.name === name);
  }

  private field(name: string, scope: string | undefined): FieldDecl | undefined {
    if (name.startsWith('item.') && scope) return this.recordFields(scope)?.find((f) => f.name === name.slice(5));
    return this.facts.get(name);
  }

  private recordFields(list: string): FieldDecl[] | undefined {
    const t = this.facts.get(list)?.type;
    return t?.kind === 'list' && t.of.kind === 'record' ? t.of.fields : undefined;
  }

  // The list a `for each` rule or amount walks, for its item fields.
  itemFields(list: string | undefined): FieldDecl[] {
    return (list && this.recordFields(list)) || [];
  }

  // A name as people read it: a fact's label, a formula's, `表の出力`, an item field's; a hoisted
  // operand is read out as its expression. English keeps the DSL's names.
  name(name: string, scope?: string): string {
    const p = this.product;
    const derived = name.startsWith('$') ? p?.derived.find((d) => d.name === name) : undefined;
    if (derived) return this.expr(derived.expr, derived.forEach ?? scope);
    if (this.lang === 'en') return name;
    const f = this.field(name, scope);
    if (f) return f.label ?? f.name;
    const formula = p?.formulas.find((x) => x.name === name) ?? p?.amounts.find((x) => x.name === name);
    if (formula) return formula.label ?? name;
    const dot = name.lastIndexOf('.');
    const table = dot > 0 ? p?.tables.find((t) => t.name === name.slice(0, dot)) : undefined;
    if (table) {
      const out = table.outputs.find((o) => o.name === name.slice(dot + 1));
      return `${table.label ?? table.name}の${out?.label ?? name.slice(dot + 1)}`;
    }
    const list = dot > 0 ? this.recordFields(name.slice(0, dot)) : undefined;
    const listField = list?.find((x) => x.name === name.slice(dot + 1));
    if (listField)
      return `${this.facts.get(name.slice(0, dot))!.label ?? name.slice(0, dot)}の${listField.label ?? listField.name}`;
    return name;
  }

  // A missing fact as the decision names it: `claim.items[2].amount` is the third item's amount.
  missing(name: string): string {
    if (this.lang === 'en') return name;
    const m = /^(.+)\[(\d+)\]\.(.+)$/.exec(name);
    if (!m) return this.name(name);
    const list = this.facts.get(m[1]!);
    const field = this.recordFields(m[1]!)?.find((f) => f.name === m[3]);
    return `${list?.label ?? m[1]}（${Number(m[2]) + 1}件目）の${field?.label ?? m[3]}`;
  }

  // The fact a JSON pointer of the facts names (`/claim/items/2/amount`), for errors.
  pointerFact(pointer: string): { label: string; type: TypeRef } | undefined {
    const segs = pointer.split('/').slice(1);
    const name = segs.filter((s) => !/^\d+$/.test(s)).join('.');
    const f = this.facts.get(name);
    if (f) return { label: f.label ?? f.name, type: f.type };
    for (const [list, decl] of this.facts) {
      const field = name.startsWith(`${list}.`)
        ? this.recordFields(list)?.find((x) => x.name === name.slice(list.length + 1))
        : undefined;
      if (field) return { label: `${decl.label ?? list}の${field.label ?? field.name}`, type: field.type };
    }
    return undefined;
  }

  // What a value of a type looks like, in Japanese, for input errors.
  expected(t: TypeRef): string {
    switch (t.kind) {
      case 'boolean':
        return 'true または false';
      case 'integer':
        return '整数';
      case 'decimal':
        return '数値（文字列で。例 "0.45"）';
      case 'rate':
        return '割合（文字列で。例 "90%"）';
      case 'money':
        return `金額（文字列で。例 "9,000万円"、通貨 ${CURRENCY_JA[t.currency] ?? t.currency}）`;
      case 'date':
        return '日付 YYYY-MM-DD';
      case 'time':
        return '時刻 HH:MM（24時間制。例 "16:00"）';
      case 'duration':
        return `期間（${UNIT_JA[t.unit]}数）`;
      case 'enum':
        return `次のいずれか: ${t.values.map((v) => (t.labels?.[v] ? `${v}（${t.labels[v]}）` : v)).join('、')}`;
      case 'text':
        return '文字列';
      case 'list':
        return `リスト（各要素は${this.expected(t.of)}）`;
      case 'record':
        return `項目 ${t.fields.map((f) => f.name).join('、')} をもつオブジェクト`;
    }
  }

  typeOf(name: string, scope?: string): TypeRef | undefined {
    const f = this.field(name, scope);
    if (f) return f.type;
    const p = this.product;
    const derived = p?.derived.find((d) => d.name === name);
    if (derived) return this.exprType(derived.expr, derived.forEach ?? scope);
    const formula = p?.formulas.find((x) => x.name === name);
    if (formula) return this.exprType(formula.expr, undefined);
    const dot = name.lastIndexOf('.');
    const table = dot > 0 ? p?.tables.find((t) => t.name === name.slice(0, dot)) : undefined;
    return table?.outputs.find((o) => o.name === name.slice(dot + 1))?.type;
  }

  // Enough of an expression's type to show its value: rates as percentages, enum values by label.
  exprType(e: Expr, scope: string | undefined, depth = 0): TypeRef | undefined {
    if (depth > 20) return undefined;
    if ('lit' in e) return e.lit.type === 'rate' ? { kind: 'rate' } : undefined;
    if ('ref' in e) return this.typeOf(e.ref, scope);
    if ('op' in e && e.op === 'if')
      return this.exprType(e.args[1]!, scope, depth + 1) ?? this.exprType(e.args[2]!, scope, depth + 1);
    if ('call' in e && (e.call === 'min' || e.call === 'max')) return this.exprType(e.args[0]!, scope, depth + 1);
    return undefined;
  }

  // ---- values
  value(v: ShownValue, t?: TypeRef): string {
    if (this.lang === 'en') return showText(v);
    if (v === null) return '未入力';
    // 、 between values: labels themselves may hold ・ (見舞金・見舞品購入費用).
    if (Array.isArray(v)) return v.map((x) => this.value(x, t?.kind === 'list' ? t.of : t)).join('、');
    if (typeof v === 'boolean') return v ? 'はい' : 'いいえ';
    if (typeof v === 'object') return 'amount' in v ? this.money(v.amount, v.currency) : JSON.stringify(v);
    if (t?.kind === 'enum') return t.labels?.[v] ?? v;
    if (t?.kind === 'rate' && NUMBER.test(v)) return percentText(v);
    const d = DATE.exec(v);
    if (d) return `${d[1]}年${Number(d[2])}月${Number(d[3])}日`;
    const dur = DURATION.exec(v);
    if (dur) return `${dur[1]}${UNIT_JA[dur[2]!]}`;
    if (NUMBER.test(v)) return groupDigits(v);
    return v;
  }

  money(amount: string, currency: string): string {
    if (this.lang === 'en' || currency === 'JPY') return showText({ amount, currency });
    return `${groupDigits(amount)}${CURRENCY_JA[currency] ?? ` ${currency}`}`;
  }

  literal(l: Literal, t?: TypeRef): string {
    if (this.lang === 'en') return literalText(l);
    switch (l.type) {
      case 'money':
        return this.money(l.amount, l.currency);
      case 'rate':
        return percentText(l.value);
      case 'duration':
        return `${l.value}${UNIT_JA[l.unit]}`;
      case 'boolean':
        return l.value ? 'はい' : 'いいえ';
      case 'symbol':
        return t?.kind === 'enum' ? (t.labels?.[l.value] ?? l.value) : l.value;
      case 'text':
        return `「${l.value}」`;
      case 'date':
        return this.value(l.value);
      default:
        return literalText(l);
    }
  }

  // ---- expressions, read out in Japanese (English: the DSL text)
  expr(e: Expr, scope: string | undefined, parent = 0): string {
    if (this.lang === 'en') return exprText(e);
    if ('lit' in e) return this.literal(e.lit);
    if ('ref' in e) return this.name(e.ref, scope);
    const x = (a: Expr, prec = 0) => this.expr(a, scope, prec);
    // 「A、Bのうち小さい方」 inside arithmetic needs brackets to say where it ends.
    if ('call' in e) return wrap(this.call(e.call, e.args, scope, e.mode), WORDY.has(e.call) ? 4 : 8, parent);
    const { op, args } = e;
    // A bare value compared with an enum fact reads as that fact's label for it.
    const against = (a: Expr, b: Expr) => ('lit' in b ? this.literal(b.lit, this.exprType(a, scope)) : x(b, 5));
    if (op === 'not') return wrap(`${x(args[0]!, 3)}でない`, 3, parent);
    if (op === 'neg') return `−${x(args[0]!, 7)}`;
    if (op === 'if') return wrap(`${x(args[0]!, 1)}の場合は${x(args[1]!, 1)}、それ以外は${x(args[2]!, 1)}`, 0, parent);
    if (op === 'in' || op === 'notIn') {
      const [s, ...m] = args;
      const members = m.map((y) => against(s!, y)).join('、');
      return wrap(`${x(s!, 5)}が${members}${op === 'in' ? 'のいずれか' : '以外'}`, 4, parent);
    }
    const [sym, prec] = INFIX_JA[op]!;
    if (op === 'eq' || op === 'ne')
      return wrap(`${x(args[0]!, prec)} ${sym} ${against(args[0]!, args[1]!)}`, prec, parent);
    return wrap(`${x(args[0]!, prec)} ${sym} ${x(args[1]!, prec + 1)}`, prec, parent);
  }

  private call(fn: string, args: Expr[], scope: string | undefined, mode?: string): string {
    const x = (i: number) => this.expr(args[i]!, scope, 7);
    const all = () => args.map((_, i) => x(i)).join('、');
    switch (fn) {
      case 'min':
        return `${all()}のうち小さい方`;
      case 'max':
        return `${all()}のうち大きい方`;
      case 'round':
        return `${x(0)}の${this.roundUnit(args[1] && 'lit' in args[1] ? this.literal(args[1].lit) : x(1), mode ?? '')}`;
      case 'sum':
        return `${x(0)}の合計`;
      case 'count':
        return `${x(0)}の件数`;
      case 'days_between':
        return `${x(0)}から${x(1)}までの日数`;
      case 'day':
        return `${x(0)}の日`;
      case 'month':
        return `${x(0)}の月`;
      case 'year':
        return `${x(0)}の年`;
      case 'weekday':
        return `${x(0)}の曜日`;
      case 'month_start':
        return `${x(0)}の月初`;
      case 'month_end':
        return `${x(0)}の月末`;
      case 'add_months':
        return `${x(0)}の${x(1)}か月後`;
      case 'abs':
        return `${x(0)}の絶対値`;
      case 'next_business_day':
        return `${x(0)}（休業日なら翌営業日）`;
      default:
        return `${fn}（${all()}）`;
    }
  }

  // 「1,000円未満を切り捨て」; a unit of 1 is 「小数点以下を四捨五入」.
  roundUnit(unit: string, mode: string): string {
    if (this.lang === 'en') return `round ${mode} to ${unit}`;
    return `${unit === '1' ? '小数点以下' : `${unit}未満`}を${ROUNDING_JA[mode] ?? mode}`;
  }

  // ---- conditions: the leaf a check came from, so that it can be read out with labels
  leafOf(ruleId: string, c: Check, used: Set<Leaf>): Leaf | undefined {
    const r = this.rules.get(ruleId);
    const cond = r?.[c.part];
    if (!cond) return undefined;
    const leaves: Leaf[] = [];
    collectLeaves(cond, leaves);
    const fits = leaves.filter((l) => l.fact === c.fact && l.operator === c.operator && !used.has(l));
    const exact = fits.find((l) => sameRequirement(l, c)) ?? fits[0];
    if (exact) used.add(exact);
    return exact;
  }
}

export function collectLeaves(c: Condition, out: Leaf[]): void {
  if ('all' in c) c.all.forEach((x) => collectLeaves(x, out));
  else if ('any' in c) c.any.forEach((x) => collectLeaves(x, out));
  else if ('not' in c) collectLeaves(c.not, out);
  else out.push(c);
}

function sameRequirement(l: Leaf, c: Check): boolean {
  const v = l.value;
  const r = c.required;
  if (typeof v === 'object' && !Array.isArray(v)) return true;
  if (Array.isArray(v)) return Array.isArray(r) && r.length === v.length;
  if (r !== null && typeof r === 'object' && 'amount' in r) return r.amount === String(v);
  return String(r) === String(v) || String(r).startsWith(`${String(v)} `);
}

// Every name an expression or condition reads.
export function exprRefs(e: Expr, out: Set<string>): void {
  if ('ref' in e) out.add(e.ref);
  else if ('op' in e || 'call' in e) for (const a of e.args) exprRefs(a, out);
}
export function conditionRefs(c: Condition, out: Set<string>): void {
  const leaves: Leaf[] = [];
  collectLeaves(c, leaves);
  for (const l of leaves) {
    out.add(l.fact);
    if (typeof l.value === 'object' && !Array.isArray(l.value)) out.add(l.value.fact);
  }
}
