// Stage 6b: decision -> text for people, in Japanese or English. Everything shown comes from the
// decision itself (rules, clause quotes, checks, formula steps), so the text and the JSON agree.
import type { Decision, Reason, Check, ShownValue, AmountResult, FormulaResult } from './decision-types.js';
import type { Citation, Product } from '../../dsl/ir.js';
import { showText } from './values.js';

export type Lang = 'ja' | 'en';

const T = {
  ja: {
    reconstructed: 'この版は再構成です（パンフレットが資料にありません）', outcome: '判定', eligibility: '引受可否', product: '商品', revision: '版', noRevision: '版を選べません（下記の事実を参照）', deciding: '決め手となった条項', missing: '判断に必要な未入力の事実',
    errors: '入力エラー', reasons: '判定の根拠', amounts: '金額', formulas: '計算式', lookups: '表の参照', other: 'その他の条項（発動せず）',
    fired: '発動', notFired: '不発動', unknown: '不明（事実が不足）', actual: '実際', required: '要件', row: '行', items: '明細',
    expected: '期待される値', steps: '計算', notPayable: '支払対象外',
    outcomes: { covered: 'てん補する（支払対象）', excluded: '免責（てん補しない）', refused: '支払条件を満たさない', 'not-covered': '補償の対象外', ineligible: '引受不可', invalid: '契約内容の設定エラー', undetermined: '判断できない（事実が不足）', error: '入力エラー' },
    elig: { eligible: '引受可', ineligible: '引受不可', undetermined: '未確定' },
    kinds: { eligibility: '引受要件', ineligible: '引受除外', cover: '補償', exclude: '免責', condition: '支払条件', constraint: '契約条件' },
  },
  en: {
    reconstructed: 'This edition is a reconstruction (its pamphlet is not in the sources)', outcome: 'Outcome', eligibility: 'Eligibility', product: 'Product', revision: 'revision', noRevision: 'no revision chosen: see below', deciding: 'Decided by', missing: 'Facts needed to decide',
    errors: 'Invalid facts', reasons: 'Reasons', amounts: 'Amounts', formulas: 'Formulas', lookups: 'Table lookups', other: 'Other rules (did not fire)',
    fired: 'fired', notFired: 'did not fire', unknown: 'unknown (facts missing)', actual: 'actual', required: 'required', row: 'row', items: 'Items',
    expected: 'expected', steps: 'steps', notPayable: 'not payable',
    outcomes: { covered: 'covered', excluded: 'excluded', refused: 'refused (a condition of payment is not met)', 'not-covered': 'not covered', ineligible: 'ineligible', invalid: 'invalid policy configuration', undetermined: 'undetermined (facts missing)', error: 'invalid facts' },
    elig: { eligible: 'eligible', ineligible: 'ineligible', undetermined: 'undetermined' },
    kinds: { eligibility: 'eligibility', ineligible: 'ineligibility', cover: 'cover', exclude: 'exclusion', condition: 'condition', constraint: 'constraint' },
  },
};

function v(x: ShownValue): string {
  return showText(x);
}

function cites(cs: Citation[], indent: string): string[] {
  return cs.map((c) => `${indent}「${c.quote.replace(/\t+/g, ' ').replace(/\n/g, ' ')}」 — ${c.source} §${c.section}`);
}

function checkLine(c: Check, lang: Lang, indent: string): string {
  const t = T[lang];
  const mark = c.result === true ? '✓' : c.result === false ? '✗' : '?';
  const req = c.operator === 'equal' && c.required === true ? '' : `, ${t.required} ${v(c.required)}`;
  return `${indent}${mark} ${c.part} ${c.text}  (${t.actual} ${v(c.actual)}${req})`;
}

function reasonBlock(r: Reason, lang: Lang): string[] {
  const t = T[lang];
  const res = r.result === 'fired' ? t.fired : r.result === 'not-fired' ? t.notFired : t.unknown;
  const item = r.item !== undefined ? ` [${t.items} #${r.item + 1}]` : '';
  const out = [`  ● ${r.rule}${r.label ? ` 「${r.label}」` : ''} — ${t.kinds[r.kind]}, ${res}${item}`];
  out.push(...cites(r.cite, '      '));
  for (const c of r.checks) out.push(checkLine(c, lang, '      '));
  if (r.missing.length) out.push(`      ? ${t.missing}: ${r.missing.join(', ')}`);
  return out;
}

