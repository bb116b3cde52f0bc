// A decision as JSON text, byte for byte what JSON.stringify(decision) writes, with the parts every
// decision of a revision shares written once per revision: each rule's id, kind, label, effect
// and citations, each amount's, formula's and table's name, label and citations. The rest is
// JSON.stringify's, piece by piece, in the key order of the decision's builders (decision.ts,
// outcome.ts reason, amounts.ts).
//
// That key order is an assumption about other files, so it is checked where it is used: the
// first decision of each revision, and every 1,024th after it, is also written by JSON.stringify
// and compared; on any difference the revision goes back to JSON.stringify for good (and says
// so once on stderr). test/codegen.test.ts holds the two equal on every case file, both modes.
import type { Citation } from '../../../dsl/ir.js';
import type {
  AmountResult,
  Check,
  Decision,
  FormulaResult,
  Reason,
  ShownValue,
  TableLookup,
} from '../decision-types.js';
import type { Compiled } from '../evaluate/compiled.js';

const q = JSON.stringify;

interface Named {
  // `{"name":…,"label":…` or `{"rule":…,"kind":…,"label":…`: the constant head of the object.
  head: string;
  cite: string;
}

interface Serializer {
  ok: boolean;
  count: number;
  // By citation list (shared by every decision): the rule, amount, formula or table it belongs to.
  rules: WeakMap<Citation[], Named & { id: string; effect: string }>;
  named: WeakMap<Citation[], Named & { name: string }>;
  tables: Map<string, { head: string; label: string | undefined }>;
  cites: WeakMap<Citation[], string>;
  texts: Map<string, string>;
  product: { value: Decision['product']; json: string } | undefined;
}

const serializers = new WeakMap<object, Serializer>();

function serializerOf(c: Compiled): Serializer {
  let s = serializers.get(c.product);
  if (s) return s;
  s = {
    ok: true,
    count: 0,
    rules: new WeakMap(),
    named: new WeakMap(),
    tables: new Map(),
    cites: new WeakMap(),
    texts: new Map(),
    product: undefined,
  };
  for (const cr of c.rules) {
    const r = cr.rule;
    const head = `{"rule":${q(r.id)},"kind":${q(r.kind)}${r.label ? `,"label":${q(r.label)}` : ''}`;
    s.rules.set(r.cite, { id: r.id, head, effect: q(cr.effect), cite: q(r.cite) });
  }
  const p = c.product;
  const tables = new Set<object>(p.tables);
  for (const x of [...p.amounts, ...p.formulas, ...p.tables]) {
    const key = tables.has(x) ? 'table' : 'name';
    const head = `{"${key}":${q(x.name)}${x.label ? `,"label":${q(x.label)}` : ''}`;
    if (x.cite) s.named.set(x.cite, { name: x.name, head, cite: q(x.cite) });
    if (key === 'table') s.tables.set(x.name, { head, label: x.label || undefined });
  }
  for (const a of p.amounts) for (const st of a.steps) if (st.cite) s.cites.set(st.cite, q(st.cite));
  serializers.set(c.product, s);
  return s;
}

export function decisionJson(c: Compiled, d: Decision): string {
  const s = serializerOf(c);
  if (!s.ok) return q(d);
  const text = write(s, d);
  if ((s.count++ & 1023) === 0 && text !== q(d)) {
    s.ok = false;
    process.stderr.write(
      `yakkan: the decision writer of ${c.product.id} differs from JSON.stringify; using JSON.stringify\n`,
    );
    return q(d);
  }
  return text;
}

function write(s: Serializer, d: Decision): string {
  const p = d.product;
  if (s.product?.value !== p) {
    const cached = s.product;
    const same =
      cached &&
      cached.value.id === p.id &&
      cached.value.revision === p.revision &&
      cached.value.source === p.source &&
      cached.value.reconstructed === p.reconstructed;
    s.product = { value: p, json: same ? cached.json : q(p) };
  }
  return (
    `{"schema":${q(d.schema)},"product":${s.product.json},"outcome":"${d.outcome}","eligibility":"${d.eligibility}",` +
    `"deciding":${strings(s, d.deciding)},"missing":${strings(s, d.missing)},"errors":${q(d.errors)},` +
    `"reasons":${reasons(s, d.reasons)},"items":${q(d.items)},"lookups":${lookups(s, d.lookups)},` +
    `"amounts":${amounts(s, d.amounts)},"formulas":${formulas(s, d.formulas)}}`
  );
}

// Fact and rule names: each written once (text below).
function strings(s: Serializer, xs: readonly string[]): string {
  if (xs.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x !== 'string') return q(xs);
    out += i ? `,${text(s, x)}` : text(s, x);
  }
  return `${out}]`;
}

function reasons(s: Serializer, rs: Reason[]): string {
  if (rs.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    const t = s.rules.get(r.cite);
    out += i ? ',' : '';
    if (t === undefined || t.id !== r.rule) {
      out += q(r);
      continue;
    }
    out +=
      `${t.head}${r.item === undefined ? '' : `,"item":${r.item}`},"result":"${r.result}","effect":${t.effect},` +
      `"deciding":${r.deciding},"cite":${t.cite},"checks":${checks(s, r.checks)},"missing":${strings(s, r.missing)}}`;
  }
  return `${out}]`;
}

