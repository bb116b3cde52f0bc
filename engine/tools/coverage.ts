// Which parts of a product its case files exercise: rules that fired, table rows looked up,
// amount steps applied, formula `if` arms taken, and the cited pamphlet passages behind them.
// Read from the decision documents the cases produce, so coverage means what an underwriter
// would see in an explanation, not which lines of the evaluator ran.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Citation, Expr, Product } from '../../dsl/ir.js';
import { exprText } from '../../dsl/print.js';
import { cellText } from './diff.js';
import { canonicalJson } from '../pipeline/json.js';
import { findCaseFiles, productDirFor, readCase, runCase, type CaseResult } from './cases.js';
import { compile, namedValues, type Compiled } from '../pipeline/evaluate/index.js';
import { loadProduct, type Revision } from '../loading/load.js';
import type { Decision } from '../pipeline/decision-types.js';

export interface Counted {
  id: string;
  label?: string;
  hits: number;
}

export interface RevisionCoverage {
  product: string;
  revision: string;
  file: string;
  cases: number;
  // `text`: the rule as compiled, without its note: equal texts in two revisions are the same rule.
  rules: (Counted & { kind: string; text: string })[];
  rows: (Counted & { table: string; row: number | 'else' })[];
  steps: (Counted & { amount: string; step: string; changed: number })[];
  branches: (Counted & { formula: string; arm: 'then' | 'else' })[];
  passages: { source: string; section: string; quote: string; owners: string[]; reached: boolean }[];
}

export interface CoverageReport {
  products: { dir: string; revisions: RevisionCoverage[]; failed: { file: string; error: string }[] }[];
}

// ---- the inventory of one revision: everything a case could exercise

interface Branch {
  formula: string;
  cond: Expr;
  text: string;
}

function ifConditions(e: Expr, out: Expr[]): void {
  if ('op' in e && e.op === 'if') out.push(e.args[0]!);
  if ('args' in e) for (const a of e.args) ifConditions(a, out);
}

interface Tracker {
  cov: RevisionCoverage;
  compiled: Compiled;
  branches: Branch[];
  // The branch conditions as named values, so they can be evaluated on a case's facts:
  // the decision records a formula's value but not which arm produced it.
  probe: Compiled;
  passageOwners: Map<string, { cite: Citation; owners: Set<string> }>;
  reachedOwners: Set<string>;
}

function citeKey(c: Citation): string {
  return `${c.source}\u0000${c.section}\u0000${c.quote}`;
}

function tracker(rev: Revision & { compiled: Compiled }): Tracker {
  const p = rev.checked.product;
  const passageOwners = new Map<string, { cite: Citation; owners: Set<string> }>();
  const own = (owner: string, cs: Citation[] | undefined) => {
    for (const c of cs ?? []) {
      const k = citeKey(c);
      if (!passageOwners.has(k)) passageOwners.set(k, { cite: c, owners: new Set() });
      passageOwners.get(k)!.owners.add(owner);
    }
  };
  const branches: Branch[] = [];
  for (const f of p.formulas) {
    own(`${f.kind} ${f.name}`, f.cite);
    const conds: Expr[] = [];
    ifConditions(f.expr, conds);
    for (const cond of conds) branches.push({ formula: f.name, cond, text: exprText(cond) });
  }
  for (const r of p.rules) own(`rule ${r.id}`, r.cite);
  for (const t of p.tables) {
    own(`table ${t.name}`, t.cite);
    t.rows.forEach((row, i) => own(`table ${t.name} row ${i + 1}`, row.cite));
  }
  for (const a of p.amounts) {
    own(`amount ${a.name}`, a.cite);
    a.steps.forEach((st, i) => own(`amount ${a.name} step ${i + 1}`, st.cite));
  }
  const probeProduct: Product = {
    ...p,
    formulas: [
      ...p.formulas,
      ...branches.map((b, i) => ({ name: `$branch-${i}`, kind: 'define' as const, expr: b.cond, cite: [] })),
    ],
  };
  const cov: RevisionCoverage = {
    product: p.id,
    revision: p.revision,
    file: rev.file,
    cases: 0,
    rules: p.rules.map((r) => ({
      id: r.id,
      kind: r.kind,
      ...(r.label ? { label: r.label } : {}),
      hits: 0,
      text: canonicalJson({ ...r, note: undefined }),
    })),
    rows: p.tables.flatMap((t) => [
      ...t.rows.map((row, i) => ({
        id: `${t.name} row ${i + 1}`,
        table: t.name,
        row: (i + 1) as number | 'else',
        label: row.cells.map(cellText).join(' | '),
        hits: 0,
      })),
      ...(t.otherwise ? [{ id: `${t.name} else`, table: t.name, row: 'else' as const, label: 'else', hits: 0 }] : []),
    ]),
    steps: p.amounts.flatMap((a) =>
      a.steps.map((st, i) => ({
        id: `${a.name} step ${i + 1}`,
        amount: a.name,
        step: st.step,
        label: rev.compiled.amounts.find((x) => x.amount === a)!.steps[i]!.text,
        hits: 0,
        changed: 0,
      })),
    ),
    branches: branches.flatMap((b, i) =>
      (['then', 'else'] as const).map((arm) => ({
        id: `${b.formula} if#${i + 1} ${arm}`,
        formula: b.formula,
        arm,
        label: `if ${b.text}`,
        hits: 0,
      })),
    ),
    passages: [],
  };
  return {
    cov,
    compiled: rev.compiled,
    branches,
    probe: compile({ ...rev.checked, product: probeProduct }),
    passageOwners,
    reachedOwners: new Set(),
  };
}

