// Two revisions of a product side by side: what the pamphlet change did to the rules (structural)
// and what it does to claims (behavioural: every case decided by both revisions). The corpus is
// streamed in chunks, and large NDJSON corpora are spread over worker threads, so a million
// cases never sit in memory at once. Every result is ordered by ids and case positions, never by
// completion order, so the same inputs give the same bytes whatever the number of workers.
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import type { Cell, Citation, Condition, Expr, FieldDecl, Literal, Product } from '../../dsl/ir.js';
import { conditionText, exprText } from '../../dsl/print.js';
import { literalText } from '../../dsl/literals.js';
import { hasErrors, renderDiagnostics } from '../../dsl/diagnostics.js';
import { factAt, inForceOn, loadProduct, type Revision } from '../loading/load.js';
import type { Compiled } from '../pipeline/evaluate/index.js';
import { decideFiring, errorFiring, firingOf, firingOfSlots, type Firing } from '../pipeline/evaluate/firing.js';
import { readSlots } from '../pipeline/codegen/reader.js';
import { forEachLeaf } from '../pipeline/check.js';
import { readYaml } from './cases.js';
import { type ByteChunk, byteChunks, linesOf } from './ndjson.js';
import { defineTask, inlinePool, ordered, type Runner, threadPool } from './pool.js';
import { showText } from '../pipeline/values.js';
import { declaredTypeText } from '../pipeline/operators.js';
import type { Decision, ShownValue } from '../pipeline/decision-types.js';

// ---------------------------------------------------------------- loading one side

export class DiffUsageError extends Error {}

// A revision file, or a folder whose newest revision (latest `in force from`) stands for it.
export function loadSide(path: string, opts: { diskCache?: boolean } = {}): Revision & { compiled: Compiled } {
  if (!existsSync(path)) throw new DiffUsageError(`no product revision at ${path}`);
  const p = loadProduct(path, opts);
  if (hasErrors(p.diagnostics))
    throw new DiffUsageError(`${path} has errors:\n${renderDiagnostics(p.diagnostics, p.sources)}`);
  const rev = p.revisions[p.revisions.length - 1];
  if (!rev?.compiled) throw new DiffUsageError(`no usable revision at ${path}`);
  return rev as Revision & { compiled: Compiled };
}

// ---------------------------------------------------------------- structural

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface StructuralChange {
  change: ChangeKind;
  what: 'product' | 'fact' | 'rule' | 'table' | 'row' | 'formula' | 'amount' | 'step';
  id: string;
  field?: string;
  old?: string;
  new?: string;
  oldCite: Citation[];
  newCite: Citation[];
}

type Fields = Record<string, string | undefined>;

interface Entity {
  what: StructuralChange['what'];
  id: string;
  group?: string;
  fields: Fields;
  cite: Citation[];
}

function citeText(cs: Citation[] | undefined, p: Product): string | undefined {
  if (!cs?.length) return undefined;
  return cs.map((c) => `${c.source === p.source ? '' : `${c.source} `}§${c.section} "${c.quote}"`).join('; ');
}

function literalsText(ls: Literal[] | undefined): string | undefined {
  return ls ? ls.map(literalText).join(' | ') : undefined;
}

// A table cell as the DSL writes it.
export function cellText(c: Cell): string {
  if ('any' in c) return 'any';
  if ('in' in c) return c.in.map(literalText).join(', ');
  if ('range' in c) return `${literalText(c.range[0])} .. ${literalText(c.range[1])}`;
  return `${{ lt: '<', le: '<=', gt: '>', ge: '>=', eq: '=' }[c.cmp]} ${literalText(c.value)}`;
}

function cellsText(row: { cells: Cell[] }): string {
  return row.cells.map(cellText).join(' | ');
}

