// Stage 4: product model -> checked model. Entry: check().
// Checking is an ordered table of named passes; each adds diagnostics and never throws.
// The types it infers are kept and handed to the evaluator, which compiles by type.
import type {
  Amount,
  Cell,
  Citation,
  Condition,
  Derived,
  Expr,
  FieldDecl,
  Formula,
  Leaf,
  LeafValue,
  Literal,
  Product,
  RoundingMode,
  Rule,
  Table,
  TypeRef,
} from '../../dsl/ir.js';
import { type Diagnostic, type Span, closest, spanAt } from '../../dsl/diagnostics.js';
import { type Model, ROUNDING_MODES, TOO_DEEP } from '../../dsl/model.js';
import { exprText } from '../../dsl/print.js';
import {
  OPERATORS,
  type VType,
  UNKNOWN,
  NUMBER,
  BOOLEAN,
  Fraction,
  compatible,
  isNumeric,
  typeText,
  comparator,
  searchSorted,
} from './operators.js';
import { literalValue, showText, showValue } from './values.js';
import { dateToDays, daysToDate } from './money.js';
import { isIsoDate, isTime } from '../../dsl/literals.js';
import { isOrdered, minuteToTime, timeToMinute } from './operators.js';
import { findQuote, type SourceFolder } from './quotes.js';

export interface Checked {
  product: Product;
  types: Types;
  diagnostics: Diagnostic[];
}

// Types of every name (facts, item fields, formulas, table outputs, derived values) and expression.
export class Types {
  readonly names = new Map<string, VType>();
  readonly exprs = new WeakMap<Expr, VType>();
  readonly itemFields = new Map<string, Map<string, VType>>();
  nameType(name: string, scope?: string): VType | undefined {
    if (scope && name.startsWith('item.')) return this.itemFields.get(scope)?.get(name.slice(5));
    return this.names.get(name);
  }
}

interface Ctx {
  model: Model;
  product: Product;
  types: Types;
  report: (d: Omit<Diagnostic, 'severity'> & { severity?: 'error' | 'warning' }, at?: object) => void;
  sources: SourceFolder | undefined;
  formulas: Map<string, Formula>;
  derived: Map<string, Derived>;
  tables: Map<string, Table>;
  inProgress: Set<string>;
  // Formulas in dependency order (those a formula uses before it), from the cycles pass: typing
  // them in this order keeps the checker's recursion within one expression.
  formulaOrder: string[];
  // Tables with a cell that does not fit its column: reported, and not walked for gaps.
  badCells: Set<Table>;
  // Seed files whose quotes matched only after Unicode normalisation (said once each).
  normalized: Set<string>;
}

type Pass = { name: string; run: (c: Ctx) => void };

const PASSES: Pass[] = [
  { name: 'header', run: checkHeader },
  { name: 'duplicate names', run: checkDuplicates },
  { name: 'literals of a JSON product', run: checkJsonLiterals },
  { name: 'dependency cycles', run: checkCycles },
  { name: 'facts', run: declareFacts },
  { name: 'names and types', run: checkTypes },
  { name: 'tables: gaps and overlaps', run: checkTableCoverage },
  { name: 'citations', run: checkCitations },
];

export function check(model: Model, sources?: SourceFolder): Checked {
  const diagnostics: Diagnostic[] = [];
  const p = model.product;
  const ctx: Ctx = {
    model,
    product: p,
    types: new Types(),
    sources,
    formulas: new Map(p.formulas.map((f) => [f.name, f])),
    derived: new Map(p.derived.map((d) => [d.name, d])),
    tables: new Map(p.tables.map((t) => [t.name, t])),
    inProgress: new Set(),
    formulaOrder: [],
    badCells: new Set(),
    normalized: new Set(),
    report(d, at) {
      // What has no span of its own (a header the parser could not read) is shown at the product.
      const span = (at ? model.spans.get(at) : undefined) ?? fallback;
      diagnostics.push({ severity: 'error', ...d, ...(span && !d.span ? { span } : {}) } as Diagnostic);
    },
  };
  const fallback = model.spans.get(p) ?? (model.file !== undefined ? spanAt(model.file, 1, 1, 0, 0) : undefined);
  for (const pass of PASSES) {
    try {
      pass.run(ctx);
    } catch (e) {
      // A bug in yakkan, not a mistake in the product: said as a diagnostic, not a stack trace.
      // The fuzz suite (test/fuzz) fails on any internal/ diagnostic.
      const message = `yakkan failed while checking (${pass.name}): ${(e as Error).message}`;
      ctx.report(
        { code: 'internal/check', message, hint: 'this is a bug in yakkan: please report it with the product file' },
        p,
      );
    }
  }
  return { product: p, types: ctx.types, diagnostics };
}

function checkHeader(c: Ctx): void {
  const p = c.product;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(p.id)) {
    c.report(
      {
        code: 'check/product-id',
        message: `product id ${JSON.stringify(p.id)} must be lower-case letters, digits and '-'`,
        hint: 'e.g. product nexi-ip-license',
      },
      p,
    );
  }
  if (!/^[A-Z]{3}$/.test(p.currency))
    c.report(
      {
        code: 'check/currency',
        message: `currency ${JSON.stringify(p.currency)} is not a 3-letter code`,
        hint: 'e.g. currency JPY',
      },
      p,
    );
  if (p.inForce.from && p.inForce.until && p.inForce.until < p.inForce.from) {
    c.report({ code: 'check/in-force', message: `in force until ${p.inForce.until} is before ${p.inForce.from}` }, p);
  }
  if (p.chosenBy && !p.facts.some((f) => f.name === p.chosenBy && f.type.kind === 'date')) {
    c.report(
      {
        code: 'check/chosen-by',
        message: `'chosen by ${p.chosenBy}' must name a date fact`,
        hint: 'declare it: fact policy.start_date: date',
      },
      p,
    );
  }
}

function checkDuplicates(c: Ctx): void {
  const seen = new Map<string, string>();
  const claim = (name: string, what: string, at: object) => {
    const prev = seen.get(name);
    if (prev)
      c.report(
        {
          code: 'check/duplicate-name',
          message: `${what} ${name} is declared twice (also a ${prev})`,
          hint: 'rename one of them',
        },
        at,
      );
    else seen.set(name, what);
  };
  for (const f of c.product.facts) claim(f.name, 'fact', f);
  for (const f of c.product.formulas) claim(f.name, 'formula', f);
  for (const t of c.product.tables) claim(t.name, 'table', t);
  for (const a of c.product.amounts) claim(a.name, 'amount', a);
  const rules = new Set<string>();
  for (const r of c.product.rules) {
    if (rules.has(r.id))
      c.report(
        {
          code: 'check/duplicate-rule',
          message: `rule ${r.id} is declared twice`,
          hint: 'rule ids must be unique: they are how decisions and case files name rules',
        },
        r,
      );
    rules.add(r.id);
  }
}