// ---- folding one decision in

function record(t: Tracker, d: Decision, facts: unknown): void {
  const cov = t.cov;
  cov.cases++;
  const reached = t.reachedOwners;
  const fired = new Set(d.reasons.filter((r) => r.result === 'fired').map((r) => r.rule));
  for (const r of cov.rules) {
    if (fired.has(r.id)) {
      r.hits++;
      reached.add(`rule ${r.id}`);
    }
  }
  for (const l of d.lookups) {
    if (l.row === null) continue;
    const row = cov.rows.find((x) => x.table === l.table && x.row === l.row);
    if (row) row.hits++;
    reached.add(`table ${l.table}`);
    if (typeof l.row === 'number') reached.add(`table ${l.table} row ${l.row}`);
  }
  for (const ar of d.amounts) {
    const ca = t.compiled.amounts.find((x) => x.amount.name === ar.name);
    if (!ca) continue;
    const applied = appliedSteps(
      ca.steps.map((s) => ({ kind: s.kind, text: s.text })),
      ar.steps,
    );
    for (const [i, changed] of applied) {
      const st = cov.steps.find((x) => x.amount === ar.name && x.id === `${ar.name} step ${i + 1}`)!;
      st.hits++;
      if (changed) st.changed++;
      reached.add(`amount ${ar.name}`);
      reached.add(`amount ${ar.name} step ${i + 1}`);
    }
  }
  const computed = new Set(d.formulas.filter((f) => f.value !== null).map((f) => f.name));
  for (const f of t.compiled.product.formulas) if (computed.has(f.name)) reached.add(`${f.kind} ${f.name}`);
  if (t.branches.length) {
    const names = t.branches.map((_, i) => `$branch-${i}`);
    const values = namedValues(t.probe, facts, names);
    t.branches.forEach((b, i) => {
      if (!computed.has(b.formula)) return;
      const v = values.get(names[i]!);
      if (typeof v !== 'boolean') return;
      cov.branches[i * 2 + (v ? 0 : 1)]!.hits++;
    });
  }
}

// The declared steps an amount's trace applied, by declared index (with whether the step moved
// the amount: a limit that never binds is applied but never changes anything).
export function appliedSteps(
  declared: { kind: string; text: string }[],
  trace: Decision['amounts'][number]['steps'],
): Map<number, boolean> {
  const out = new Map<number, boolean>();
  const totalAt = declared.findIndex((s) => s.kind === 'total');
  let j = 0;
  let item: number | undefined;
  for (const st of trace) {
    if (st.step === 'not-payable') continue;
    if (st.item !== undefined && st.item !== item) j = 0;
    item = st.item;
    if (st.step === 'total') {
      if (totalAt >= 0) {
        out.set(totalAt, out.get(totalAt) ?? false);
        j = totalAt + 1;
      }
      continue;
    }
    let i = j;
    while (i < declared.length && !(declared[i]!.kind === st.step && declared[i]!.text === st.text)) i++;
    if (i === declared.length) continue;
    j = i + 1;
    if (!st.applied) continue;
    const changed = JSON.stringify(st.before) !== JSON.stringify(st.after);
    out.set(i, (out.get(i) ?? false) || changed);
  }
  return out;
}

function finish(t: Tracker): RevisionCoverage {
  t.cov.passages = [...t.passageOwners.values()]
    .map(({ cite, owners }) => ({
      ...cite,
      owners: [...owners].sort(),
      reached: [...owners].some((o) => t.reachedOwners.has(o)),
    }))
    .sort((a, b) => (a.source + a.section + a.quote < b.source + b.section + b.quote ? -1 : 1));
  return t.cov;
}

// ---- product folders and their cases

function isProductDir(d: string): boolean {
  return existsSync(d) && statSync(d).isDirectory() && readdirSync(d).some((f) => f.endsWith('.yk'));
}