// A check's text, fact and operator come from the compiled rule: the same few strings in every
// decision, each written once. (Bounded: a product has so many conditions.)
function text(s: Serializer, x: string): string {
  let t = s.texts.get(x);
  if (t === undefined) {
    if (s.texts.size > 100_000) s.texts.clear();
    s.texts.set(x, (t = q(x)));
  }
  return t;
}

function shown(v: ShownValue): string {
  if (typeof v === 'string') return q(v);
  if (v === null || typeof v === 'boolean') return `${v}`;
  return isMoney(v) ? `{"amount":${q(v.amount)},"currency":${q(v.currency)}}` : q(v);
}

// An amount as showValue shows it: these two keys, in this order, and no other.
function isMoney(v: object): v is { amount: string; currency: string } {
  let keys = 0;
  for (const k in v) {
    keys = keys === 0 && k === 'amount' ? 1 : keys === 1 && k === 'currency' ? 2 : -1;
    if (keys < 0) return false;
  }
  const m = v as { amount: unknown; currency: unknown };
  return keys === 2 && typeof m.amount === 'string' && typeof m.currency === 'string';
}

// A formula's steps: `{text, value}`, or with a rounding (left to JSON.stringify).
function formulaSteps(st: FormulaResult['steps']): string {
  if (st.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < st.length; i++) {
    const x = st[i]!;
    out += i ? ',' : '';
    // 2 once the keys were `text` then `value`; -1 at anything else.
    let keys = 0;
    for (const k in x) {
      keys = keys === 0 && k === 'text' ? 1 : keys === 1 && k === 'value' ? 2 : -1;
      if (keys < 0) break;
    }
    out +=
      keys === 2 && typeof x.text === 'string' && x.value !== undefined
        ? `{"text":${q(x.text)},"value":${shown(x.value)}}`
        : q(x);
  }
  return `${out}]`;
}

// The two builders of a check (conditions.ts, fast-reasons.ts) give it these seven keys in this
// order; a check with a value JSON.stringify would leave out is written by JSON.stringify.
function checks(s: Serializer, cs: Check[]): string {
  if (cs.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    out += i ? ',' : '';
    const r = c.result;
    if (
      (r !== true && r !== false && r !== null) ||
      c.actual === undefined ||
      c.required === undefined ||
      typeof c.part !== 'string' ||
      typeof c.text !== 'string' ||
      typeof c.fact !== 'string' ||
      typeof c.operator !== 'string'
    ) {
      out += q(c);
      continue;
    }
    out +=
      `{"part":${text(s, c.part)},"text":${text(s, c.text)},"fact":${text(s, c.fact)},"operator":${text(s, c.operator)},` +
      `"actual":${shown(c.actual)},"required":${shown(c.required)},"result":${r}}`;
  }
  return `${out}]`;
}

function named(
  s: Serializer,
  x: { name?: string; table?: string; cite: Citation[] },
): (Named & { name: string }) | undefined {
  const t = s.named.get(x.cite);
  return t && t.name === (x.name ?? x.table) ? t : undefined;
}

// A lookup that found a row cites the row's passage before the table's: one array per row, made
// at compile time (tables.ts), so its text is kept by the array.
function lookups(s: Serializer, ls: TableLookup[]): string {
  if (ls.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    const t = s.tables.get(l.table);
    out += i ? ',' : '';
    if (t === undefined || (l.label === undefined) !== (t.label === undefined)) {
      out += q(l);
      continue;
    }
    let cite = s.cites.get(l.cite);
    if (cite === undefined) s.cites.set(l.cite, (cite = q(l.cite)));
    out += `${t.head},"row":${q(l.row)},"inputs":${q(l.inputs)},"outputs":${q(l.outputs)},"cite":${cite}}`;
  }
  return `${out}]`;
}

function amounts(s: Serializer, as: AmountResult[]): string {
  if (as.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < as.length; i++) {
    const a = as[i]!;
    const t = named(s, a);
    out += i ? ',' : '';
    if (t === undefined) {
      out += q(a);
      continue;
    }
    out +=
      `${t.head},"value":${shown(a.value)},"missing":${strings(s, a.missing)},"steps":${steps(s, a.steps)},"cite":${t.cite}` +
      `${a.items === undefined ? '' : `,"items":${q(a.items)}`}}`;
  }
  return `${out}]`;
}

function steps(s: Serializer, st: AmountResult['steps']): string {
  if (st.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < st.length; i++) {
    const x = st[i]!;
    const cite = s.cites.get(x.cite) ?? q(x.cite);
    out +=
      `${i ? ',' : ''}{"step":${q(x.step)},"text":${q(x.text)},"operand":${q(x.operand)},"before":${q(x.before)},` +
      `"after":${q(x.after)},"applied":${x.applied}${x.item === undefined ? '' : `,"item":${x.item}`},"cite":${cite}}`;
  }
  return `${out}]`;
}

function formulas(s: Serializer, fs: FormulaResult[]): string {
  if (fs.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i]!;
    const t = named(s, f);
    out +=
      (i ? ',' : '') +
      (t === undefined
        ? q(f)
        : `${t.head},"value":${shown(f.value)},"missing":${strings(s, f.missing)},"steps":${formulaSteps(f.steps)},"cite":${t.cite}}`);
  }
  return `${out}]`;
}