// ---- literals of a JSON product
// A `.yk` file's literals are read by dsl/model.ts, which reports a date that is not on the
// calendar. A JSON product's only pass the schema's patterns: check them here, by hand.
function checkJsonLiterals(c: Ctx): void {
  if (c.model.exprs) return;
  const p = c.product;
  for (const key of ['from', 'until'] as const) {
    const d = p.inForce?.[key];
    if (d !== undefined && !isIsoDate(d)) {
      const message = `inForce.${key} ${JSON.stringify(d)} is not a calendar date`;
      c.report({ code: 'check/invalid-date', message, hint: 'write dates as YYYY-MM-DD' }, p.inForce);
    }
  }
  const stack: unknown[] = [p];
  while (stack.length) {
    const o = stack.pop();
    if (o === null || typeof o !== 'object') continue;
    if (Array.isArray(o)) {
      stack.push(...o);
      continue;
    }
    const l = o as { type?: unknown; value?: unknown };
    if (l.type === 'date' && typeof l.value === 'string' && !isIsoDate(l.value)) {
      c.report(
        { code: 'check/invalid-date', message: `${l.value} is not a calendar date`, hint: 'write dates as YYYY-MM-DD' },
        o,
      );
    }
    stack.push(...Object.values(o));
  }
}

// ---- dependency cycles
// Formulas, defines, tables (through their inputs) and hoisted condition operands use one
// another's values; a cycle among them would recurse for ever at decision time. Each cycle is
// reported once, at its first declaration, with its path.
type Node = { kind: 'formula' | 'define' | 'table' | 'value'; name: string; decl: object; exprs: Expr[] };

function checkCycles(c: Ctx): void {
  const p = c.product;
  const nodes = new Map<string, Node>();
  const add = (kind: Node['kind'], name: string, decl: object, exprs: Expr[]) => {
    if (!nodes.has(name)) nodes.set(name, { kind, name, decl, exprs });
  };
  for (const f of p.formulas) add(f.kind === 'define' ? 'define' : 'formula', f.name, f, [f.expr]);
  for (const t of p.tables) add('table', t.name, t, t.inputs);
  for (const d of p.derived) add('value', d.name, d, [d.expr]);
  // A reference names a formula or derived value, or a table's output (`table.output`).
  const target = (ref: string): string | undefined => {
    if (nodes.has(ref) && nodes.get(ref)!.kind !== 'table') return ref;
    const dot = ref.indexOf('.');
    const t = dot > 0 ? nodes.get(ref.slice(0, dot)) : undefined;
    return t?.kind === 'table' ? t.name : undefined;
  };
  const edges = new Map<string, string[]>();
  for (const n of nodes.values()) {
    const out = new Set<string>();
    for (const ref of refsOf(n.exprs)) {
      const to = target(ref);
      if (to) out.add(to);
    }
    edges.set(n.name, [...out]);
  }
  for (const scc of stronglyConnected([...nodes.keys()], edges)) {
    const first = scc[0]!;
    const cyclic = scc.length > 1 || edges.get(first)!.includes(first);
    if (!cyclic) {
      if (nodes.get(first)!.kind !== 'table' && nodes.get(first)!.kind !== 'value') c.formulaOrder.push(first);
      continue;
    }
    const path = cyclePath(first, new Set(scc), edges).map((n) => nodeText(nodes.get(n)!));
    c.report(
      {
        code: 'check/cycle',
        message: `${path[0]} depends on itself: ${path.join(' → ')}`,
        hint:
          'a value may not use itself, directly or through formulas, defines and tables: ' +
          'compute one of them from facts only',
      },
      nodes.get(first)!.decl,
    );
  }
}

function nodeText(n: Node): string {
  return n.kind === 'value' ? `condition operand ${exprText((n.decl as Derived).expr)}` : `${n.kind} ${n.name}`;
}

// The names an expression refers to, without recursion (an expression may be deep).
function refsOf(exprs: Expr[]): string[] {
  const out: string[] = [];
  const stack: unknown[] = [...exprs];
  while (stack.length) {
    const e = stack.pop() as Expr | undefined;
    if (e === null || typeof e !== 'object') continue;
    if ('ref' in e && typeof e.ref === 'string') out.push(e.ref);
    else if ('args' in e && Array.isArray(e.args)) stack.push(...e.args);
  }
  return out;
}

// Tarjan's strongly connected components, iteratively; each component's members in declaration
// order, the components in dependency order (a component after those it uses).
function stronglyConnected(names: string[], edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const order = new Map(names.map((n, i) => [n, i]));
  let next = 0;
  for (const root of names) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      if (i === 0) {
        index.set(v, next);
        low.set(v, next++);
        stack.push(v);
        onStack.add(v);
      }
      const vs = edges.get(v)!;
      if (i < vs.length) {
        top[1]++;
        const w = vs[i]!;
        if (!index.has(w)) work.push([w, 0]);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const u = work[work.length - 1]![0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        out.push(scc.sort((a, b) => order.get(a)! - order.get(b)!));
      }
    }
  }
  return out;
}

// The shortest way from `first` back to itself inside its component, as names, first repeated at the end.
function cyclePath(first: string, scc: Set<string>, edges: Map<string, string[]>): string[] {
  const prev = new Map<string, string>();
  const queue = [first];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of edges.get(v)!) {
      if (!scc.has(w)) continue;
      if (w === first) {
        const path = [first];
        for (let x: string | undefined = v; x !== undefined && x !== first; x = prev.get(x)) path.unshift(x);
        return [first, ...path];
      }
      if (!prev.has(w) && w !== first) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [first, first];
}

function declareFacts(c: Ctx): void {
  for (const f of c.product.facts) checkTypeRef(c, f.type, f);
  for (const f of c.product.facts) {
    c.types.names.set(f.name, f.type);
    if (f.type.kind === 'list' && f.type.of.kind === 'record') {
      const fields = new Map<string, VType>();
      for (const fd of f.type.of.fields) {
        fields.set(fd.name, fd.type);
        c.types.names.set(`${f.name}.${fd.name}`, { kind: 'list', of: fd.type });
        checkFieldLiterals(c, fd);
      }
      c.types.itemFields.set(f.name, fields);
    }
    checkFieldLiterals(c, f);
  }
  for (const t of c.product.tables) for (const o of t.outputs) c.types.names.set(`${t.name}.${o.name}`, o.type);
}