function amountBlock(a: AmountResult, lang: Lang): string[] {
  const t = T[lang];
  const out = [`  ${a.label ?? a.name} (${a.name}) = ${a.value === null ? `? (${t.missing}: ${a.missing.join(', ') || '—'})` : v(a.value)}`];
  out.push(...cites(a.cite, '      '));
  for (const s of a.steps) {
    const item = s.item !== undefined ? `#${s.item + 1} ` : '';
    if (s.step === 'not-payable') {
      out.push(`      ${t.notPayable} (${t.outcomes[s.text as keyof typeof t.outcomes] ?? s.text}): ${v(s.after)}`);
      continue;
    }
    if (s.step === 'total') {
      out.push(`      ${item}${s.text}: ${v(s.after)}`);
      continue;
    }
    out.push(`      ${item}${s.text}${s.applied ? '' : ' (—)'}: ${s.step === 'start' ? v(s.after) : `${v(s.before)} → ${v(s.after)}`}`);
    out.push(...cites(s.cite, '        '));
  }
  return out;
}

function formulaBlock(f: FormulaResult, lang: Lang): string[] {
  const t = T[lang];
  const out = [`  ${f.label ?? f.name} (${f.name}) = ${f.value === null ? `? (${t.missing}: ${f.missing.join(', ')})` : v(f.value)}`];
  for (const s of f.steps) {
    const r = s.rounding ? `   [${s.rounding.before} → round ${s.rounding.mode} to ${s.rounding.unit}]` : '';
    out.push(`      ${s.text} = ${v(s.value)}${r}`);
  }
  out.push(...cites(f.cite, '      '));
  return out;
}

export interface ExplainOptions {
  lang?: Lang;
  all?: boolean;
  // The revision that decided: its labels (facts, rules, enum values) name things for people.
  product?: Product;
}

export function explain(d: Decision, opts: ExplainOptions = {}): string {
  const lang = opts.lang ?? 'ja';
  const t = T[lang];
  const out: string[] = [];
  out.push(`${t.product}: ${d.product.id} (${d.product.revision ? `${t.revision} ${d.product.revision}` : t.noRevision})`);
  if (d.product.reconstructed) out.push(`${t.reconstructed}: 「${d.product.reconstructed}」`);
  out.push(`${t.outcome}: ${t.outcomes[d.outcome]} [${d.outcome}]`);
  if (d.outcome !== 'error') out.push(`${t.eligibility}: ${t.elig[d.eligibility]}`);
  if (d.errors.length) {
    out.push('', `${t.errors}:`);
    for (const e of d.errors) out.push(`  ${e.pointer}: ${e.message} — ${t.expected}: ${e.expected}`);
    return out.join('\n') + '\n';
  }
  if (d.deciding.length) out.push(`${t.deciding}: ${d.deciding.join(', ')}`);
  if (d.missing.length) out.push(`${t.missing}: ${d.missing.join(', ')}`);
  if (d.items.length) {
    out.push('', `${t.items}:`);
    for (const it of d.items) {
      out.push(`  #${it.index + 1}: ${t.outcomes[it.outcome]}${it.deciding.length ? ` — ${it.deciding.join(', ')}` : ''}${it.missing.length ? ` — ${t.missing}: ${it.missing.join(', ')}` : ''}`);
    }
  }
  const deciding = d.reasons.filter((r) => r.deciding);
  const unknown = d.reasons.filter((r) => !r.deciding && r.result === 'unknown');
  // "Why not": when nothing paid, show the cover rules that did not fire and why.
  const whyNot = d.outcome === 'not-covered' ? d.reasons.filter((r) => r.kind === 'cover' && r.result === 'not-fired') : [];
  if (deciding.length + unknown.length + whyNot.length) {
    out.push('', `${t.reasons}:`);
    for (const r of [...deciding, ...unknown, ...whyNot]) out.push(...reasonBlock(r, lang));
  }
  if (d.lookups.length) {
    out.push('', `${t.lookups}:`);
    for (const l of d.lookups) {
      out.push(`  ${l.label ?? l.table}: ${l.inputs.map((i) => `${i.text} = ${v(i.value)}`).join(', ')} → ${t.row} ${l.row ?? '—'}: ${Object.entries(l.outputs).map(([k, x]) => `${k} = ${v(x)}`).join(', ')}`);
      out.push(...cites(l.cite.slice(0, 2), '      '));
    }
  }
  if (d.amounts.length) {
    out.push('', `${t.amounts}:`);
    for (const a of d.amounts) out.push(...amountBlock(a, lang));
  }
  const formulas = opts.all ? d.formulas : d.formulas.filter((f) => f.value !== null && f.steps.length > 0);
  if (formulas.length) {
    out.push('', `${t.formulas}:`);
    for (const f of formulas) out.push(...formulaBlock(f, lang));
  }
  if (opts.all) {
    const rest = d.reasons.filter((r) => !deciding.includes(r) && !unknown.includes(r) && !whyNot.includes(r));
    if (rest.length) {
      out.push('', `${t.other}:`);
      for (const r of rest) out.push(...reasonBlock(r, lang));
    }
  }
  return out.join('\n') + '\n';
}