function productDirsUnder(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (isProductDir(p)) out.push(p);
    else if (existsSync(p) && statSync(p).isDirectory())
      for (const d of readdirSync(p).sort()) if (isProductDir(join(p, d))) out.push(join(p, d));
  }
  return out;
}

// `onCase` sees every case result as it is decided (`yakkan test --coverage` prints them).
export function coverage(paths: string[], onCase?: (r: CaseResult) => void): CoverageReport {
  const files = findCaseFiles(paths);
  const byDir = new Map<string, string[]>();
  for (const d of productDirsUnder(paths)) byDir.set(relative(process.cwd(), d) || d, []);
  for (const f of files) {
    const d = relative(process.cwd(), productDirFor(f)) || productDirFor(f);
    if (!byDir.has(d)) byDir.set(d, []);
    byDir.get(d)!.push(f);
  }
  const report: CoverageReport = { products: [] };
  for (const [dir, caseFiles] of [...byDir].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const p = loadProduct(dir);
    const trackers = new Map<string, Tracker>();
    for (const r of p.revisions)
      if (r.compiled) trackers.set(r.checked.product.revision, tracker(r as Revision & { compiled: Compiled }));
    const failed: { file: string; error: string }[] = [];
    for (const f of caseFiles) {
      const r = runCase(f);
      onCase?.(r);
      if (!r.decision) {
        failed.push({ file: r.file, error: r.error ?? 'no decision' });
        continue;
      }
      const t = trackers.get(r.decision.product.revision);
      if (t) record(t, r.decision, readCase(f).c?.facts);
    }
    report.products.push({ dir, revisions: [...trackers.values()].map(finish), failed });
  }
  return report;
}

// ---- for people

function ratio(xs: { hits: number }[]): string {
  return `${xs.filter((x) => x.hits > 0).length}/${xs.length}`;
}

// At most 20 names a line: a 100-row rate table never looked up is one fact, not a screenful.
function never(xs: Counted[], show: (x: Counted) => string, skip: (x: Counted) => boolean = () => false): string[] {
  const missed = xs.filter((x) => x.hits === 0 && !skip(x));
  if (missed.length === 0) return [];
  const more = missed.length > 20 ? ` … and ${missed.length - 20} more (--json lists them all)` : '';
  return [`      never: ${missed.slice(0, 20).map(show).join(', ')}${more}`];
}