// An enum names each value once: the facts schema lists them, and a value twice is a typo.
function checkTypeRef(c: Ctx, t: TypeRef, at: object): void {
  const stack: TypeRef[] = [t];
  while (stack.length) {
    const x = stack.pop()!;
    if ((x as { signed?: boolean }).signed && !['integer', 'decimal', 'rate', 'money'].includes(x.kind)) {
      const message = `only integer, decimal, rate and money can be signed, not ${x.kind}`;
      c.report({ code: 'check/signed', message }, at);
    }
    if (x.kind === 'list') stack.push(x.of);
    else if (x.kind === 'record') for (const f of x.fields) stack.push(f.type);
    else if (x.kind === 'enum') {
      const twice = x.values.filter((v, i) => x.values.indexOf(v) !== i);
      if (twice.length) {
        const message = `enum(${x.values.join(', ')}) names ${[...new Set(twice)].join(', ')} more than once`;
        c.report({ code: 'check/duplicate-enum-value', message, hint: 'name each value once' }, at);
      }
    }
  }
}

function checkFieldLiterals(c: Ctx, f: FieldDecl): void {
  for (const l of [...(f.default ? [f.default] : []), ...(f.oneOf ?? [])]) {
    const t = literalType(l);
    if (!compatible(f.type, t)) {
      c.report(
        {
          code: 'check/type-mismatch',
          message: `${f.name} is ${typeText(f.type)} but the value ${literalShort(l)} is ${typeText(t)}`,
        },
        l,
      );
    } else if (isNegative(l) && !('signed' in f.type && f.type.signed)) {
      c.report(
        {
          code: 'check/negative-value',
          message: `${f.name} is never negative, but the value ${literalShort(l)} is`,
          hint: `declare it signed (${typeText(f.type)} signed) if it can be`,
        },
        l,
      );
    }
  }
}

function isNegative(l: Literal): boolean {
  const v =
    l.type === 'money'
      ? l.amount
      : l.type === 'number' || l.type === 'rate'
        ? l.value
        : l.type === 'fraction'
          ? l.num
          : '';
  return /^-\d*[1-9]/.test(v);
}

function literalShort(l: Literal): string {
  return exprText({ lit: l });
}

export function literalType(l: Literal): VType {
  switch (l.type) {
    case 'boolean':
      return BOOLEAN;
    case 'number':
    case 'fraction':
      return NUMBER;
    case 'rate':
      return { kind: 'rate' };
    case 'money':
      return { kind: 'money', currency: l.currency };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time' };
    case 'duration':
      return { kind: 'duration', unit: l.unit };
    case 'symbol':
      return { kind: 'symbol', value: l.value };
    case 'text':
      return { kind: 'text' };
  }
}

// ---- names and types ----
function checkTypes(c: Ctx): void {
  for (const name of c.formulaOrder) formulaType(c, name);
  for (const f of c.product.formulas) {
    const t = formulaType(c, f.name);
    if (f.kind === 'define' && t.kind !== 'boolean' && t.kind !== 'unknown') {
      c.report(
        {
          code: 'check/define-not-condition',
          message: `define ${f.name} is ${typeText(t)}, not a condition`,
          hint: 'use formula for values; define is for named conditions',
        },
        f,
      );
    }
  }
  for (const t of c.product.tables) checkTable(c, t);
  for (const r of c.product.rules) checkRule(c, r);
  for (const a of c.product.amounts) {
    checkAmount(c, a);
    c.types.names.set(a.name, { kind: 'money', currency: a.currency });
  }
}

function formulaType(c: Ctx, name: string): VType {
  const known = c.types.names.get(name);
  if (known) return known;
  const f = c.formulas.get(name);
  if (!f) return UNKNOWN;
  // A cycle, reported with its path by checkCycles.
  if (c.inProgress.has(name)) return UNKNOWN;
  c.inProgress.add(name);
  const t = exprType(c, f.expr, undefined);
  c.inProgress.delete(name);
  c.types.names.set(name, t);
  return t;
}

function derivedType(c: Ctx, name: string): VType {
  const known = c.types.names.get(name);
  if (known) return known;
  const d = c.derived.get(name);
  if (!d) return UNKNOWN;
  const t = exprType(c, d.expr, d.forEach);
  c.types.names.set(name, t);
  return t;
}

function allNames(c: Ctx, scope: string | undefined): string[] {
  const names = [...c.types.names.keys(), ...c.formulas.keys()].filter((n) => !n.startsWith('$'));
  if (scope) for (const f of c.types.itemFields.get(scope)?.keys() ?? []) names.push(`item.${f}`);
  return names;
}

function refType(c: Ctx, name: string, scope: string | undefined, at: object): VType {
  if (name === TOO_DEEP && c.model.exprs) return UNKNOWN; // reported by the model
  if (name.startsWith('item.')) {
    if (!scope) {
      c.report(
        {
          code: 'check/item-out-of-scope',
          message: `${name} is only in scope inside 'for each item in ...'`,
          hint: 'add a for each clause, or sum over the list: sum(claim.items.amount)',
        },
        at,
      );
      return UNKNOWN;
    }
    const t = c.types.nameType(name, scope);
    if (t) return t;
    const fields = [...(c.types.itemFields.get(scope)?.keys() ?? [])];
    const guess = closest(name.slice(5), fields);
    c.report(
      {
        code: 'check/unknown-field',
        message: `${scope} has no field ${name.slice(5)}`,
        hint: guess ? `did you mean item.${guess}?` : `fields: ${fields.join(', ')}`,
      },
      at,
    );
    return UNKNOWN;
  }
  if (c.formulas.has(name)) return formulaType(c, name);
  if (c.derived.has(name)) return derivedType(c, name);
  const t = c.types.names.get(name);
  if (t) return t;
  const minus = name.indexOf('-');
  if (minus > 0 && (c.types.names.has(name.slice(0, minus)) || c.formulas.has(name.slice(0, minus)))) {
    c.report(
      {
        code: 'check/unknown-name',
        message: `unknown name ${name}`,
        hint: `a name may contain '-', so this reads as one name: write ${name.slice(0, minus)} - ${name.slice(minus + 1)} with spaces around the minus`,
      },
      at,
    );
    return UNKNOWN;
  }
  const guess = closest(name, allNames(c, scope));
  const tableName = name.split('.')[0]!;
  const table = c.tables.get(tableName);
  c.report(
    {
      code: table ? 'check/unknown-table-output' : 'check/unknown-name',
      message: table ? `table ${tableName} has no output ${name.slice(tableName.length + 1)}` : `unknown name ${name}`,
      hint: guess
        ? `did you mean ${guess}?`
        : name.includes('-')
          ? 'names cannot contain a minus: write a - b with spaces'
          : 'declare it: fact <path>: <type>, or formula <name> = ...',
    },
    at,
  );
  return UNKNOWN;
}

