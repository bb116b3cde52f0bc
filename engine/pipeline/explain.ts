// Stage 6b: decision -> text for people, in Japanese or English. Everything shown comes from the
// decision itself (rules, clause quotes, checks, amount and formula steps), so the text and the
// JSON agree; the revision that decided only lends its words (labels of facts, rules and enum
// values). The order is an underwriter's: the conclusion, the reasons (the deciding rules with
// their clauses, and for each item not paid, why), the payout worked step by step with the
// clause of each step, then the facts still needed. Rules, formulas and steps that did not bear
// on the decision are left to --all.
import type { Amount, Citation, Expr, Leaf, Product, RuleKind, Table } from '../../dsl/ir.js';
import type {
  AmountResult,
  AmountStep,
  Check,
  Decision,
  FormulaResult,
  ItemDecision,
  Outcome,
  Reason,
  ShownValue,
  TableLookup,
} from './decision-types.js';
import { OPERATOR_SYMBOL, exprText as exprTextOf } from '../../dsl/print.js';
import { Names, type Lang, conditionRefs, exprRefs } from './explain-names.js';

export type { Lang };

export interface ExplainOptions {
  lang?: Lang;
  all?: boolean;
  // The revision that decided: its labels (facts, rules, enum values) name things for people.
  product?: Product;
}

type Result = Reason['result'];
// How a rule's result reads, by kind: a condition is met or not, an exclusion applies or not.
type Verdict = 'applies' | 'notApplies' | 'met' | 'notMet' | 'notApplicable' | 'unknown';