export function renderCoverage(r: CoverageReport): string {
  const out: string[] = [];
  for (const prod of r.products) {
    for (const c of prod.revisions) {
      out.push(`${prod.dir} — ${c.product}@${c.revision} (${c.file}): ${c.cases} case${c.cases === 1 ? '' : 's'}`);
      if (c.cases === 0) {
        out.push('  no case selects this revision: nothing of it is exercised');
        continue;
      }
      const kinds: [string, (k: string) => boolean][] = [
        ['eligibility rules', (k) => k === 'eligibility' || k === 'ineligible'],
        ['cover rules', (k) => k === 'cover'],
        ['exclusions', (k) => k === 'exclude'],
        ['conditions', (k) => k === 'condition'],
        ['constraints', (k) => k === 'constraint'],
      ];
      const carried = carriedRules(prod, c);
      for (const [name, test] of kinds) {
        const rs = c.rules.filter((x) => test(x.kind));
        if (rs.length === 0) continue;
        const elsewhere = rs.filter((x) => carried.has(x.id)).length;
        out.push(
          `  ${name.padEnd(18)} ${ratio(rs).padStart(7)} fired${elsewhere ? ` (+${elsewhere} unchanged from another edition, fired in its cases)` : ''}`,
        );
        out.push(
          ...never(
            rs,
            (x) => x.id,
            (x) => carried.has(x.id),
          ),
        );
      }
      if (c.rows.length) {
        out.push(`  ${'table rows'.padEnd(18)} ${ratio(c.rows).padStart(7)} looked up`);
        out.push(...never(c.rows, (x) => `${x.id.replace(' row ', '#')} (${x.label})`));
      }
      if (c.steps.length) {
        out.push(`  ${'amount steps'.padEnd(18)} ${ratio(c.steps).padStart(7)} applied`);
        out.push(...never(c.steps, (x) => `${x.id} (${x.label})`));
        const idle = c.steps.filter(
          (s) => s.hits > 0 && s.changed === 0 && ['limit', 'aggregate', 'deductible', 'floor'].includes(s.step),
        );
        if (idle.length)
          out.push(`      applied but never changed the amount: ${idle.map((s) => `${s.id} (${s.label})`).join(', ')}`);
      }
      if (c.branches.length) {
        out.push(`  ${'formula branches'.padEnd(18)} ${ratio(c.branches).padStart(7)} taken`);
        out.push(...never(c.branches, (x) => `${x.id} (${x.label})`));
      }
      // A passage reached by another edition's cases is not news for this one.
      const reachedElsewhere = new Set(
        prod.revisions
          .filter((o) => o !== c)
          .flatMap((o) =>
            o.passages.filter((x) => x.reached).map((x) => `${x.source}\u0000${x.section}\u0000${x.quote}`),
          ),
      );
      const notHere = c.passages.filter((x) => !x.reached);
      const unreached = notHere.filter((x) => !reachedElsewhere.has(`${x.source}\u0000${x.section}\u0000${x.quote}`));
      const other = notHere.length - unreached.length;
      out.push(
        `  ${'cited passages'.padEnd(18)} ${`${c.passages.length - notHere.length}/${c.passages.length}`.padStart(7)} reached${other ? ` (+${other} reached by another edition's cases)` : ''}`,
      );
      for (const x of unreached) {
        const q = x.quote.replace(/[\t\n]/g, ' ');
        out.push(
          `      not reached: §${x.section} 「${q.length > 50 ? `${q.slice(0, 50)}…` : q}」 (${x.owners.join(', ')})`,
        );
      }
    }
    for (const f of prod.failed) out.push(`  could not run ${f.file}: ${f.error}`);
    out.push('');
  }
  out.push(...unexercisedSummary(r));
  return out.join('\n');
}

// Every rule no case fires, per product revision: the list a reviewer asks for first. A rule a
// later edition carries over word for word (same compiled text) counts as exercised when it fires
// in another edition's cases: the edition's own cases then need only test what it changed.
// Those are listed apart (`elsewhere`), so nothing is hidden.
export function unexercisedRules(
  r: CoverageReport,
): { product: string; revision: string; rules: string[]; elsewhere: string[] }[] {
  return r.products
    .flatMap((p) =>
      p.revisions.map((c) => {
        const carried = carriedRules(p, c);
        const unfired = c.rules.filter((x) => x.hits === 0);
        return {
          product: p.dir,
          revision: c.revision,
          rules: unfired.filter((x) => !carried.has(x.id)).map((x) => `${x.kind} ${x.id}`),
          elsewhere: unfired.filter((x) => carried.has(x.id)).map((x) => `${x.kind} ${x.id} (in ${carried.get(x.id)})`),
        };
      }),
    )
    .filter((x) => x.rules.length > 0 || x.elsewhere.length > 0);
}

// Rules of `c` no case of `c` fires, but which another edition has word for word and fires:
// id -> that edition.
function carriedRules(p: CoverageReport['products'][number], c: RevisionCoverage): Map<string, string> {
  const out = new Map<string, string>();
  for (const x of c.rules) {
    if (x.hits > 0) continue;
    const o = p.revisions.find((o) => o !== c && o.rules.some((y) => y.hits > 0 && y.id === x.id && y.text === x.text));
    if (o) out.set(x.id, o.revision);
  }
  return out;
}

function unexercisedSummary(r: CoverageReport): string[] {
  const revs = r.products.reduce((n, p) => n + p.revisions.length, 0);
  const rules = r.products.reduce((n, p) => n + p.revisions.reduce((m, c) => m + c.rules.length, 0), 0);
  const all = unexercisedRules(r);
  const never = all.filter((x) => x.rules.length > 0);
  const count = never.reduce((n, x) => n + x.rules.length, 0);
  const carried = all.filter((x) => x.elsewhere.length > 0);
  const carriedCount = carried.reduce((n, x) => n + x.elsewhere.length, 0);
  const plural = revs === 1 ? '' : 's';
  const out =
    count === 0
      ? [
          `rules: every one of the ${rules} rules of ${revs} product revision${plural} fired in some case${carriedCount ? ` (${carriedCount} in the cases of another edition that has them word for word)` : ''}`,
        ]
      : [
          `rules: ${rules - count} of ${rules} rules of ${revs} product revision${plural} fired in some case${carriedCount ? ` (${carriedCount} of them in the cases of another edition that has them word for word)` : ''}; no case fires these ${count}:`,
          ...never.map((x) => `  ${x.product}@${x.revision}: ${x.rules.join(', ')}`),
        ];
  if (carriedCount) {
    out.push(`fired only in another edition's cases, unchanged there (${carriedCount}):`);
    for (const x of carried)
      out.push(
        `  ${x.product}@${x.revision}: ${x.elsewhere.length > 12 ? `${x.elsewhere.slice(0, 12).join(', ')} … and ${x.elsewhere.length - 12} more` : x.elsewhere.join(', ')}`,
      );
  }
  out.push('');
  return out;
}