function exprType(c: Ctx, e: Expr, scope: string | undefined): VType {
  const cached = c.types.exprs.get(e);
  if (cached) return cached;
  let t: VType;
  if ('lit' in e) t = literalType(e.lit);
  else if ('ref' in e) t = refType(c, e.ref, scope, e);
  else {
    const name = 'op' in e ? e.op : e.call;
    const def = OPERATORS[name];
    const args = e.args.map((a) => exprType(c, a, scope));
    const arity = ARITY[name];
    if (!def) {
      const guess = closest(
        name,
        Object.keys(OPERATORS).filter((k) => /^[a-z_]+$/.test(k)),
      );
      c.report(
        {
          code: 'check/unknown-function',
          message: `unknown function ${name}`,
          hint: guess ? `did you mean ${guess}?` : 'see the function list in docs/dsl.md',
        },
        e,
      );
      t = UNKNOWN;
    } else if ('call' in e && e.call === 'round' && !ROUNDING_MODES.includes(e.mode as RoundingMode)) {
      const hint = `modes: ${ROUNDING_MODES.join(', ')}`;
      c.report(
        { code: 'check/round-mode', message: `round needs a rounding mode, not ${JSON.stringify(e.mode)}`, hint },
        e,
      );
      t = UNKNOWN;
    } else if (arity && (args.length < arity[0] || args.length > arity[1])) {
      const [lo, hi] = arity;
      const want = lo === hi ? `${lo}` : hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`;
      const message = `${def.name} takes ${want} argument${want === '1' ? '' : 's'}, not ${args.length}`;
      c.report({ code: 'check/arity', message, hint: 'see the function list in docs/dsl.md' }, e);
      t = UNKNOWN;
    } else {
      const r = def.type(args);
      const enumIdx = args.findIndex((a) => a.kind === 'enum');
      const badSymbol =
        enumIdx >= 0
          ? args.find((a) => a.kind === 'symbol' && !(args[enumIdx] as { values: string[] }).values.includes(a.value))
          : undefined;
      if (typeof r === 'string' && badSymbol && badSymbol.kind === 'symbol') {
        const values = (args[enumIdx] as { values: string[] }).values;
        const subject = exprText(e.args[enumIdx]!);
        c.report(
          {
            code: 'check/unknown-enum-value',
            message: `${badSymbol.value} is not a value of ${subject}`,
            hint: `did you mean ${closest(badSymbol.value, values) ?? values.join(', ')}? (${subject} is one of ${values.join(', ')})`,
          },
          e,
        );
        t = UNKNOWN;
      } else if (typeof r === 'string' && (name === 'add' || name === 'sub') && moneyAndRatio(args)) {
        const [m, x] = args[0]!.kind === 'money' ? [e.args[0]!, e.args[1]!] : [e.args[1]!, e.args[0]!];
        const what = (args[0]!.kind === 'money' ? args[1]! : args[0]!).kind === 'rate' ? 'a rate' : 'a number';
        c.report(
          {
            code: 'check/type-mismatch',
            message: `cannot ${name === 'add' ? 'add' : 'subtract'} money and ${what}: ${exprText(e)}`,
            hint:
              `${exprText(x)} has no currency: to apply it to the amount, multiply (${exprText(m)} × ${exprText(x)}); ` +
              `to ${name === 'add' ? 'add' : 'subtract'}, write an amount such as 10万円`,
          },
          e,
        );
        t = UNKNOWN;
      } else if (typeof r === 'string') {
        const bad = args.find((a) => a.kind === 'symbol');
        const dateAndNumber = args.length === 2 && args[0]!.kind === 'date' && isNumeric(args[1]!);
        c.report(
          {
            code: r.includes('currenc') ? 'check/currency-mismatch' : 'check/type-mismatch',
            message: `${r}: ${exprText(e)}`,
            hint: dateAndNumber
              ? 'a number has no unit: add a duration such as 45 days, 9 months or 1 year'
              : bad && bad.kind === 'symbol'
                ? `${bad.value} is not a declared name: did you mean ${closest(bad.value, allNames(c, scope)) ?? 'a fact or formula'}?`
                : undefined,
          },
          e,
        );
        t = UNKNOWN;
      } else t = r;
    }
  }
  c.types.exprs.set(e, t);
  return t;
}

// How many arguments each operator and function takes; a `.yk` file can only write the operators
// right, but a JSON product can give any list. Functions not listed check their own arguments.
const ARITY: Record<string, [number, number]> = {
  add: [2, 2],
  sub: [2, 2],
  mul: [2, 2],
  div: [2, 2],
  neg: [1, 1],
  not: [1, 1],
  if: [3, 3],
  eq: [2, 2],
  ne: [2, 2],
  lt: [2, 2],
  le: [2, 2],
  gt: [2, 2],
  ge: [2, 2],
  in: [2, Infinity],
  notIn: [2, Infinity],
  and: [2, Infinity],
  or: [2, Infinity],
  min: [1, Infinity],
  max: [1, Infinity],
  abs: [1, 1],
  round: [2, 2],
  sum: [1, 1],
  count: [1, 1],
  days_between: [2, 2],
  day: [1, 1],
  month: [1, 1],
  year: [1, 1],
  month_start: [1, 1],
  month_end: [1, 1],
  add_months: [2, 2],
  next_business_day: [2, 2],
  weekday: [1, 1],
};

function moneyAndRatio(args: VType[]): boolean {
  const [a, b] = args;
  return !!a && !!b && ((a.kind === 'money' && isNumeric(b)) || (isNumeric(a) && b.kind === 'money'));
}

function checkCondition(c: Ctx, cond: Condition, scope: string | undefined, owner: object): void {
  const original = c.model.exprs?.get(cond);
  if (original) {
    const t = exprType(c, original, scope);
    if (t.kind !== 'boolean' && t.kind !== 'unknown') {
      c.report(
        {
          code: 'check/not-a-condition',
          message: `${exprText(original)} is ${typeText(t)}, not a condition`,
          hint: 'compare it: e.g. x > 0, or x = value',
        },
        original,
      );
    }
    // Type the hoisted operands too, so the evaluator finds their types.
    forEachLeaf(cond, (l) => {
      if (l.fact.startsWith('$')) derivedType(c, l.fact);
      if (typeof l.value === 'object' && !Array.isArray(l.value) && l.value.fact.startsWith('$'))
        derivedType(c, l.value.fact);
    });
    return;
  }
  // A product written as JSON: type each leaf from its fact.
  forEachLeaf(cond, (l) => {
    const t = refType(c, l.fact, scope, l);
    if (typeof l.value === 'object' && !Array.isArray(l.value)) {
      const u = refType(c, l.value.fact, scope, l);
      if (!compatible(t, u)) {
        const message = `cannot compare ${l.fact} (${typeText(t)}) with ${l.value.fact} (${typeText(u)})`;
        c.report({ code: 'check/type-mismatch', message }, l);
      }
      return;
    }
    const problem = leafValueProblem(t, l.operator, l.value);
    if (problem) {
      const message = `${l.fact} ${l.operator} ${JSON.stringify(l.value)}: ${problem}`;
      c.report({ code: 'check/type-mismatch', message, hint: `${l.fact} is ${typeText(t)}` }, l);
    } else if (t.kind === 'enum') {
      for (const v of Array.isArray(l.value) ? l.value : [l.value]) {
        if (typeof v === 'string' && !t.values.includes(v)) {
          c.report(
            {
              code: 'check/unknown-enum-value',
              message: `${v} is not a value of ${l.fact}`,
              hint: `did you mean ${closest(v, t.values) ?? t.values.join(', ')}?`,
            },
            owner,
          );
        }
      }
    }
  });
}

// What is wrong with a JSON leaf's literal for its fact's type and its operator, if anything:
// the evaluator converts the literal once, when it compiles, and must not meet one it cannot read.
function leafValueProblem(t: VType, op: string, v: LeafValue): string | undefined {
  if (t.kind === 'unknown') return undefined;
  if (op === 'in' || op === 'notIn') {
    if (!Array.isArray(v)) return `${op} needs a list of values`;
    for (const x of v) {
      const p = literalProblem(t, x);
      if (p) return p;
    }
    return undefined;
  }
  if (Array.isArray(v)) return `${op} compares with one value, not a list`;
  if (op === 'contains' || op === 'doesNotContain') {
    return t.kind === 'list' ? literalProblem(t.of, v) : `${op} needs a list fact`;
  }
  if (op !== 'equal' && op !== 'notEqual' && !isOrdered(t)) {
    return `${op} needs numbers, amounts, dates or durations`;
  }
  return literalProblem(t, v);
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;
const FRACTION_TEXT = /^-?\d+\/0*[1-9]\d*$/;

function literalProblem(t: VType, v: unknown): string | undefined {
  const finite = typeof v === 'number' && Number.isFinite(v);
  const text = typeof v === 'string';
  switch (t.kind) {
    case 'integer':
    case 'decimal':
    case 'rate':
    case 'number':
      return finite || (text && (DECIMAL_TEXT.test(v) || FRACTION_TEXT.test(v))) ? undefined : 'not a number';
    case 'money':
      return finite || (text && DECIMAL_TEXT.test(v)) ? undefined : 'not an amount (digits, e.g. "90000000")';
    case 'duration':
      return v !== '' && Number.isInteger(Number(v)) && Number(v) >= 0 ? undefined : 'not a whole number of the unit';
    case 'date':
      return typeof v === 'string' && isIsoDate(v) ? undefined : 'not a calendar date YYYY-MM-DD';
    case 'time':
      return typeof v === 'string' && isTime(v) ? undefined : 'not a time of day HH:MM';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'not true or false';
    case 'enum':
    case 'text':
    case 'symbol':
      return typeof v === 'string' ? undefined : 'not text';
    case 'list':
      return 'a list holds values: compare it with contains or doesNotContain';
    case 'record':
      return 'a record holds fields: compare one of its fields';
    default:
      return undefined;
  }
}

export function forEachLeaf(c: Condition, f: (l: Leaf) => void): void {
  if ('all' in c) c.all.forEach((x) => forEachLeaf(x, f));
  else if ('any' in c) c.any.forEach((x) => forEachLeaf(x, f));
  else if ('not' in c) forEachLeaf(c.not, f);
  else f(c);
}

function checkRule(c: Ctx, r: Rule): void {
  if (r.forEach) {
    const t = c.types.names.get(r.forEach);
    if (t?.kind !== 'list' || t.of.kind !== 'record') {
      c.report(
        {
          code: 'check/for-each',
          message: `for each needs a list of records; ${r.forEach} is ${t ? typeText(t) : 'not declared'}`,
          hint: 'declare it: fact claim.items: list of { category: enum(...), amount: money JPY }',
        },
        r,
      );
    }
  }
  for (const part of [r.when, r.unless, r.require]) if (part) checkCondition(c, part, r.forEach, r);
}

function checkAmount(c: Ctx, a: Amount): void {
  let afterTotal = false;
  // An amount may use the amounts declared before it (debris costs = 10% of the loss payment).
  const laterAmounts = c.product.amounts.slice(c.product.amounts.indexOf(a));
  for (const later of laterAmounts) c.types.names.delete(later.name);
  if (a.steps.length === 0 || a.steps[0]!.step !== 'start') {
    c.report(
      {
        code: 'check/amount-start',
        message: `amount ${a.name} must begin with a start step`,
        hint: 'e.g. start loss.amount',
      },
      a,
    );
  }
  for (const s of a.steps) {
    if (s.step === 'total') {
      if (!a.forEach)
        c.report(
          { code: 'check/total-without-items', message: `total sums items, but amount ${a.name} has no 'for each'` },
          s,
        );
      afterTotal = true;
      continue;
    }
    const scope = afterTotal ? undefined : a.forEach;
    // The grammar gives each step what it takes; a JSON product's step may lack it.
    const lacks = !s.expr
      ? 'a value'
      : s.step === 'round' && !s.mode
        ? 'a rounding mode'
        : s.step === 'aggregate' && !s.used
          ? 'used'
          : '';
    if (lacks) {
      c.report(
        {
          code: 'check/step',
          message: `the ${s.step} step of amount ${a.name} has no ${lacks}`,
          hint: 'see Amounts in docs/dsl.md',
        },
        s,
      );
      continue;
    }
    if (s.shared && (!a.forEach || afterTotal)) {
      c.report(
        {
          code: 'check/shared-step',
          message: `a shared ${s.step} is one budget across items: it belongs before 'total' in an amount with 'for each'`,
        },
        s,
      );
    }
    if (s.when) checkCondition(c, s.when, scope, s);
    const t = s.expr ? exprType(c, s.expr, scope) : UNKNOWN;
    const wantMoney = ['start', 'add', 'subtract', 'deductible', 'limit', 'aggregate', 'floor'].includes(s.step);
    if (wantMoney && t.kind !== 'unknown' && !(t.kind === 'money' && t.currency === a.currency)) {
      c.report(
        {
          code: t.kind === 'money' ? 'check/currency-mismatch' : 'check/type-mismatch',
          message: `${s.step} takes money ${a.currency}, but ${s.expr ? exprText(s.expr) : ''} is ${typeText(t)}`,
          hint: t.kind === 'money' ? `convert it first, e.g. × an exchange-rate fact` : undefined,
        },
        s.expr ?? s,
      );
    }
    if ((s.step === 'coinsurance' || s.step === 'multiply') && t.kind !== 'unknown' && !isNumeric(t)) {
      c.report(
        {
          code: 'check/type-mismatch',
          message: `${s.step} takes a rate or number, but ${s.expr ? exprText(s.expr) : ''} is ${typeText(t)}`,
          hint: 'e.g. coinsurance 90%',
        },
        s.expr ?? s,
      );
    }
    if (s.used) {
      const u = exprType(c, s.used, scope);
      if (u.kind !== 'unknown' && !(u.kind === 'money' && u.currency === a.currency)) {
        c.report(
          { code: 'check/type-mismatch', message: `aggregate ... used takes money ${a.currency}, got ${typeText(u)}` },
          s.used,
        );
      }
    }
    if (
      s.step === 'round' &&
      t.kind !== 'unknown' &&
      !isNumeric(t) &&
      !(t.kind === 'money' && t.currency === a.currency)
    ) {
      c.report(
        { code: 'check/type-mismatch', message: `round needs a unit such as 1,000円, got ${typeText(t)}` },
        s.expr ?? s,
      );
    }
  }
}

function checkTable(c: Ctx, t: Table): void {
  const inputTypes = t.inputs.map((e) => exprType(c, e, undefined));
  t.inputs.forEach((e, j) => {
    // A bare name that is not declared reads as an enum value: as a table input it is a typo.
    if ('lit' in e && e.lit.type === 'symbol') {
      const guess = closest(e.lit.value, allNames(c, undefined));
      const hint = guess ? `did you mean ${guess}?` : 'a table input is a fact, a formula or an expression over them';
      c.report({ code: 'check/unknown-name', message: `unknown name ${e.lit.value}`, hint }, e);
      c.badCells.add(t);
    } else if (!coverable(inputTypes[j]!)) c.badCells.add(t);
  });
  t.rows.forEach((row, i) => {
    if (row.cells.length !== t.inputs.length) {
      c.report(
        {
          code: 'check/table-arity',
          message: `row ${i + 1} of table ${t.name} has ${row.cells.length} input cells; the table has ${t.inputs.length} inputs (given ...)`,
          hint: 'separate input cells with |',
        },
        row,
      );
    }
    if (row.outputs.length !== t.outputs.length) {
      c.report(
        {
          code: 'check/table-arity',
          message: `row ${i + 1} of table ${t.name} has ${row.outputs.length} outputs; the table returns ${t.outputs.length}`,
          hint: 'separate outputs with | after =>',
        },
        row,
      );
    }
    row.cells.forEach((cell, j) => {
      const it = inputTypes[j];
      if (!it) return;
      for (const l of cellLiterals(cell)) {
        const lt = literalType(l);
        if (l.type === 'fraction' && /^0+$/.test(l.den)) c.badCells.add(t);
        if (!compatible(it, lt)) {
          c.badCells.add(t);
          c.report(
            {
              code: 'check/type-mismatch',
              message: `table ${t.name}, row ${i + 1}: ${literalShort(l)} (${typeText(lt)}) does not fit input ${exprText(t.inputs[j]!)} (${typeText(it)})`,
              hint:
                it.kind === 'enum'
                  ? `did you mean ${closest(literalShort(l), it.values) ?? it.values.join(', ')}?`
                  : undefined,
            },
            l,
          );
        }
      }
    });
    checkOutputs(c, t, row.outputs, `row ${i + 1}`);
  });
  if (t.otherwise) {
    if (t.otherwise.length !== t.outputs.length) {
      const message = `the else row of table ${t.name} has ${t.otherwise.length} outputs; the table returns ${t.outputs.length}`;
      const at = c.model.spans.has(t.otherwise) ? t.otherwise : t;
      c.report({ code: 'check/table-arity', message, hint: 'separate outputs with | after =>' }, at);
    }
    checkOutputs(c, t, t.otherwise, 'else');
  }
  const uncited = t.rows.flatMap((r, i) => (r.cite?.length ? [] : [i + 1]));
  if (uncited.length) {
    const some = uncited.length < t.rows.length;
    c.report(
      {
        code: 'check/row-citation',
        severity: 'warning',
        message: !some
          ? `no row of table ${t.name} cites a source (${uncited.length === 1 ? 'row 1' : `rows 1 to ${uncited.length}`})`
          : uncited.length === 1
            ? `row ${uncited[0]} of table ${t.name} cites no source`
            : `rows ${listText(uncited)} of table ${t.name} cite no source`,
        hint: `cite the pamphlet line each row encodes: add cite §<section> "<quote>" under the row`,
      },
      t.rows[uncited[0]! - 1],
    );
  }
}

function listText(ns: number[]): string {
  return ns.length > 6 ? `${ns.slice(0, 5).join(', ')}, … (${ns.length} in all)` : ns.join(', ');
}

// Whether the gap and overlap walk can sample a column of this type: ordered values, enums,
// booleans and text.
const coverable = (t: VType) => isOrdered(t) || ['enum', 'boolean', 'text', 'unknown'].includes(t.kind);

function checkOutputs(c: Ctx, t: Table, outs: Literal[], where: string): void {
  outs.forEach((l, k) => {
    const o = t.outputs[k];
    if (o && !compatible(o.type, literalType(l))) {
      c.report(
        {
          code: 'check/type-mismatch',
          message: `table ${t.name}, ${where}: output ${o.name} is ${typeText(o.type)}, got ${literalShort(l)}`,
          hint:
            o.type.kind === 'enum'
              ? `did you mean ${closest(literalShort(l), o.type.values) ?? o.type.values.join(', ')}?`
              : undefined,
        },
        l,
      );
    }
  });
}

export function cellLiterals(cell: Cell): Literal[] {
  if ('in' in cell) return cell.in;
  if ('cmp' in cell) return [cell.value];
  if ('range' in cell) return cell.range;
  return [];
}

// ---- tables: gaps and overlaps ----
// Each input column is cut into regions at the values its cells name; one sample per region is
// enough to decide every cell. The product of the columns' samples is walked in order (first
// column outermost) and each combination is checked against every row at once: per column, the
// rows matching each sample are a bitset (found by binary search over the sorted samples for
// ordered types), and a combination's matching rows are the AND of its columns' bitsets, built
// up column by column. A subtree whose prefix matches no row is not walked further: its first
// combination is the gap to report (if none was yet), and it can hold no overlap.
// Same diagnostics, in the same order, as checking each combination against each row; linear in
// rows for a table over discrete and ordered columns, where that was rows × combinations.
function checkTableCoverage(c: Ctx): void {
  for (const t of c.product.tables) {
    const types = t.inputs.map((e) => c.types.exprs.get(e) ?? UNKNOWN);
    if (c.badCells.has(t) || types.some((x) => x.kind === 'unknown')) continue;
    if (t.rows.some((r) => r.cells.length !== t.inputs.length)) continue;
    const samples = types.map((ty, j) =>
      columnSamples(
        ty,
        t.rows.map((r) => r.cells[j]!),
      ),
    );
    const total = samples.reduce((n, s) => n * s.length, 1);
    if (total > 200000) {
      c.report(
        {
          code: 'check/table-too-large',
          severity: 'warning',
          message: `table ${t.name} has too many input combinations (${total}) to check for gaps and overlaps`,
        },
        t,
      );
      continue;
    }
    if (total === 0) continue; // a column without values: no combination to check
    const words = (t.rows.length + 31) >>> 5;
    // bits[j][s]: the rows (bit i = row i + 1) whose cell j matches sample s of column j.
    const bits = types.map((ty, j) =>
      columnBits(
        ty,
        t.rows.map((r) => r.cells[j]!),
        samples[j]!.map((x) => x.value),
        words,
      ),
    );
    const n = t.inputs.length;
    // acc[j]: the rows matching the combination's first j values.
    const acc = Array.from({ length: n + 1 }, () => new Uint32Array(words));
    for (let i = 0; i < t.rows.length; i++) acc[0]![i >>> 5]! |= 1 << (i & 31);
    let gapReported = false;
    const overlapReported = new Set<string>();
    const combo: unknown[] = new Array(n);
    const gap = () => {
      gapReported = true;
      c.report(
        {
          code: 'check/table-gap',
          message: `table ${t.name} has no row for ${describeCombo(t, combo)}`,
          hint: 'add a row for it, or an else row: else => ...',
        },
        t,
      );
    };
    const walk = (j: number): void => {
      const here = acc[j]!;
      let any = 0;
      let several = false;
      for (let w = 0; w < words; w++) {
        const x = here[w]!;
        if (x !== 0) {
          if (any !== 0 || (x & (x - 1)) !== 0) several = true;
          any |= x;
        }
      }
      if (any === 0) {
        // No row matches any combination from here on: the first of them is a gap.
        if (gapReported || t.otherwise) return;
        for (let k = j; k < n; k++) combo[k] = samples[k]![0]!.value;
        gap();
        return;
      }
      if (j === n) {
        if (several && t.hit === 'unique') {
          const hits: number[] = [];
          for (let w = 0; w < words; w++) {
            let x = here[w]!;
            while (x !== 0) {
              const low = x & -x;
              hits.push((w << 5) + (31 - Math.clz32(low)) + 1);
              x ^= low;
            }
          }
          const key = hits.join(',');
          if (!overlapReported.has(key)) {
            overlapReported.add(key);
            // Shown at the last of the rows: the one that, read in order, adds the overlap.
            const at = t.rows[hits[hits.length - 1]! - 1]!;
            const lines = hits.map((h) => c.model.spans.get(t.rows[h - 1]!)?.start.line);
            const where = lines.every((l) => l !== undefined) && c.model.exprs ? ` (lines ${lines.join(' and ')})` : '';
            c.report(
              {
                code: 'check/table-overlap',
                message: `rows ${hits.join(' and ')} of table ${t.name} both match ${describeCombo(t, combo)}`,
                hint: `make the rows${where} disjoint, or declare 'hit first' if the first match should win`,
              },
              at,
            );
          }
        }
        return;
      }
      const next = acc[j + 1]!;
      const col = bits[j]!;
      samples[j]!.forEach((s, k) => {
        const b = col[k]!;
        for (let w = 0; w < words; w++) next[w] = here[w]! & b[w]!;
        combo[j] = s.value;
        walk(j + 1);
      });
    };
    walk(0);
  }
}

// For each sample of a column, the bitset of rows whose cell matches it. Over an ordered type the
// samples are sorted, so a cell's matching samples are found by binary search (a range or a
// comparison is one run of them, an `in` list one run per value); otherwise each cell is tested
// against each sample, as cellMatcher does.
function columnBits(t: VType, cells: Cell[], values: unknown[], words: number): Uint32Array[] {
  const out = values.map(() => new Uint32Array(words));
  const set = (row: number, from: number, to: number) => {
    for (let s = from; s < to; s++) out[s]![row >>> 5]! |= 1 << (row & 31);
  };
  const cmp = comparator(t);
  const ordered = isOrdered(t) && values.every((v, i) => v !== undefined && (i === 0 || cmp(values[i - 1], v) <= 0));
  // First sample >= x, first sample > x.
  const lower = (x: unknown) => searchSorted(values, x, cmp, false);
  const upper = (x: unknown) => searchSorted(values, x, cmp, true);
  cells.forEach((cell, row) => {
    if ('any' in cell) return set(row, 0, values.length);
    if (!ordered) {
      const m = cellMatcher(cell, t);
      values.forEach((v, s) => {
        if (m(v)) set(row, s, s + 1);
      });
      return;
    }
    if ('in' in cell) {
      for (const l of cell.in) {
        const x = literalValue(l);
        set(row, lower(x), upper(x));
      }
    } else if ('range' in cell) {
      const [lo, hi] = cell.range.map(literalValue);
      set(row, lower(lo), upper(hi));
    } else {
      const x = literalValue(cell.value);
      const n = values.length;
      switch (cell.cmp) {
        case 'lt':
          set(row, 0, lower(x));
          break;
        case 'le':
          set(row, 0, upper(x));
          break;
        case 'gt':
          set(row, upper(x), n);
          break;
        case 'ge':
          set(row, lower(x), n);
          break;
        case 'eq':
          set(row, lower(x), upper(x));
          break;
      }
    }
  });
  return out;
}

function describeCombo(t: Table, combo: unknown[]): string {
  return t.inputs.map((e, j) => `${exprText(e)} = ${sampleText(combo[j])}`).join(', ');
}

function sampleText(v: unknown): string {
  return showText(showValue(v));
}

function columnSamples(t: VType, cells: Cell[]): { value: unknown }[] {
  if (t.kind === 'enum') return t.values.map((value) => ({ value }));
  if (t.kind === 'boolean') return [{ value: true }, { value: false }];
  // An exact fraction (1/3) is sampled as its decimal value: samples step by adding 1.
  const points = cells.flatMap(cellLiterals).map((l) => {
    const v = literalValue(l);
    return v instanceof Fraction ? v.value() : v;
  });
  if (t.kind === 'text') return [...points.map((value) => ({ value })), { value: '\u0000(other text)' }];
  const cmp = comparator(t);
  // Distinct points in order; of equal points the first written is kept (the sort is stable).
  const sorted = [...points].sort(cmp).filter((p, i, a) => i === 0 || cmp(a[i - 1], p) !== 0);
  if (sorted.length === 0) return [{ value: undefined }];
  const out: { value: unknown }[] = [{ value: step(t, sorted[0], -1) }];
  sorted.forEach((p, i) => {
    out.push({ value: p });
    const next = sorted[i + 1];
    out.push({ value: next === undefined ? step(t, p, 1) : between(t, p, next) });
  });
  return out;
}

// The sample just below or above a literal, and one between two: exported for the reference walk
// in test/table-coverage.test.ts, which must sample the same points.
export function step(t: VType, v: unknown, dir: 1 | -1): unknown {
  const lit = (x: unknown) =>
    x as { plus(n: number): unknown; amount: { plus(n: number): unknown }; currency: string; n: number; unit: string };
  if (t.kind === 'money')
    return literalValue({ type: 'money', amount: String(lit(v).amount.plus(dir)), currency: lit(v).currency });
  if (t.kind === 'date') return daysToDate(dateToDays(v as string) + dir);
  if (t.kind === 'time') return minuteToTime(timeToMinute(v as string) + dir);
  if (t.kind === 'duration')
    return literalValue({ type: 'duration', value: lit(v).n + dir, unit: lit(v).unit as 'days' });
  return lit(v).plus(dir);
}

export function between(t: VType, a: unknown, b: unknown): unknown {
  if (t.kind === 'date' || t.kind === 'time' || t.kind === 'duration') {
    const s = step(t, a, 1);
    return comparator(t)(s, b) < 0 ? s : a;
  }
  const x = (v: unknown) =>
    (t.kind === 'money'
      ? (v as { amount: { plus(o: unknown): { div(n: number): { toString(): string } } } }).amount
      : v) as { plus(o: unknown): { div(n: number): { toString(): string } } };
  const mid = x(a)
    .plus(t.kind === 'money' ? (b as { amount: unknown }).amount : b)
    .div(2)
    .toString();
  return t.kind === 'money'
    ? literalValue({ type: 'money', amount: mid, currency: (a as { currency: string }).currency })
    : literalValue({ type: 'number', value: mid });
}

export function cellMatcher(cell: Cell, t: VType): (v: unknown) => boolean {
  if ('any' in cell) return () => true;
  const cmp = comparator(t);
  if ('in' in cell) {
    const vals = cell.in.map(literalValue);
    return (v) => v !== undefined && vals.some((x) => cmp(v, x) === 0);
  }
  if ('range' in cell) {
    const [lo, hi] = cell.range.map(literalValue);
    return (v) => v !== undefined && cmp(v, lo) >= 0 && cmp(v, hi) <= 0;
  }
  const x = literalValue(cell.value);
  const test = {
    lt: (n: number) => n < 0,
    le: (n: number) => n <= 0,
    gt: (n: number) => n > 0,
    ge: (n: number) => n >= 0,
    eq: (n: number) => n === 0,
  }[cell.cmp];
  return (v) => v !== undefined && test(cmp(v, x));
}

// ---- citations ----
function checkCitations(c: Ctx): void {
  const need = (what: string, name: string, cites: Citation[] | undefined, at: object) => {
    if (!cites || cites.length === 0) {
      c.report(
        {
          code: 'check/missing-citation',
          message: `${what} ${name} cites no source`,
          hint: `add: cite §<section> "<exact quote from ${c.product.source || 'the seed'}>"`,
        },
        at,
      );
    }
    for (const cite of cites ?? []) checkQuote(c, cite);
  };
  for (const r of c.product.rules) need(r.kind === 'exclude' ? 'exclusion' : `${r.kind} rule`, r.id, r.cite, r);
  for (const f of c.product.formulas) need(f.kind, f.name, f.cite, f);
  for (const t of c.product.tables) {
    need('table', t.name, t.cite, t);
    for (const row of t.rows) for (const cite of row.cite ?? []) checkQuote(c, cite);
  }
  for (const a of c.product.amounts) {
    need('amount', a.name, a.cite, a);
    for (const s of a.steps) for (const cite of s.cite ?? []) checkQuote(c, cite);
  }
  for (const f of c.product.facts) for (const cite of (f as { cite?: Citation[] }).cite ?? []) checkQuote(c, cite);
}

function checkQuote(c: Ctx, cite: Citation): void {
  if (!cite.section)
    c.report(
      { code: 'check/citation-section', message: 'a citation needs a section', hint: 'e.g. cite §5 "..."' },
      cite,
    );
  if (!cite.quote) {
    c.report(
      {
        code: 'check/citation-quote',
        message: 'a citation needs a quote',
        hint: 'quote the pamphlet: an exact substring of the seed text',
      },
      cite,
    );
    return;
  }
  if (!c.sources) return;
  const r = findQuote(c.sources, cite.source, cite.quote);
  if (r.kind === 'no-file') {
    c.report(
      {
        code: 'check/citation-source',
        message: `source ${cite.source} is not in ${c.sources.shown ?? c.sources.dir}`,
        hint: r.guess ? `did you mean ${r.guess}?` : 'name the seed file exactly',
      },
      cite,
    );
  } else if (r.kind === 'not-found') {
    if (nfcSeed(c.sources, cite.source)?.includes(cite.quote.normalize('NFC'))) {
      // Said once per seed file: every quote from it differs the same way.
      if (!c.normalized.has(cite.source)) {
        c.normalized.add(cite.source);
        c.report(
          {
            code: 'check/quote-normalization',
            severity: 'warning',
            message: `quotes from ${cite.source} match it only once both are normalised to Unicode NFC`,
            hint:
              'the seed file or the product file is stored decomposed (NFD): the text looks the same but its bytes ' +
              'differ; save both as NFC',
          },
          cite,
        );
      }
      return;
    }
    c.report(
      {
        code: 'check/quote-not-found',
        message: `the quote is not in ${cite.source}: ${JSON.stringify(cite.quote.length > 60 ? cite.quote.slice(0, 60) + '…' : cite.quote)}`,
        hint: r.near
          ? `the seed has ${JSON.stringify(r.near)} (quotes must match exactly, including spaces, tabs and punctuation)`
          : 'copy the quote from the seed text exactly',
      },
      cite,
    );
  }
}

// A seed's text in Unicode NFC, computed once per seed folder and file.
const nfcSeeds = new WeakMap<SourceFolder, Map<string, string>>();
function nfcSeed(s: SourceFolder, file: string): string | undefined {
  let m = nfcSeeds.get(s);
  if (!m) nfcSeeds.set(s, (m = new Map()));
  let t = m.get(file);
  if (t === undefined) {
    const raw = s.files.get(file);
    if (raw === undefined) return undefined;
    m.set(file, (t = raw.normalize('NFC')));
  }
  return t;
}

export type { Span };