const T = {
  ja: {
    title: (name: string, rev: string) => `${name}（${rev}版）`,
    noRevision: (name: string) => `${name}（版を選べません。下記の情報が必要です）`,
    source: '資料',
    reconstructed: '※ この版のパンフレットは資料になく、再構成したものです',
    conclusion: '結論',
    eligibility: '引受',
    reasons: '理由',
    payout: '支払額の計算',
    missing: '不足している情報',
    items: '明細',
    lookups: '表の参照',
    formulas: '計算式',
    other: 'その他の条項',
    errors: '入力エラー',
    expected: '期待される値',
    required: '要件',
    except: '例外',
    neededFor: 'の判定に必要',
    item: (n: number) => `明細${n}`,
    itemsOf: (ns: number[]) => `（明細${ns.join('・')}）`,
    row: (n: string) => `${n}行目`,
    cite: (c: Citation, src: string) =>
      `「${quote(c.quote)}」（${c.source === src ? '' : `${c.source} `}§${c.section}）`,
    none: 'この費目をてん補する補償がありません',
    notApplied: '（適用なし）',
    undecided: '未確定',
    notPayable: (why: string) => `${why}ため、お支払いする保険金はありません`,
    outcomes: {
      covered: 'てん補します（保険金お支払いの対象です）',
      excluded: '免責事由に該当するため、てん補しません',
      refused: '保険金支払の条件を満たさないため、お支払いできません',
      'not-covered': '補償の対象外です',
      ineligible: 'お引き受けできません',
      invalid: '契約内容の設定に誤りがあります',
      undetermined: '情報が不足しているため、判断できません',
      error: '入力内容に誤りがあります',
    } as Record<Outcome, string>,
    itemOutcomes: {
      covered: 'てん補',
      excluded: '免責',
      refused: '支払条件不充足',
      'not-covered': '補償対象外',
      ineligible: '引受不可',
      invalid: '設定エラー',
      undetermined: '判断できません（情報不足）',
      error: '入力エラー',
    } as Record<Outcome, string>,
    because: {
      covered: '',
      excluded: '免責事由に該当する',
      refused: '保険金支払の条件を満たさない',
      'not-covered': '補償の対象外である',
      ineligible: '引受の対象外である',
      invalid: '契約内容の設定に誤りがある',
      undetermined: '',
      error: '',
    } as Record<Outcome, string>,
    elig: { eligible: '適合', ineligible: '不適合', undetermined: '未確定' },
    kinds: {
      eligibility: '引受要件',
      ineligible: '引受除外',
      cover: '補償',
      exclude: '免責',
      condition: '支払条件',
      constraint: '契約条件',
    },
    verdicts: {
      applies: '該当',
      notApplies: '非該当',
      met: '充足',
      notMet: '不充足',
      notApplicable: '適用対象外',
      unknown: '判定できません（情報不足）',
    } as Record<Verdict, string>,
    eligVerdicts: { met: '適合', notMet: '不適合' } as Partial<Record<Verdict, string>>,
    rule: (kind: string, label: string) => `${kind}「${label}」`,
    ops: {
      equal: (v: string) => v,
      notEqual: (v: string) => `${v}以外`,
      in: (v: string) => `${v}のいずれか`,
      notIn: (v: string) => `${v}以外`,
      lessThan: (v: string) => `${v}未満`,
      lessThanInclusive: (v: string) => `${v}以下`,
      greaterThan: (v: string) => `${v}超`,
      greaterThanInclusive: (v: string) => `${v}以上`,
    } as Record<string, (v: string) => string>,
    // Dates and times read as points in time: 以前 / 以後 rather than 以下 / 以上.
    timeOps: {
      lessThan: (v: string) => `${v}より前`,
      lessThanInclusive: (v: string) => `${v}以前`,
      greaterThan: (v: string) => `${v}より後`,
      greaterThanInclusive: (v: string) => `${v}以後`,
    } as Record<string, (v: string) => string>,
  },
  en: {
    title: (name: string, rev: string) => `${name} (revision ${rev})`,
    noRevision: (name: string) => `${name} (no revision chosen: see the facts needed below)`,
    source: 'Source',
    reconstructed: 'Note: this edition is a reconstruction; its pamphlet is not in the sources',
    conclusion: 'Outcome',
    eligibility: 'Eligibility',
    reasons: 'Reasons',
    payout: 'Payout',
    missing: 'Facts needed',
    items: 'Items',
    lookups: 'Table lookups',
    formulas: 'Formulas',
    other: 'Other rules',
    errors: 'Invalid facts',
    expected: 'expected',
    required: 'required',
    except: 'unless',
    neededFor: '',
    item: (n: number) => `item ${n}`,
    itemsOf: (ns: number[]) => ` (item${ns.length > 1 ? 's' : ''} ${ns.join(', ')})`,
    row: (n: string) => `row ${n}`,
    cite: (c: Citation, src: string) =>
      `「${quote(c.quote)}」 (${c.source === src ? '' : `${c.source} `}§${c.section})`,
    none: 'no cover applies to this kind of item',
    notApplied: ' (does not apply)',
    undecided: 'undetermined',
    notPayable: (why: string) => `not payable: ${why}`,
    outcomes: {
      covered: 'covered',
      excluded: 'excluded (an exclusion applies)',
      refused: 'refused (a condition of payment is not met)',
      'not-covered': 'not covered (no cover applies)',
      ineligible: 'ineligible (cannot be underwritten)',
      invalid: 'invalid policy configuration',
      undetermined: 'undetermined (facts missing)',
      error: 'invalid facts',
    } as Record<Outcome, string>,
    itemOutcomes: {
      covered: 'covered',
      excluded: 'excluded',
      refused: 'refused',
      'not-covered': 'not covered',
      ineligible: 'ineligible',
      invalid: 'invalid',
      undetermined: 'undetermined (facts missing)',
      error: 'invalid facts',
    } as Record<Outcome, string>,
    because: {
      covered: '',
      excluded: 'the claim is excluded',
      refused: 'a condition of payment is not met',
      'not-covered': 'no cover applies',
      ineligible: 'the risk cannot be underwritten',
      invalid: 'the policy configuration is invalid',
      undetermined: '',
      error: '',
    } as Record<Outcome, string>,
    elig: { eligible: 'eligible', ineligible: 'ineligible', undetermined: 'undetermined' },
    kinds: {
      eligibility: 'eligibility',
      ineligible: 'ineligibility',
      cover: 'cover',
      exclude: 'exclusion',
      condition: 'condition',
      constraint: 'constraint',
    },
    verdicts: {
      applies: 'applies',
      notApplies: 'does not apply',
      met: 'met',
      notMet: 'not met',
      notApplicable: 'does not apply here',
      unknown: 'cannot be decided (facts missing)',
    } as Record<Verdict, string>,
    eligVerdicts: {} as Partial<Record<Verdict, string>>,
    rule: (kind: string, label: string) => `${kind} ${label}`,
    ops: {} as Record<string, (v: string) => string>,
    timeOps: {} as Record<string, (v: string) => string>,
  },
};
type Words = (typeof T)['ja'];