// Every part of a revision that can change, as (id -> printed fields). Printing through the DSL
// printer compares meaning, not layout: reformatting a file is no change.
export function entities(p: Product): Entity[] {
  const derived = new Map(p.derived.map((d) => [d.name, exprText(d.expr)]));
  const cond = (c: Condition | undefined) => (c ? conditionText(c, (n) => derived.get(n) ?? n) : undefined);
  const out: Entity[] = [];
  out.push({
    what: 'product',
    id: 'product',
    cite: [],
    fields: {
      'name ja': p.name.ja,
      'name en': p.name.en,
      revision: p.revision,
      'in force from': p.inForce.from,
      'in force until': p.inForce.until,
      'chosen by': p.chosenBy,
      currency: p.currency,
      source: p.source,
      reconstructed: p.reconstructed,
      note: (p as Product & { note?: string }).note,
    },
  });
  // Facts may carry their own citation and note (the model's JSON has them; FieldDecl does not say so).
  type CitedField = FieldDecl & { cite?: Citation[]; note?: string };
  const factFields = (f: CitedField): Fields => ({
    type: declaredTypeText(f.type),
    label: f.label,
    default: f.default ? literalText(f.default) : undefined,
    'one of': literalsText(f.oneOf),
    note: f.note,
    cite: citeText(f.cite, p),
  });
  for (const f of p.facts as CitedField[])
    out.push({ what: 'fact', id: `fact ${f.name}`, fields: factFields(f), cite: f.cite ?? [] });
  for (const r of p.rules) {
    out.push({
      what: 'rule',
      id: `rule ${r.id}`,
      cite: r.cite,
      fields: {
        kind: r.kind,
        label: r.label,
        'for each': r.forEach,
        when: cond(r.when),
        unless: cond(r.unless),
        require: cond(r.require),
        note: r.note,
        cite: citeText(r.cite, p),
      },
    });
  }
  for (const f of p.formulas) {
    out.push({
      what: 'formula',
      id: `${f.kind} ${f.name}`,
      cite: f.cite,
      fields: { label: f.label, expr: exprText(f.expr), note: f.note, cite: citeText(f.cite, p) },
    });
  }
  for (const t of p.tables) {
    out.push({
      what: 'table',
      id: `table ${t.name}`,
      cite: t.cite,
      fields: {
        label: t.label,
        hit: t.hit,
        given: t.inputs.map((e) => exprText(e)).join(', '),
        returns: t.outputs.map((o) => `${o.name}: ${declaredTypeText(o.type)}`).join(', '),
        else: literalsText(t.otherwise),
        note: t.note,
        cite: citeText(t.cite, p),
      },
    });
    // Rows are matched by their input cells: the row for "EM" is the same row wherever it moved.
    const seen = new Map<string, number>();
    for (const row of t.rows) {
      const cells = cellsText(row);
      const n = (seen.get(cells) ?? 0) + 1;
      seen.set(cells, n);
      out.push({
        what: 'row',
        id: `table ${t.name} row ${cells}${n > 1 ? ` #${n}` : ''}`,
        cite: [...(row.cite ?? []), ...t.cite],
        fields: { outputs: literalsText(row.outputs), cite: citeText(row.cite, p) },
      });
    }
  }
  for (const a of p.amounts) {
    out.push({
      what: 'amount',
      id: `amount ${a.name}`,
      cite: a.cite,
      fields: {
        label: a.label,
        currency: a.currency,
        payable: String(a.payable),
        'for each': a.forEach,
        note: a.note,
        cite: citeText(a.cite, p),
      },
    });
    // A step is known by its kind and when it applies ("the limit when item.category = apology");
    // structuralDiff pairs the steps left over on each side by kind, in order.
    const seen = new Map<string, number>();
    for (const st of a.steps) {
      const key = `amount ${a.name} step ${st.step}${st.when ? ` when ${cond(st.when)}` : ''}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      out.push({
        what: 'step',
        id: `${key}${n > 1 ? ` #${n}` : ''}`,
        group: `amount ${a.name} step ${st.step}`,
        cite: [...(st.cite ?? []), ...a.cite],
        fields: {
          expr: st.expr ? exprText(st.expr) : undefined,
          used: st.used ? exprText(st.used) : undefined,
          mode: st.mode,
          when: cond(st.when),
          cite: citeText(st.cite, p),
        },
      });
    }
  }
  return out;
}

export function structuralDiff(oldP: Product, newP: Product): StructuralChange[] {
  const olds = new Map(entities(oldP).map((e) => [e.id, e]));
  const news = new Map(entities(newP).map((e) => [e.id, e]));
  pairLeftovers(olds, news);
  const out: StructuralChange[] = [];
  const summary = (e: Entity): string =>
    e.fields['label'] ?? e.fields['outputs'] ?? e.fields['expr'] ?? e.fields['type'] ?? '';
  for (const [id, o] of olds) {
    const n = news.get(id);
    if (!n) {
      out.push({ change: 'removed', what: o.what, id, old: summary(o), oldCite: o.cite, newCite: [] });
      continue;
    }
    for (const field of [...new Set([...Object.keys(o.fields), ...Object.keys(n.fields)])]) {
      if (o.fields[field] === n.fields[field]) continue;
      out.push({
        change: 'changed',
        what: o.what,
        id,
        field,
        ...(o.fields[field] !== undefined ? { old: o.fields[field] } : {}),
        ...(n.fields[field] !== undefined ? { new: n.fields[field] } : {}),
        oldCite: o.cite,
        newCite: n.cite,
      });
    }
  }
  for (const [id, n] of news)
    if (!olds.has(id)) out.push({ change: 'added', what: n.what, id, new: summary(n), oldCite: [], newCite: n.cite });
  const order = ['product', 'fact', 'rule', 'table', 'row', 'formula', 'amount', 'step'];
  return out.sort(
    (a, b) => order.indexOf(a.what) - order.indexOf(b.what) || cmp(a.id, b.id) || cmp(a.field ?? '', b.field ?? ''),
  );
}

// Steps whose condition changed have no partner by id: pair them with the unmatched steps of
// the same kind in the same amount, in order, so a changed `when` reads as a change.
function pairLeftovers(olds: Map<string, Entity>, news: Map<string, Entity>): void {
  const left = (from: Map<string, Entity>, other: Map<string, Entity>) => {
    const m = new Map<string, Entity[]>();
    for (const e of from.values()) if (e.group && !other.has(e.id)) m.set(e.group, [...(m.get(e.group) ?? []), e]);
    return m;
  };
  const lo = left(olds, news);
  const ln = left(news, olds);
  for (const [group, os] of lo) {
    (ln.get(group) ?? []).slice(0, os.length).forEach((n, i) => {
      news.delete(n.id);
      news.set(os[i]!.id, { ...n, id: os[i]!.id });
    });
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- behavioural

export interface Summary {
  outcome: string;
  deciding: string[];
  amounts: Record<string, ShownValue>;
  items: string[];
}

export interface Example {
  index: number;
  ref: string;
  old: Summary;
  new: Summary;
}

export interface Group {
  causes: string[];
  // The structural changes behind the causes: the changed rule itself, or the table rows,
  // formulas, facts and amount steps it reads.
  because?: string[];
  count: number;
  transitions: Record<string, number>;
  examples: Example[];
}

export interface Behaviour {
  cases: number;
  changed: number;
  unreadable: number;
  unreadableExamples: { index: number; ref: string; error: string }[];
  transitions: Record<string, number>;
  // Which edition each case's own date (the `chosen by` fact) falls in: old, new, both,
  // neither, or undated. A case outside an edition's period shows what that edition would
  // have decided, not what it did decide.
  inForce: Record<string, number>;
  groups: Group[];
}

export function emptyBehaviour(): Behaviour {
  return { cases: 0, changed: 0, unreadable: 0, unreadableExamples: [], transitions: {}, inForce: {}, groups: [] };
}

function summarize(d: Pick<Decision, 'outcome' | 'deciding' | 'amounts' | 'items'>): Summary {
  const amounts: Record<string, ShownValue> = {};
  for (const a of d.amounts) amounts[a.name] = a.items ? [a.value, a.items] : a.value;
  return { outcome: d.outcome, deciding: [...d.deciding].sort(), amounts, items: d.items.map((i) => i.outcome) };
}

// A rule with no result for an item did not apply to that item (the full trace gives an item only
// the reasons of the rules that apply to it), if the revision has the rule: `rules` when known,
// else a result for the rule on another item.
function absentAs(results: Firing['results'], key: string, rules: ReadonlySet<string> | undefined): string {
  const item = /\[\d+\]$/.exec(key);
  if (!item) return 'absent';
  const rule = key.slice(0, item.index);
  if (rules) return rules.has(rule) ? 'not-fired' : 'absent';
  for (const k of results.keys()) if (k.startsWith(rule) && /^\[\d+\]$/.test(k.slice(rule.length))) return 'not-fired';
  return 'absent';
}

// Why two decisions differ: the rules whose firing changed; failing that, the table rows that
// changed, the facts one revision rejects, or the amounts whose arithmetic changed.
export function causes(
  od: Decision | Firing,
  nd: Decision | Firing,
  rules?: { old: ReadonlySet<string>; new: ReadonlySet<string> },
): string[] {
  const o = 'results' in od ? od : firingOf(od);
  const n = 'results' in nd ? nd : firingOf(nd);
  if (o.outcome === 'error' || n.outcome === 'error') {
    const ptrs = (d: Firing) => d.errors.map((e) => e.pointer).join(', ');
    if (o.outcome === n.outcome) return [`facts invalid (old: ${ptrs(o)}; new: ${ptrs(n)})`];
    return [
      o.outcome === 'error' ? `facts invalid in old only (${ptrs(o)})` : `facts invalid in new only (${ptrs(n)})`,
    ];
  }
  const of = o.results;
  const nf = n.results;
  const out: string[] = [];
  const compare = (k: string, a: string, b: string): void => {
    // A rule that is merely added or removed without firing changed nothing.
    if (a !== b && !((a === 'absent' && b === 'not-fired') || (a === 'not-fired' && b === 'absent')))
      out.push(`rule ${ruleOfKey(k)}: ${a} → ${b}`);
  };
  // Every key of either side once: the old side's, then the new side's the old lacks.
  for (const [k, a] of of) compare(k, a, nf.get(k) ?? absentAs(nf, k, rules?.new));
  for (const [k, b] of nf) if (!of.has(k)) compare(k, absentAs(of, k, rules?.old), b);
  if (out.length) return [...new Set(out)].sort();
  const or = o.rows;
  const nr = n.rows;
  for (const t of new Set([...or.keys(), ...nr.keys()])) {
    if (or.get(t) !== nr.get(t)) out.push(`table ${t}: row ${or.get(t) ?? 'none'} → row ${nr.get(t) ?? 'none'}`);
  }
  if (out.length) return out.sort();
  const oa = new Map(o.amounts.map((a) => [a.name, JSON.stringify([a.value, a.items])]));
  for (const a of n.amounts)
    if (oa.get(a.name) !== JSON.stringify([a.value, a.items])) out.push(`amount ${a.name}: computed differently`);
  for (const a of o.amounts) if (!n.amounts.some((x) => x.name === a.name)) out.push(`amount ${a.name}: removed`);
  if (out.length) return out.sort();
  return ['decision changed, no rule firing changed'];
}

// `rule` of a key `rule` or `rule[item]`.
function ruleOfKey(k: string): string {
  return k.charCodeAt(k.length - 1) === 93 ? k.replace(/\[\d+\]$/, '') : k;
}

function inForceOf(o: Product, n: Product, facts: unknown): string {
  const by = n.chosenBy ?? o.chosenBy;
  const date = by ? factAt(facts, by) : undefined;
  if (typeof date !== 'string') return 'undated';
  const a = inForceOn(o, date);
  const b = inForceOn(n, date);
  return a && b ? 'both' : a ? 'old' : b ? 'new' : 'neither';
}

const ruleIdsOf = new WeakMap<Compiled, ReadonlySet<string>>();
function ruleIds(c: Compiled): ReadonlySet<string> {
  let ids = ruleIdsOf.get(c);
  if (!ids) ruleIdsOf.set(c, (ids = new Set(c.product.rules.map((r) => r.id))));
  return ids;
}

// Two revisions that declare the same facts (names, types, labels, defaults, choices) read any
// input to the same slots and errors: the facts are then read once for both.
const sameFactsOf = new WeakMap<Compiled, WeakMap<Compiled, boolean>>();
function sameFacts(a: Compiled, b: Compiled): boolean {
  let m = sameFactsOf.get(a);
  if (!m) sameFactsOf.set(a, (m = new WeakMap()));
  let same = m.get(b);
  if (same === undefined) m.set(b, (same = JSON.stringify(a.product.facts) === JSON.stringify(b.product.facts)));
  return same;
}

// Both revisions' firings of one case. A slot holds the same value for both (a pending number is
// converted on first read, to the same value, as the types are the same), so sharing them is
// reading twice without the second read.
function decideBoth(oldC: Compiled, newC: Compiled, facts: unknown): [Firing, Firing] {
  if (!sameFacts(oldC, newC)) return [decideFiring(oldC, facts), decideFiring(newC, facts)];
  const { slots, errors } = readSlots(oldC.product, facts);
  if (errors.length) return [errorFiring(errors), errorFiring(errors)];
  return [firingOfSlots(oldC, slots), firingOfSlots(newC, slots)];
}

// Whether two summaries write the same JSON, without writing them: true or false when sure,
// undefined for what JSON.stringify treats specially (undefined, functions, toJSON, keys that
// differ), which the caller then compares as text.
function sameJson(a: unknown, b: unknown): boolean | undefined {
  if (a === b) return true;
  if (simple(a) && simple(b)) return false;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return undefined;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  if (typeof x['toJSON'] === 'function' || typeof y['toJSON'] === 'function') return undefined;
  const arr = Array.isArray(x);
  if (arr !== Array.isArray(y)) return false;
  if (arr) {
    const xs = x as unknown as unknown[];
    const ys = y as unknown as unknown[];
    if (xs.length !== ys.length) return false;
    for (let i = 0; i < xs.length; i++) {
      const r = sameJson(xs[i], ys[i]);
      if (r !== true) return r;
    }
    return true;
  }
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return undefined;
  for (let i = 0; i < kx.length; i++) {
    const k = kx[i]!;
    if (k !== ky[i]) return undefined;
    const r = sameJson(x[k], y[k]);
    if (r !== true) return r;
  }
  return true;
}

// A value JSON.stringify writes as itself; two such values that differ write differently.
function simple(x: unknown): boolean {
  return x === null || typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
}

// Decides one case by both revisions and folds the result into `agg`.
function compareOne(
  oldC: Compiled,
  newC: Compiled,
  index: number,
  ref: string,
  facts: unknown,
  agg: Behaviour,
  groups: Map<string, Group>,
  examples: number,
): void {
  agg.cases++;
  const period = inForceOf(oldC.product, newC.product, facts);
  agg.inForce[period] = (agg.inForce[period] ?? 0) + 1;
  // Once per revision, without reasons: what changed and which rules' firing changed it.
  const [o, n] = decideBoth(oldC, newC, facts);
  const os = summarize(o);
  const ns = summarize(n);
  const same = sameJson(os, ns) ?? JSON.stringify(os) === JSON.stringify(ns);
  if (same) return;
  const transition = `${os.outcome} → ${ns.outcome}`;
  agg.changed++;
  agg.transitions[transition] = (agg.transitions[transition] ?? 0) + 1;
  const cs = causes(o, n, { old: ruleIds(oldC), new: ruleIds(newC) });
  const key = cs.join('\n');
  let g = groups.get(key);
  if (!g) {
    g = { causes: cs, count: 0, transitions: {}, examples: [] };
    groups.set(key, g);
  }
  g.count++;
  g.transitions[transition] = (g.transitions[transition] ?? 0) + 1;
  if (g.examples.length < examples) g.examples.push({ index, ref, old: os, new: ns });
}

function unreadable(agg: Behaviour, index: number, ref: string, error: string, examples: number): void {
  agg.unreadable++;
  if (agg.unreadableExamples.length < examples) agg.unreadableExamples.push({ index, ref, error });
}

// A case file or NDJSON line is either a facts object or a case (its facts under `facts`).
function factsOf(data: unknown): unknown {
  if (
    data &&
    typeof data === 'object' &&
    !Array.isArray(data) &&
    'facts' in data &&
    ('expect' in data || 'case' in data)
  )
    return (data as { facts: unknown }).facts;
  return data;
}

export function diffLines(oldC: Compiled, newC: Compiled, start: number, lines: string[], examples: number): Behaviour {
  const agg = emptyBehaviour();
  const groups = new Map<string, Group>();
  lines.forEach((line, i) => {
    const index = start + i;
    if (line.trim() === '') return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (e) {
      unreadable(agg, index, `line ${index + 1}`, (e as Error).message, examples);
      return;
    }
    // A labelled line (`cases generate --labels`) names the variation it tests.
    const label = (data as { case?: unknown } | null)?.case;
    const ref = typeof label === 'string' ? `line ${index + 1} (${label})` : `line ${index + 1}`;
    compareOne(oldC, newC, index, ref, factsOf(data), agg, groups, examples);
  });
  agg.groups = [...groups.values()];
  return agg;
}

// Folding chunk results: counts add; examples keep the earliest cases, so the result does not
// depend on which worker finished first.
export function mergeBehaviour(into: Behaviour, part: Behaviour, examples: number): void {
  into.cases += part.cases;
  into.changed += part.changed;
  into.unreadable += part.unreadable;
  into.unreadableExamples = [...into.unreadableExamples, ...part.unreadableExamples]
    .sort((a, b) => a.index - b.index)
    .slice(0, examples);
  addCounts(into.transitions, part.transitions);
  addCounts(into.inForce, part.inForce);
  const byKey = new Map(into.groups.map((g) => [g.causes.join('\n'), g]));
  for (const g of part.groups) {
    const key = g.causes.join('\n');
    const mine = byKey.get(key);
    if (!mine) {
      const copy = { ...g, transitions: { ...g.transitions }, examples: [...g.examples] };
      byKey.set(key, copy);
      into.groups.push(copy);
      continue;
    }
    mine.count += g.count;
    addCounts(mine.transitions, g.transitions);
    mine.examples = [...mine.examples, ...g.examples].sort((a, b) => a.index - b.index).slice(0, examples);
  }
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function sortedCounts(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])));
}

export function finishBehaviour(b: Behaviour): Behaviour {
  return {
    ...b,
    transitions: sortedCounts(b.transitions),
    inForce: sortedCounts(b.inForce),
    groups: b.groups
      .map((g) => ({ ...g, transitions: sortedCounts(g.transitions) }))
      .sort((a, b2) => b2.count - a.count || cmp(a.causes.join('\n'), b2.causes.join('\n'))),
  };
}

// Case files under a folder (any depth), in path order.
export function corpusFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const full = join(d, f);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(f)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

function diffFiles(oldC: Compiled, newC: Compiled, dir: string, examples: number): Behaviour {
  const agg = emptyBehaviour();
  const groups = new Map<string, Group>();
  corpusFiles(dir).forEach((file, index) => {
    const ref = relative(process.cwd(), file) || file;
    let facts: unknown;
    try {
      const text = readFileSync(file, 'utf8');
      facts = factsOf(file.endsWith('.json') ? JSON.parse(text) : readYaml(text));
    } catch (e) {
      unreadable(agg, index, ref, (e as Error).message.split('\n')[0]!, examples);
      return;
    }
    compareOne(oldC, newC, index, ref, facts, agg, groups, examples);
  });
  agg.groups = [...groups.values()];
  return agg;
}

// NDJSON lines in chunks, in order, with back-pressure: the next chunk is read only when there
// is room for it, so memory holds a few chunks whatever the size of the file.
async function* ndjsonChunks(
  file: string,
  size: number,
  onRead: (bytes: number) => void = () => {},
): AsyncGenerator<{ start: number; lines: string[] }> {
  let carry = '';
  let start = 0;
  let lines: string[] = [];
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const buf of stream) {
    onRead(stream.bytesRead);
    const parts = (carry + (buf as string)).split('\n');
    carry = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      if (lines.length === size) {
        yield { start, lines };
        start += size;
        lines = [];
      }
    }
  }
  if (carry !== '') lines.push(carry);
  if (lines.length) yield { start, lines };
}

export interface BehaviourOptions {
  examples?: number;
  jobs?: number;
  chunk?: number;
  // `done`: the share of the corpus read so far, 0..1 (the reader is at most a few chunks ahead
  // of the deciding, so it is also the share decided, near enough for a progress bar).
  progress?: (cases: number, changed: number, done: number) => void;
  // Another transport for an NDJSON corpus's chunks (the job queue of `--queue`); threads by default.
  runner?: Runner;
}

interface DiffInit {
  old: string;
  new: string;
  examples: number;
}

// One chunk of NDJSON lines decided by both revisions; each worker compiles both once.
// Lines as strings (the job queue's chunks), or as the bytes of whole lines (ndjson.ts).
type LinesChunk = { start: number; lines: string[] } | ByteChunk;

export const diffChunk = defineTask(
  'diff/lines',
  import.meta.url,
  (init: DiffInit) => {
    // Through the compiled-model cache, as batch workers load: the main thread has just loaded
    // (and checked) both sides from the DSL, and every worker would parse them again.
    const oldC = loadSide(init.old, { diskCache: true }).compiled;
    const newC = loadSide(init.new, { diskCache: true }).compiled;
    return (c: LinesChunk) =>
      'lines' in c
        ? diffLines(oldC, newC, c.start, c.lines, init.examples)
        : diffLines(oldC, newC, c.first - 1, linesOf(c), init.examples);
  },
  poisonedLines,
);

// A chunk that failed on every attempt in the job queue: its lines count as unreadable.
function poisonedLines(c: LinesChunk, why: string): Behaviour {
  const agg = emptyBehaviour();
  const start = 'lines' in c ? c.start : c.first - 1;
  ('lines' in c ? c.lines : linesOf(c)).forEach((line, i) => {
    if (line.trim() !== '') unreadable(agg, start + i, `line ${start + i + 1}`, why, Number.POSITIVE_INFINITY);
  });
  return agg;
}

// Workers pay off only for big corpora: each one compiles both revisions first.
const WORKER_THRESHOLD_BYTES = 4 << 20;
// Each worker holds up to DEPTH chunks, so it has the next one queued while it works and the
// reader stays only a few chunks ahead (bounded memory).
const DEPTH = 2;

export async function behaviouralDiff(
  oldPath: string,
  newPath: string,
  corpus: string,
  opts: BehaviourOptions = {},
): Promise<Behaviour> {
  const examples = opts.examples ?? 3;
  const oldC = loadSide(oldPath).compiled;
  const newC = loadSide(newPath).compiled;
  if (!existsSync(corpus)) throw new DiffUsageError(`no cases at ${corpus}`);
  if (statSync(corpus).isDirectory()) {
    const b = diffFiles(oldC, newC, corpus, examples);
    opts.progress?.(b.cases, b.changed, 1);
    return finishBehaviour(b);
  }
  const size = statSync(corpus).size;
  const jobs = opts.jobs ?? (size >= WORKER_THRESHOLD_BYTES ? Math.max(1, Math.min(availableParallelism(), 8)) : 1);
  const total = emptyBehaviour();
  let read = 0;
  const onRead = (bytes: number) => (read = bytes);
  const init: DiffInit = { old: oldPath, new: newPath, examples };
  // Without a build (a TypeScript runner) the chunks are decided in this thread.
  const threads = jobs > 1 && !opts.runner ? threadPool(diffChunk, init, { workers: jobs, depth: DEPTH }) : undefined;
  const pool = opts.runner?.(diffChunk, init) ?? threads ?? inlinePool(diffChunk, init);
  try {
    const size = opts.chunk ?? 2000;
    // Threads get the bytes of whole lines and decode them themselves (ndjson.ts); the job queue, lines.
    const chunks: AsyncIterable<LinesChunk> = opts.runner
      ? ndjsonChunks(corpus, size, onRead)
      : byteChunks(createReadStream(corpus, { highWaterMark: 1 << 20 }), size, (_, bytes) => onRead(bytes));
    for await (const part of ordered(pool, chunks)) {
      mergeBehaviour(total, part, examples);
      opts.progress?.(total.cases + total.unreadable, total.changed, size ? read / size : 1);
    }
  } finally {
    await pool.close();
  }
  return finishBehaviour(total);
}

// ---------------------------------------------------------------- linking causes to changes

function exprRefs(e: Expr, out: Set<string>): void {
  if ('ref' in e) out.add(e.ref);
  else if ('args' in e) for (const a of e.args) exprRefs(a, out);
}

function conditionRefs(c: Condition | undefined, out: Set<string>): void {
  if (!c) return;
  forEachLeaf(c, (l) => {
    out.add(l.fact);
    if (typeof l.value === 'object' && !Array.isArray(l.value)) out.add(l.value.fact);
  });
}

// The entity ids a rule or amount reads, following derived values and formulas to the facts,
// tables and formulas underneath.
function dependencies(p: Product, start: Set<string>): Set<string> {
  const ids = new Set<string>();
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const more = new Set<string>();
    const d = p.derived.find((x) => x.name === name);
    const f = p.formulas.find((x) => x.name === name);
    const t = p.tables.find((x) => name.startsWith(`${x.name}.`));
    if (d) exprRefs(d.expr, more);
    else if (f) {
      ids.add(`${f.kind} ${f.name}`);
      exprRefs(f.expr, more);
    } else if (t) {
      ids.add(`table ${t.name}`);
      for (const e of t.inputs) exprRefs(e, more);
    } else ids.add(`fact ${name}`);
    todo.push(...more);
  }
  return ids;
}

function causeDependencies(p: Product, cause: string): Set<string> {
  const [, kind, name] = /^(rule|amount|table) (\S+?):/.exec(cause) ?? [];
  const refs = new Set<string>();
  const own = new Set<string>();
  if (kind === 'rule') {
    const r = p.rules.find((x) => x.id === name);
    own.add(`rule ${name}`);
    if (r) for (const c of [r.when, r.unless, r.require]) conditionRefs(c, refs);
  } else if (kind === 'amount') {
    const a = p.amounts.find((x) => x.name === name);
    own.add(`amount ${name}`);
    for (const st of a?.steps ?? []) {
      if (st.expr) exprRefs(st.expr, refs);
      if (st.used) exprRefs(st.used, refs);
      conditionRefs(st.when, refs);
    }
  } else if (kind === 'table') own.add(`table ${name}`);
  return new Set([...own, ...dependencies(p, refs)]);
}

export function linkCauses(b: Behaviour, structural: StructuralChange[], oldP: Product, newP: Product): void {
  for (const g of b.groups) {
    const deps = new Set<string>();
    for (const c of g.causes) for (const p of [oldP, newP]) for (const id of causeDependencies(p, c)) deps.add(id);
    const hit = structural.filter((s) => [...deps].some((d) => s.id === d || s.id.startsWith(`${d} `)));
    g.because = [...new Set(hit.map((s) => `${s.id}${s.field ? ` (${s.field})` : ''} ${s.change}`))];
  }
}

// ---------------------------------------------------------------- the report

export interface DiffReport {
  old: { file: string; id: string; revision: string; inForce: Product['inForce'] };
  new: { file: string; id: string; revision: string; inForce: Product['inForce'] };
  structural: StructuralChange[];
  behaviour?: Behaviour;
}

// The whole report: both sides loaded, their rules compared, and with `cases` every case decided
// by both, the changed decisions linked to the rule changes that caused them.
export async function diffRevisions(
  oldPath: string,
  newPath: string,
  opts: BehaviourOptions & { cases?: string } = {},
): Promise<DiffReport> {
  const oldRev = loadSide(oldPath);
  const newRev = loadSide(newPath);
  const [oldP, newP] = [oldRev.checked.product, newRev.checked.product];
  const report: DiffReport = { old: sideInfo(oldRev), new: sideInfo(newRev), structural: structuralDiff(oldP, newP) };
  if (opts.cases !== undefined) {
    report.behaviour = await behaviouralDiff(oldPath, newPath, opts.cases, opts);
    linkCauses(report.behaviour, report.structural, oldP, newP);
  }
  return report;
}

export function sideInfo(r: Revision): DiffReport['old'] {
  const p = r.checked.product;
  return { file: r.file, id: p.id, revision: p.revision, inForce: p.inForce };
}

function period(f: Product['inForce']): string {
  return f.from || f.until ? `${f.from ?? '…'} to ${f.until ?? '…'}` : 'no in-force period';
}

function quoteLines(label: string, cs: Citation[]): string[] {
  return cs
    .slice(0, 2)
    .map((c) =>
      `      ${label} §${c.section} 「${c.quote.length > 60 ? `${c.quote.slice(0, 60)}…` : c.quote}」`
        .replace(/\t/g, ' ')
        .replace(/\n/g, ' '),
    );
}

function clip(s: string | undefined): string {
  if (s === undefined) return '(none)';
  const one = s.replace(/\t/g, ' ').replace(/\n/g, ' ');
  return one.length > 160 ? `${one.slice(0, 160)}…` : one;
}

// Two long texts that differ somewhere in the middle: show the part that differs, with a
// little context, instead of two identical beginnings.
function around(a: string | undefined, b: string | undefined): [string, string] {
  if (a === undefined || b === undefined || (a.length <= 160 && b.length <= 160)) return [clip(a), clip(b)];
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let q = 0;
  while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
  const from = Math.max(0, p - 30);
  const cut = (x: string) =>
    `${from > 0 ? '…' : ''}${x.slice(from, Math.max(from, x.length - Math.max(0, q - 30)))}${q > 30 ? '…' : ''}`;
  return [clip(cut(a)), clip(cut(b))];
}

function summaryText(s: Summary): string {
  const amounts = Object.entries(s.amounts).map(([k, v]) => `${k} ${showText(Array.isArray(v) ? v[0]! : v)}`);
  return [s.outcome, s.deciding.length ? `by ${s.deciding.join(', ')}` : '', ...amounts].filter(Boolean).join(', ');
}

export function renderText(r: DiffReport): string {
  const out: string[] = [];
  out.push(`old: ${r.old.file} — ${r.old.id} revision ${r.old.revision} (${period(r.old.inForce)})`);
  out.push(`new: ${r.new.file} — ${r.new.id} revision ${r.new.revision} (${period(r.new.inForce)})`);
  out.push('');
  out.push(
    `structure: ${r.structural.length === 0 ? 'no changes' : `${r.structural.length} change${r.structural.length === 1 ? '' : 's'}`}`,
  );
  for (const c of r.structural) {
    if (c.change === 'changed') {
      const [o, n] = around(c.old, c.new);
      out.push(`  changed  ${c.id} — ${c.field}: ${o} → ${n}`);
    } else out.push(`  ${c.change.padEnd(7)}  ${c.id}${(c.old ?? c.new) ? ` — ${clip(c.old ?? c.new)}` : ''}`);
    if (c.field === 'cite' || c.what === 'product') continue;
    if (JSON.stringify(c.oldCite) === JSON.stringify(c.newCite)) out.push(...quoteLines('cite', c.oldCite));
    else {
      out.push(...quoteLines('old', c.oldCite));
      out.push(...quoteLines('new', c.newCite));
    }
  }
  const b = r.behaviour;
  if (b) {
    out.push('');
    out.push(
      `decisions: ${b.changed} of ${b.cases} case${b.cases === 1 ? '' : 's'} changed${b.unreadable ? ` (${b.unreadable} unreadable)` : ''}`,
    );
    const where: Record<string, string> = {
      old: 'the old edition only',
      new: 'the new edition only',
      both: 'both editions',
      neither: 'neither edition',
      undated: 'no date',
    };
    if (!('undated' in b.inForce && Object.keys(b.inForce).length === 1)) {
      out.push(
        `  dated in: ${Object.entries(b.inForce)
          .map(([k, v]) => `${where[k]} ${v}`)
          .join(', ')}`,
      );
    }
    for (const [t, n] of Object.entries(b.transitions)) out.push(`  ${String(n).padStart(8)}  ${t}`);
    b.groups.forEach((g, i) => {
      out.push('');
      out.push(`group ${i + 1}: ${g.count} case${g.count === 1 ? '' : 's'}`);
      for (const c of g.causes) out.push(`  because ${c}`);
      for (const s of g.because ?? []) out.push(`    via ${s}`);
      for (const [t, n] of Object.entries(g.transitions)) out.push(`  ${String(n).padStart(8)}  ${t}`);
      for (const e of g.examples) out.push(`  e.g. ${e.ref}: ${summaryText(e.old)} → ${summaryText(e.new)}`);
    });
    for (const u of b.unreadableExamples) out.push(`unreadable ${u.ref}: ${u.error}`);
  }
  return out.join('\n') + '\n';
}

// Exit status: with cases, whether any decision changed; without, whether the rules changed.
export function diffExitCode(r: DiffReport): number {
  if (r.behaviour) return r.behaviour.changed > 0 ? 1 : 0;
  return r.structural.length > 0 ? 1 : 0;
}