function quote(q: string): string {
  return q.replace(/\t+/g, ' ').replace(/\n/g, ' ');
}

function verdict(kind: RuleKind, result: Result, r: Reason): Verdict {
  if (result === 'unknown') return 'unknown';
  const fired = result === 'fired';
  if (kind === 'cover' || kind === 'exclude' || kind === 'ineligible') return fired ? 'applies' : 'notApplies';
  // A requirement whose `when` did not hold was never tested: the rule does not apply here.
  if (!fired && !r.checks.some((c) => c.part === 'require') && r.checks.some((c) => c.part === 'when'))
    return 'notApplicable';
  return fired ? 'notMet' : 'met';
}

class Explainer {
  readonly t: Words;
  readonly n: Names;
  readonly out: string[] = [];
  readonly src: string;

  constructor(
    readonly d: Decision,
    readonly lang: Lang,
    readonly all: boolean,
    readonly p: Product | undefined,
  ) {
    this.t = T[lang] as Words;
    this.n = new Names(lang, p);
    this.src = d.product.source;
  }

  line(s = ''): void {
    this.out.push(s);
  }

  section(title: string): void {
    if (this.out[this.out.length - 1] !== '') this.line();
    this.line(`${title}:`);
  }

  cites(cs: Citation[], indent: string): void {
    for (const c of cs) this.line(indent + this.t.cite(c, this.src));
  }

  // 免責「特別な関係…」 / exclusion related-party-credit 「特別な関係…」
  ruleName(r: { rule: string; kind: RuleKind; label?: string }): string {
    if (this.lang === 'en') return `${this.t.kinds[r.kind]} ${r.rule}${r.label ? ` 「${r.label}」` : ''}`;
    return this.t.rule(this.t.kinds[r.kind], r.label ?? r.rule);
  }

  verdictText(r: Reason): string {
    const v = verdict(r.kind, r.result, r);
    return (r.kind === 'eligibility' ? this.t.eligVerdicts[v] : undefined) ?? this.t.verdicts[v];
  }

  // ---- checks: 「危険の種類: 信用危険（要件: 信用危険）」
  checkLine(scope: string | undefined, c: Check, leaf: Leaf | undefined, indent: string): string {
    const mark = c.result === true ? '✓' : c.result === false ? '✗' : '?';
    const except = c.part === 'unless' ? `${this.t.except}: ` : '';
    const subject = leaf ? this.n.name(leaf.fact, scope) : this.lang === 'en' ? c.text : this.n.name(c.fact, scope);
    const type = leaf ? this.n.typeOf(leaf.fact, scope) : undefined;
    const actual = this.n.value(c.actual, type);
    if (c.operator === 'equal' && c.required === true) return `${indent}${mark} ${except}${subject}: ${actual}`;
    const ref = leaf && typeof leaf.value === 'object' && !Array.isArray(leaf.value) ? leaf.value.fact : undefined;
    let req = this.n.value(c.required, type);
    if (ref) req = this.lang === 'ja' ? `${req}（${this.n.name(ref, scope)}）` : `${req} = ${this.n.name(ref, scope)}`;
    const timeLike =
      type?.kind === 'date' ||
      type?.kind === 'time' ||
      (typeof c.actual === 'string' && /^\d{4}-\d\d-\d\d$/.test(c.actual));
    const phrase =
      this.lang === 'ja'
        ? ((timeLike ? this.t.timeOps[c.operator] : undefined) ?? this.t.ops[c.operator] ?? ((v: string) => v))(req)
        : c.operator === 'equal'
          ? req
          : `${OPERATOR_SYMBOL[c.operator] ?? c.operator} ${req}`;
    return this.lang === 'ja'
      ? `${indent}${mark} ${except}${subject}: ${actual}（${this.t.required}: ${phrase}）`
      : `${indent}${mark} ${except}${subject}: ${actual} (${this.t.required}: ${phrase})`;
  }

  checks(r: Reason, indent: string): void {
    const used = new Set<Leaf>();
    const scope = this.n.rule(r.rule)?.forEach;
    for (const c of r.checks) this.line(this.checkLine(scope, c, this.n.leafOf(r.rule, c, used), indent));
  }

  // One block per rule: the rule, its verdict, its clause, what it looked at. The same rule for
  // several items is one block with the items named (the clause is the same).
  reasonBlocks(rs: Reason[]): void {
    const groups = new Map<string, Reason[]>();
    for (const r of rs) {
      const key = `${r.rule}\u0000${r.result}\u0000${r.item === undefined ? 'claim' : 'item'}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const g of groups.values()) {
      const r = g[0]!;
      const items = g.filter((x) => x.item !== undefined).map((x) => x.item! + 1);
      this.line(`  ■ ${this.ruleName(r)}: ${this.verdictText(r)}${items.length ? this.t.itemsOf(items) : ''}`);
      this.cites(r.cite, '      ');
      const same = g.every((x) => JSON.stringify(x.checks) === JSON.stringify(r.checks));
      for (const x of same ? [r] : g) {
        if (!same) this.line(`      ${this.t.item(x.item! + 1)}:`);
        this.checks(x, same ? '      ' : '        ');
      }
      const missing = [...new Set(g.flatMap((x) => x.missing))];
      if (missing.length)
        this.line(
          `      ? ${this.t.missing}: ${missing.map((m) => this.n.missing(m)).join(this.lang === 'ja' ? '、' : ', ')}`,
        );
    }
  }

  // ---- the conclusion
  conclusion(): void {
    const { d, t } = this;
    this.section(t.conclusion);
    this.line(`  ${t.outcomes[d.outcome]}`);
    if (d.outcome === 'error') return;
    this.line(`  ${t.eligibility}: ${t.elig[d.eligibility]}`);
    for (const a of d.amounts) this.line(`  ${this.amountName(a)}: ${this.amountValue(a)}`);
    if (d.items.length) {
      this.line(`  ${t.items}:`);
      for (const it of d.items)
        this.line(`    ${this.itemTitle(it)}: ${t.itemOutcomes[it.outcome]}${this.itemWhy(it)}`);
    }
  }

  amountName(a: AmountResult): string {
    return this.lang === 'ja' ? (a.label ?? a.name) : `${a.name}${a.label ? ` 「${a.label}」` : ''}`;
  }

  amountValue(a: AmountResult): string {
    if (a.value !== null) return this.n.value(a.value);
    const m = a.missing.map((x) => this.n.missing(x)).join(this.lang === 'ja' ? '、' : ', ');
    return this.lang === 'ja'
      ? `${this.t.undecided}（${this.t.missing}: ${m || '—'}）`
      : `? (facts needed: ${m || '—'})`;
  }

  // 明細1（損害賠償金）: the item's kind, read from the enum fields its rules looked at.
  itemTitle(it: ItemDecision): string {
    const reasons = this.d.reasons.filter((r) => r.item === it.index);
    for (const r of reasons) {
      const scope = this.n.rule(r.rule)?.forEach;
      for (const c of r.checks) {
        const type = c.fact.startsWith('item.') ? this.n.typeOf(c.fact, scope) : undefined;
        if (type?.kind === 'enum' && typeof c.actual === 'string') {
          const v = this.n.value(c.actual, type);
          return this.lang === 'ja' ? `${this.t.item(it.index + 1)}（${v}）` : `${this.t.item(it.index + 1)} (${v})`;
        }
      }
    }
    return this.t.item(it.index + 1);
  }

  // （補償「…」）: the rules that decided the item, or what it still needs.
  itemWhy(it: ItemDecision): string {
    const sep = this.lang === 'ja' ? '、' : '; ';
    const around = (s: string) => (this.lang === 'ja' ? `（${s}）` : ` — ${s}`);
    if (it.outcome === 'undetermined') {
      const m = it.missing.map((x) => this.n.missing(x)).join(sep);
      return m ? around(`${this.t.missing}: ${m}`) : '';
    }
    const rules = it.deciding
      .map((id) => this.d.reasons.find((r) => r.rule === id && (r.item === it.index || r.item === undefined)))
      .filter((r): r is Reason => r !== undefined);
    if (rules.length) return around(rules.map((r) => this.ruleName(r)).join(sep));
    if (it.outcome !== 'not-covered') return '';
    const why = this.itemWhyNot(it);
    return around(why.length ? why.map((r) => `${this.ruleName(r)}: ${this.verdictText(r)}`).join(sep) : this.t.none);
  }

  // The cover rules for items of this kind that did not pay it: why an item is not covered. A rule
  // is for another kind of item when a condition it puts on the item's own fields (a top-level
  // `item.category in (...)`) excludes what this item is; evaluation stops at the first false
  // test, so the decision's checks alone do not always say.
  itemWhyNot(it: ItemDecision): Reason[] {
    const mine = this.d.reasons.filter((r) => r.item === it.index);
    const known = new Map<string, ShownValue>();
    for (const r of mine)
      for (const c of r.checks) if (c.fact.startsWith('item.') && c.actual !== null) known.set(c.fact, c.actual);
    const otherKind = (r: Reason): boolean => {
      const when = this.n.rule(r.rule)?.when;
      const conjuncts = when === undefined ? [] : 'all' in when ? when.all : [when];
      return conjuncts.some(
        (l) =>
          'fact' in l &&
          known.has(l.fact) &&
          (l.operator === 'equal' || l.operator === 'in') &&
          (typeof l.value === 'string' || Array.isArray(l.value)) &&
          ![l.value].flat().includes(known.get(l.fact) as string),
      );
    };
    return mine.filter(
      (r) =>
        r.kind === 'cover' &&
        r.result === 'not-fired' &&
        !otherKind(r) &&
        r.checks.every((c) => !c.fact.startsWith('item.') || c.result !== false),
    );
  }

  // ---- reasons
  reasons(): Reason[] {
    const d = this.d;
    const shown: Reason[] = [];
    const add = (r: Reason) => {
      if (!shown.includes(r)) shown.push(r);
    };
    for (const r of d.reasons) if (r.deciding && r.item === undefined) add(r);
    // Each item: what paid it, or why not.
    for (const it of d.items) {
      for (const r of d.reasons)
        if (r.item === it.index && r.result === 'fired' && it.deciding.includes(r.rule)) add(r);
      if (it.outcome === 'not-covered') for (const r of this.itemWhyNot(it)) add(r);
    }
    for (const r of d.reasons) if (r.result === 'unknown') add(r);
    // Nothing pays the claim: the cover rules, and why each did not apply.
    if (d.outcome === 'not-covered' && d.items.length === 0)
      for (const r of d.reasons) if (r.kind === 'cover' && r.item === undefined) add(r);
    const ordered = d.reasons.filter((r) => shown.includes(r));
    if (ordered.length) {
      this.section(this.t.reasons);
      this.reasonBlocks(ordered);
    }
    return ordered;
  }

  // ---- the payout, step by step
  payout(): Set<string> {
    const used = new Set<string>();
    if (this.d.amounts.length === 0) return used;
    this.section(this.t.payout);
    for (const a of this.d.amounts) this.amountBlock(a, used);
    return used;
  }

  amountBlock(a: AmountResult, used: Set<string>): void {
    const decl = this.n.amount(a.name);
    this.line(`  ${this.amountName(a)}: ${this.amountValue(a)}`);
    this.cites(a.cite, '      ');
    const steps = indexSteps(a.steps, decl);
    // An item that adds nothing to this amount (its start is 0: another amount pays it) is --all,
    // and so is the arithmetic of an amount that nothing adds to.
    const idle = new Set<number>();
    for (const { s } of steps) if (s.step === 'start' && s.item !== undefined && isZero(s.after)) idle.add(s.item);
    const starts = a.steps.filter((s) => s.step === 'start');
    if (!this.all && isZero(a.value) && starts.length > 0 && starts.every((s) => isZero(s.after))) return;
    for (const { s, step } of steps) {
      if (!this.all && ((s.item !== undefined && idle.has(s.item)) || !s.applied)) continue;
      if (s.step === 'not-payable') {
        this.line(`      ${this.t.notPayable(this.t.because[s.text as Outcome] ?? s.text)}: ${this.n.value(s.after)}`);
        continue;
      }
      if (step && s.applied) {
        if (step.expr) exprRefs(step.expr, used);
        if (step.used) exprRefs(step.used, used);
        if (step.when) conditionRefs(step.when, used);
      }
      const item = s.item !== undefined ? `${this.t.item(s.item + 1)}: ` : '';
      const what = this.stepText(s, step, decl);
      const change =
        s.step === 'start' || s.step === 'total'
          ? this.n.value(s.after)
          : `${this.n.value(s.before)} → ${this.n.value(s.after)}`;
      this.line(`      ${item}${what}${s.applied ? '' : this.t.notApplied}: ${change}`);
      this.cites(s.cite, '        ');
    }
  }

  // English shows the step as the DSL writes it; Japanese reads it out with its operand's value.
  stepText(s: AmountStep, step: Amount['steps'][number] | undefined, decl: Amount | undefined): string {
    if (this.lang === 'en' || !step) return s.text;
    const scope = decl?.forEach;
    const shared = step.shared ? '（全明細で共通）' : '';
    const operand = (e: Expr | undefined) => {
      if (!e) return '';
      const text = this.n.expr(e, scope);
      return 'lit' in e || s.operand === null
        ? text
        : `${text}（${this.n.value(s.operand, this.n.exprType(e, scope))}）`;
    };
    const e = step.expr;
    switch (s.step) {
      case 'start':
        return e && ('ref' in e || 'lit' in e) ? `起点（${this.n.expr(e, scope)}）` : '起点';
      case 'total':
        return '合計';
      case 'round':
        return this.n.roundUnit(e && 'lit' in e ? this.n.literal(e.lit) : operand(e), step.mode ?? '');
      case 'aggregate': {
        const used = this.n.expr(step.used!, undefined);
        return `保険期間中の限度額 ${this.n.expr(e!, undefined)}（既払 ${used}）（残り ${this.n.value(s.operand)}）`;
      }
      case 'coinsurance':
      case 'multiply':
        return `${operand(e)}を乗じる`;
      case 'add':
        return `${operand(e)}を加算`;
      case 'subtract':
        return `${operand(e)}を控除`;
      case 'deductible':
        return `免責金額 ${operand(e)}を控除${shared}`;
      case 'limit':
        return `限度額 ${operand(e)}${shared}`;
      case 'floor':
        return `最低額 ${operand(e)}`;
      default:
        return `${s.step} ${operand(e)}`;
    }
  }

  // ---- the values the reasons and the payout used: formulas and table lookups
  related(reasons: Reason[], names: Set<string>): { formulas: Set<string>; tables: Set<string> } {
    const p = this.p;
    for (const r of reasons) {
      const rule = this.n.rule(r.rule);
      for (const c of [rule?.when, rule?.unless, rule?.require]) if (c) conditionRefs(c, names);
    }
    const formulas = new Set<string>();
    const tables = new Set<string>();
    const todo = [...names];
    const seen = new Set<string>();
    while (todo.length) {
      const name = todo.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const next = new Set<string>();
      const f = p?.formulas.find((x) => x.name === name);
      if (f) {
        formulas.add(name);
        exprRefs(f.expr, next);
      }
      const dv = p?.derived.find((x) => x.name === name);
      if (dv) exprRefs(dv.expr, next);
      const dot = name.lastIndexOf('.');
      const t = dot > 0 ? p?.tables.find((x) => x.name === name.slice(0, dot)) : undefined;
      if (t) {
        tables.add(t.name);
        for (const e of t.inputs) exprRefs(e, next);
      }
      todo.push(...next);
    }
    return { formulas, tables };
  }

  lookups(rel: Set<string>): void {
    const ls = this.d.lookups.filter((l) => this.all || rel.has(l.table));
    if (ls.length === 0) return;
    this.section(this.t.lookups);
    for (const l of ls)
      this.lookupLine(
        l,
        this.p?.tables.find((t) => t.name === l.table),
      );
  }

  lookupLine(l: TableLookup, t: Table | undefined): void {
    const ins = l.inputs.map((i, j) => {
      const e = t?.inputs[j];
      const type = e ? this.n.exprType(e, undefined) : undefined;
      return `${e ? this.n.expr(e, undefined) : i.text} = ${this.n.value(i.value, type)}`;
    });
    const outs = Object.entries(l.outputs).map(([k, v]) => {
      const o = t?.outputs.find((x) => x.name === k);
      return `${this.lang === 'ja' ? (o?.label ?? k) : k} = ${this.n.value(v, o?.type)}`;
    });
    const sep = this.lang === 'ja' ? '、' : ', ';
    const row =
      l.row === null
        ? '—'
        : l.row === 'else'
          ? this.lang === 'ja'
            ? 'その他の行'
            : 'else'
          : this.t.row(String(l.row));
    this.line(`  ${l.label ?? l.table}: ${ins.join(sep)} → ${row}: ${outs.join(sep)}`);
    this.cites(l.cite.slice(0, 2), '      ');
  }

  formulas(title: string, fs: FormulaResult[]): void {
    if (fs.length === 0) return;
    this.section(title);
    for (const f of fs) this.formulaBlock(f);
  }

  formulaBlock(f: FormulaResult): void {
    const decl = this.p?.formulas.find((x) => x.name === f.name);
    const name = this.lang === 'ja' ? (f.label ?? f.name) : `${f.name}${f.label ? ` 「${f.label}」` : ''}`;
    const type = this.n.typeOf(f.name);
    const value =
      f.value === null
        ? this.lang === 'ja'
          ? `${this.t.undecided}（${this.t.missing}: ${f.missing.map((m) => this.n.missing(m)).join('、')}）`
          : `? (${this.t.missing}: ${f.missing.join(', ')})`
        : this.n.value(f.value, type);
    this.line(`  ${name} = ${value}`);
    // Each step's text is the DSL text of a part of the formula: read that part out.
    const parts = new Map<string, Expr>();
    if (decl) collectParts(decl.expr, parts);
    const tested = new Map(f.steps.map((s) => [s.text, s.value]));
    f.steps.forEach((s, k) => {
      const e = parts.get(s.text);
      let text = e ? this.n.expr(e, undefined) : s.text;
      // The branch an `if` took reads on from the test shown just before it: 「よって …」.
      const ifArgs = e && 'op' in e && e.op === 'if' ? e.args : undefined;
      const branch = ifArgs ? tested.get(exprTextOf(ifArgs[0]!)) : undefined;
      if (this.lang === 'ja' && ifArgs && typeof branch === 'boolean') {
        const taken = ifArgs[branch ? 1 : 2]!;
        // The branch's own arithmetic was the step just shown: nothing to add.
        if (k > 0 && f.steps[k - 1]!.text === exprTextOf(taken)) return;
        text = `よって ${this.n.expr(taken, undefined)}`;
      }
      const v = this.n.value(s.value, e ? this.n.exprType(e, undefined) : undefined);
      const r = s.rounding
        ? this.lang === 'ja'
          ? `（端数処理前 ${this.before(s.rounding.before)}）`
          : `   [${s.rounding.before} → round ${s.rounding.mode} to ${s.rounding.unit}]`
        : '';
      // A test inside a formula reads as its answer: 「セット名 = フリーセット → はい」.
      this.line(`      ${text} ${typeof s.value === 'boolean' ? '→' : '='} ${v}${r}`);
    });
    this.cites(f.cite, '      ');
  }

  // A value before rounding, as the decision records it: digits, and a currency for money.
  before(text: string): string {
    const m = /^(-?\d+(?:\.\d+)?) ([A-Z]{3})$/.exec(text);
    return m ? this.n.money(m[1]!, m[2]!) : this.n.value(text);
  }

  // ---- the facts still needed, and what each is needed for
  missing(): void {
    const d = this.d;
    if (d.missing.length === 0) return;
    this.section(this.t.missing);
    for (const m of d.missing) {
      const users = [
        ...new Set(d.reasons.filter((r) => r.missing.includes(m)).map((r) => this.ruleName(r))),
        ...d.amounts.filter((a) => a.missing.includes(m)).map((a) => this.amountName(a)),
      ];
      if (!d.product.revision) users.push(this.lang === 'ja' ? '適用する版の選択' : 'choosing the revision');
      const why =
        users.length === 0
          ? ''
          : this.lang === 'ja'
            ? ` — ${users.join('、')}${this.t.neededFor}`
            : ` — needed for ${users.join(', ')}`;
      this.line(`  ${this.lang === 'ja' ? '・' : '- '}${this.n.missing(m)}${why}`);
    }
  }

  // An input error in Japanese: which fact, what is wrong with it, what it should be. The
  // decision's message is English; its kind is read from it.
  errorJa(e: Decision['errors'][number]): string {
    const fact = this.n.pointerFact(e.pointer);
    const where = fact ? `${fact.label}（${e.pointer}）` : e.pointer || '入力全体';
    const guess = /did you mean ([^?]+)\?/.exec(e.message)?.[1];
    const hint = guess ? `（${guess} のことですか？）` : '';
    let what = '入力値が正しくありません';
    if (e.message.startsWith('unknown fact')) what = `この商品にない項目です${hint}`;
    else if (/is not one of the (allowed values|options)/.test(e.message)) what = `選択できる値ではありません${hint}`;
    else if (/is negative/.test(e.message)) what = '負の値は入力できません';
    else if (/JSON number/.test(e.message)) what = '金額・割合・小数は文字列で入力してください（精度を保つため）';
    else if (/no revision of/.test(e.message)) what = 'この日付に有効な版がありません';
    else if (/is not a calendar date/.test(e.message)) what = '暦にない日付です';
    else if (/is not a time of day/.test(e.message)) what = '時刻ではありません';
    const expected =
      fact && !e.message.startsWith('unknown fact') && !/no revision of/.test(e.message)
        ? this.n.expected(fact.type)
        : e.expected.replace(/^one of (.*)$/, (_, xs: string) => `次のいずれか: ${xs.split(', ').join('、')}`);
    return `  ・${where}: ${what} — ${this.t.expected}: ${expected}`;
  }

  run(): string {
    const { d, t } = this;
    const name = (this.lang === 'ja' ? this.p?.name.ja : this.p?.name.en) ?? d.product.id;
    // A revision id that is not a date (`seed-003`) is named by its label in Japanese.
    const label = this.lang === 'ja' && this.p?.revision === d.product.revision ? this.p?.revisionLabel : undefined;
    const title = label ? `${name}（${label}）` : t.title(name, d.product.revision);
    this.line(d.product.revision ? title : t.noRevision(name));
    this.line(`${t.source}: ${d.product.source}`);
    if (d.product.reconstructed) this.line(`${t.reconstructed}: 「${d.product.reconstructed}」`);
    this.conclusion();
    if (d.errors.length) {
      this.section(t.errors);
      for (const e of d.errors)
        this.line(this.lang === 'ja' ? this.errorJa(e) : `  ${e.pointer}: ${e.message} — ${t.expected}: ${e.expected}`);
      return this.text();
    }
    const shown = this.reasons();
    const names = this.payout();
    const rel = this.related(shown, names);
    this.lookups(rel.tables);
    const computed = d.formulas.filter((f) => f.value !== null && f.steps.length > 0);
    this.formulas(t.formulas, this.all ? d.formulas : computed.filter((f) => rel.formulas.has(f.name)));
    this.missing();
    if (this.all) {
      const rest = d.reasons.filter((r) => !shown.includes(r));
      if (rest.length) {
        this.section(t.other);
        this.reasonBlocks(rest);
      }
    }
    return this.text();
  }

  text(): string {
    while (this.out[this.out.length - 1] === '') this.out.pop();
    return this.out.join('\n') + '\n';
  }
}

function isZero(v: ShownValue): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'amount' in v && /^-?0(\.0+)?$/.test(v.amount);
}

// Each traced step with the declared step it ran: the evaluator runs steps [0, total) once per
// item, then `total`, then the rest; a run that stops (a value is missing) traces fewer.
function indexSteps(
  steps: AmountStep[],
  decl: Amount | undefined,
): { s: AmountStep; step?: Amount['steps'][number] }[] {
  const totalAt = decl ? decl.steps.findIndex((x) => x.step === 'total') : -1;
  let item: number | undefined;
  let next = 0;
  return steps.map((s) => {
    if (s.step === 'not-payable') return { s };
    let i: number;
    if (s.step === 'total') {
      i = totalAt;
      item = undefined;
    } else if (s.item !== item) {
      item = s.item;
      i = 0;
    } else i = next;
    next = i + 1;
    const step = decl?.steps[i];
    return step && step.step === s.step ? { s, step } : { s };
  });
}

function collectParts(e: Expr, out: Map<string, Expr>): void {
  out.set(exprTextOf(e), e);
  if ('op' in e || 'call' in e) for (const a of e.args) collectParts(a, out);
}

export function explain(d: Decision, opts: ExplainOptions = {}): string {
  return new Explainer(d, opts.lang ?? 'ja', opts.all === true, opts.product).run();
}

// The words explanations use (outcomes, rule kinds, eligibility), for the studio's decision view:
// one wording of a decision, in the text and on the screen.
export const EXPLAIN_WORDS = T;
