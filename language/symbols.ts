// The symbol index of one product file: every declared name (facts, their list fields, formulas
// and defines, tables and their outputs, amounts, rules, enum values, loop variables) and every
// place a name is used, found by walking the CST. Hover, definition, references, rename,
// completion and semantic highlighting all read this one index.
//
// Names resolve as the checker resolves them (engine/pipeline/check.ts refType): a whole path is
// a fact, a formula or an amount; `table.output` is a table output; `list.field` is a field of a
// list-of-records fact; inside `for each x in list`, `x.field` is that list's field. A bare name
// that is none of these is an enum value, owned by the fact, field or output it is compared with
// (`loss.risk = credit`), the table column it sits in, or the fact whose default it is.
import type { CstNode, IToken } from 'chevrotain';
import { unescapeString } from '../dsl/model.js';
import {
  type TextRange,
  childNode,
  childNodes,
  childToken,
  childTokens,
  isReal,
  isToken,
  nodeRange,
  tokenRange,
  tokensRange,
} from './cst.js';

export type SymbolKind =
  | 'product'
  | 'fact'
  | 'field'
  | 'formula'
  | 'define'
  | 'table'
  | 'output'
  | 'amount'
  | 'rule'
  | 'enum'
  | 'loop';

export interface YkSymbol {
  id: string;
  kind: SymbolKind;
  // As it is written where it is used: loss.amount, buyer_cover.credit, claim.items.amount, credit.
  name: string;
  // An enum value: the fact, field or output whose type lists it. A field: its list fact. An
  // output: its table. A loop variable: the list it walks.
  owner?: string;
  label?: string;
  // The name where it is declared, and the whole declaration.
  decl?: TextRange;
  extent?: TextRange;
  // The keyword that declares it (fact, formula, exclude, ...), for hover and the outline.
  keyword?: string;
  node?: CstNode;
}

export interface Occurrence extends TextRange {
  symbol: YkSymbol;
  declaration: boolean;
}

// Tokens whose role the grammar fixes though no symbol stands behind them.
export type Role = 'type' | 'function' | 'mode' | 'product';

export interface TableRowInfo extends TextRange {
  table: YkSymbol;
  // 1-based, as people count rows; 0 for `else`.
  index: number;
  cells: string[];
  outputs: string[];
  node: CstNode;
}

export interface LoopScope extends TextRange {
  variable: string;
  list: string;
}

// A table's columns: the enums each input is typed with, and each output's full name.
export interface TableColumns {
  inputs: string[][];
  outputs: string[];
}

export interface SymbolIndex {
  symbols: Map<string, YkSymbol>;
  // Sorted by position.
  occurrences: Occurrence[];
  roles: (TextRange & { role: Role })[];
  rows: TableRowInfo[];
  loops: LoopScope[];
  // Top-level declarations in source order (the product header first, when there is one).
  declarations: YkSymbol[];
  facts: Map<string, YkSymbol>;
  enums: Map<string, Map<string, YkSymbol>>;
  columns: Map<string, TableColumns>;
}

export function symbolId(kind: SymbolKind, name: string, owner?: string): string {
  return owner === undefined ? `${kind}:${name}` : `${kind}:${owner}:${name}`;
}

interface Ctx {
  loop?: { variable: string; list: string; symbol: YkSymbol };
  enumOwners: string[];
}

class Indexer {
  readonly symbols = new Map<string, YkSymbol>();
  readonly occurrences: Occurrence[] = [];
  readonly roles: (TextRange & { role: Role })[] = [];
  readonly rows: TableRowInfo[] = [];
  readonly loops: LoopScope[] = [];
  readonly declarations: YkSymbol[] = [];
  readonly facts = new Map<string, YkSymbol>();
  readonly fields = new Map<string, YkSymbol>();
  readonly named = new Map<string, YkSymbol>();
  readonly tables = new Map<string, YkSymbol>();
  readonly outputs = new Map<string, YkSymbol>();
  readonly enums = new Map<string, Map<string, YkSymbol>>();
  readonly columns = new Map<string, TableColumns>();

  constructor(private readonly source: string) {}

  text(r: TextRange | undefined): string {
    return r ? this.source.slice(r.from, r.to).replace(/\s+/g, ' ').trim() : '';
  }

  declare(kind: SymbolKind, name: string, at: TextRange | undefined, extra: Partial<YkSymbol> = {}): YkSymbol {
    const id = symbolId(kind, name, kind === 'enum' || kind === 'loop' ? extra.owner : undefined);
    // A name declared twice (the checker reports it): references go to the first declaration.
    const existing = this.symbols.get(id);
    const sym = existing ?? { id, kind, name, ...extra, ...(at ? { decl: at } : {}) };
    if (!existing) this.symbols.set(id, sym);
    if (at) this.occurrences.push({ from: at.from, to: at.to, symbol: sym, declaration: true });
    return sym;
  }

  use(sym: YkSymbol, at: TextRange | undefined): void {
    if (at) this.occurrences.push({ from: at.from, to: at.to, symbol: sym, declaration: false });
  }

  role(t: IToken | undefined, role: Role): void {
    if (t && isReal(t)) this.roles.push({ ...tokenRange(t), role });
  }

  // ---- pass 1: what is declared
  declareAll(cst: CstNode): void {
    const header = childNode(cst, 'header');
    if (header) {
      const id = childNode(header, 'path');
      const idTokens = id ? pathTokens(id) : [];
      const sym: YkSymbol = {
        id: 'product',
        kind: 'product',
        name: idTokens.map((t) => t.image).join('.'),
        keyword: 'product',
        node: header,
        ...(tokensRange(idTokens) ? { decl: tokensRange(idTokens)! } : {}),
        ...(nodeRange(header) ? { extent: nodeRange(header)! } : {}),
      };
      this.declarations.push(sym);
      for (const t of idTokens) this.role(t, 'product');
    }
    for (const d of childNodes(cst, 'declaration')) {
      const inner = Object.values(d.children)[0]?.[0];
      if (!inner || isToken(inner)) continue;
      const sym = this.declaration(inner);
      if (sym) this.declarations.push(sym);
    }
  }

  declaration(d: CstNode): YkSymbol | undefined {
    const keyword = firstDirectToken(d)?.image;
    const labelTok = childToken(d, 'label');
    const common = {
      node: d,
      ...(keyword ? { keyword } : {}),
      ...(nodeRange(d) ? { extent: nodeRange(d)! } : {}),
      ...(labelTok ? { label: unescapeString(labelTok.image) } : {}),
    };
    if (d.name === 'factDecl') {
      const path = childNode(d, 'path');
      const toks = path ? pathTokens(path) : [];
      if (toks.length === 0) return undefined;
      const name = toks.map((t) => t.image).join('.');
      const fact = this.declare('fact', name, tokensRange(toks), common);
      this.facts.set(name, fact);
      const type = childNode(d, 'typeExpr');
      if (type) this.declareType(type, name);
      return fact;
    }
    const nameTok = childToken(d, 'Name');
    if (!nameTok) return undefined;
    const name = nameTok.image;
    switch (d.name) {
      case 'formulaDecl': {
        const sym = this.declare(keyword === 'define' ? 'define' : 'formula', name, tokenRange(nameTok), common);
        this.named.set(name, sym);
        return sym;
      }
      case 'amountDecl': {
        const sym = this.declare('amount', name, tokenRange(nameTok), common);
        this.named.set(name, sym);
        return sym;
      }
      case 'ruleDecl':
        return this.declare('rule', name, tokenRange(nameTok), common);
      case 'tableDecl': {
        const table = this.declare('table', name, tokenRange(nameTok), common);
        this.tables.set(name, table);
        for (const f of childNodes(d, 'output')) {
          const out = this.declareMember('output', name, f);
          if (out) this.outputs.set(out.name, out);
        }
        return table;
      }
    }
    return undefined;
  }

  // Enum values and the fields of a list of records; `owner` is the fact (or output) typed.
  declareType(t: CstNode, owner: string): void {
    const element = childNode(t, 'element');
    if (element) this.declareType(element, owner);
    const rec = childNode(t, 'recordType');
    for (const f of rec ? childNodes(rec, 'field') : []) {
      const field = this.declareMember('field', owner, f);
      if (field) this.fields.set(field.name, field);
    }
    const values = childTokens(t, 'enumValue');
    // `enum(political "非常危険", credit)`: a label belongs to the value just before it.
    const labels = childTokens(t, 'enumLabel');
    values.forEach((v, i) => {
      const next = values[i + 1]?.startOffset ?? Infinity;
      const label = labels.find((l) => l.startOffset > v.startOffset && l.startOffset < next);
      const sym = this.declare('enum', v.image, tokenRange(v), {
        owner,
        ...(label ? { label: unescapeString(label.image) } : {}),
      });
      let known = this.enums.get(owner);
      if (!known) this.enums.set(owner, (known = new Map()));
      if (!known.has(v.image)) known.set(v.image, sym);
    });
  }

  // A table's output or a record's field (a `field` node: name, type, label), and the enum values
  // of its type.
  declareMember(kind: 'output' | 'field', owner: string, f: CstNode): YkSymbol | undefined {
    const n = childToken(f, 'Name');
    if (!n) return undefined;
    const full = `${owner}.${n.image}`;
    const label = childToken(f, 'label');
    const extent = nodeRange(f);
    const sym = this.declare(kind, full, tokenRange(n), {
      owner,
      node: f,
      ...(extent ? { extent } : {}),
      ...(label ? { label: unescapeString(label.image) } : {}),
    });
    const t = childNode(f, 'typeExpr');
    if (t) this.declareType(t, full);
    return sym;
  }

  // ---- pass 2: where names are used
  useAll(cst: CstNode): void {
    const header = childNode(cst, 'header');
    if (header) {
      const chosen = childNode(header, 'path', 1);
      if (chosen) this.resolve(pathTokens(chosen), { enumOwners: [] }, true);
      this.visitChildren(header, { enumOwners: [] }, new Set(['path']));
    }
    for (const d of this.declarations) if (d.node && d.node !== header) this.visitDeclaration(d);
  }

  visitDeclaration(sym: YkSymbol): void {
    const d = sym.node!;
    const ctx: Ctx = { enumOwners: [] };
    const fe = childNode(d, 'forEach');
    if (fe) {
      const v = childToken(fe, 'Name');
      const listPath = childNode(fe, 'path');
      const listToks = listPath ? pathTokens(listPath) : [];
      this.resolve(listToks, ctx, true);
      if (v && sym.extent) {
        const list = listToks.map((t) => t.image).join('.');
        const loop = this.declare('loop', v.image, tokenRange(v), {
          owner: `${sym.name}`,
          label: `each element of ${list}`,
        });
        ctx.loop = { variable: v.image, list, symbol: loop };
        this.loops.push({ ...sym.extent, variable: v.image, list });
      }
    }
    switch (d.name) {
      case 'factDecl': {
        const type = childNode(d, 'typeExpr');
        if (type) this.visitType(type, sym.name);
        const def = childNode(d, 'default');
        if (def) this.visit(def, { enumOwners: [sym.name] });
        this.visitAll(childNodes(d, 'common'), ctx);
        return;
      }
      case 'tableDecl':
        this.visitTable(sym, d);
        return;
    }
    this.visitChildren(d, ctx, new Set(['forEach', 'typeExpr']));
    const amountType = d.name === 'amountDecl' ? childNode(d, 'typeExpr') : undefined;
    if (amountType) this.visitType(amountType, sym.name);
  }

  visitTable(table: YkSymbol, d: CstNode): void {
    const inputs = childNodes(d, 'input');
    const ctx: Ctx = { enumOwners: [] };
    const inputOwners = inputs.map((i) => this.enumOwnersIn(i, ctx));
    this.visitAll(inputs, ctx);
    const outputs = childNodes(d, 'output');
    const outputNames = outputs.map((f) => `${table.name}.${childToken(f, 'Name')?.image ?? ''}`);
    this.columns.set(table.name, { inputs: inputOwners, outputs: outputNames });
    for (const [i, f] of outputs.entries()) {
      const t = childNode(f, 'typeExpr');
      if (t) this.visitType(t, outputNames[i]!);
    }
    const outputValues = (o: CstNode | undefined) => {
      const values = o ? childNodes(o, 'value') : [];
      values.forEach((v, k) => this.visit(v, { enumOwners: outputNames[k] ? [outputNames[k]!] : [] }));
      return values.map((v) => this.text(nodeRange(v)));
    };
    childNodes(d, 'row').forEach((r, i) => {
      const cells = childNodes(r, 'cell');
      cells.forEach((c, j) => this.visit(c, { enumOwners: inputOwners[j] ?? [] }));
      const outs = outputValues(childNode(r, 'outputs'));
      this.visitAll(childNodes(r, 'cite'), ctx);
      const range = nodeRange(r);
      if (range)
        this.rows.push({
          ...range,
          table,
          index: i + 1,
          cells: cells.map((c) => this.text(nodeRange(c))),
          outputs: outs,
          node: r,
        });
    });
    const otherwise = childNode(d, 'outputs');
    if (otherwise) {
      const outs = outputValues(otherwise);
      const elseTok = childToken(d, 'Kw_else');
      const range = nodeRange(otherwise);
      if (range) {
        const from = elseTok ? elseTok.startOffset : range.from;
        this.rows.push({
          from,
          to: range.to,
          table,
          index: 0,
          cells: inputs.map(() => 'any'),
          outputs: outs,
          node: otherwise,
        });
      }
    }
    this.visitAll(childNodes(d, 'common'), ctx);
    this.role(childToken(d, 'hit'), 'mode');
  }

  visitType(t: CstNode, owner: string): void {
    this.role(childToken(t, 'typeName'), 'type');
    this.role(childToken(t, 'currency'), 'type');
    this.role(childToken(t, 'unit'), 'type');
    const element = childNode(t, 'element');
    if (element) this.visitType(element, owner);
    const rec = childNode(t, 'recordType');
    for (const f of rec ? childNodes(rec, 'field') : []) {
      const name = `${owner}.${childToken(f, 'Name')?.image ?? ''}`;
      const ft = childNode(f, 'typeExpr');
      if (ft) this.visitType(ft, name);
      const def = childNode(f, 'default');
      if (def) this.visit(def, { enumOwners: [name] });
    }
    for (const v of childNodes(t, 'oneOf')) this.visit(v, { enumOwners: [owner] });
  }

  visitAll(ns: CstNode[], ctx: Ctx): void {
    for (const n of ns) this.visit(n, ctx);
  }

  visitChildren(n: CstNode, ctx: Ctx, skip?: Set<string>): void {
    // for-in, not Object.entries: this runs on every node of the tree (a third of the index's time).
    for (const key in n.children) {
      if (skip?.has(key)) continue;
      for (const e of n.children[key]!) if (!isToken(e)) this.visit(e, ctx);
    }
  }

  visit(n: CstNode, ctx: Ctx): void {
    switch (n.name) {
      case 'primary': {
        const head = childToken(n, 'head');
        if (!head) break;
        if (childToken(n, 'LParen')) {
          this.role(head, 'function');
          break;
        }
        const toks = [head, ...childTokens(n, 'segment')];
        if (!this.resolve(toks, ctx, true) && toks.length === 1) this.enumValue(head, ctx);
        return;
      }
      case 'comparison': {
        // Most comparison nodes hold a lone operand: only a real comparison sets the enum in view.
        if (!n.children['op'] && !n.children['Kw_in']) break;
        const owners = this.enumOwnersIn(n, ctx);
        this.visitChildren(n, owners.length ? { ...ctx, enumOwners: owners } : ctx);
        return;
      }
      case 'value': {
        const name = childToken(n, 'Name');
        if (name) this.enumValue(name, ctx);
        break;
      }
      case 'step':
        this.role(childToken(n, 'mode'), 'mode');
        break;
    }
    this.visitChildren(n, ctx);
  }

  enumValue(t: IToken, ctx: Ctx): void {
    for (const owner of ctx.enumOwners) {
      const sym = this.enums.get(owner)?.get(t.image);
      if (sym) {
        this.use(sym, tokenRange(t));
        return;
      }
    }
    // No owner in sight: a value that only one enum lists is that enum's.
    let only: YkSymbol | undefined;
    for (const values of this.enums.values()) {
      const sym = values.get(t.image);
      if (sym && only) return;
      if (sym) only = sym;
    }
    if (only) this.use(only, tokenRange(t));
  }

  // The enums that the names in an expression are typed with.
  enumOwnersIn(n: CstNode, ctx: Ctx): string[] {
    const owners: string[] = [];
    const walk = (m: CstNode): void => {
      if (m.name === 'primary') {
        const head = childToken(m, 'head');
        if (head && !childToken(m, 'LParen')) {
          const sym = this.resolve([head, ...childTokens(m, 'segment')], ctx, false);
          if (sym && this.enums.has(sym.name)) owners.push(sym.name);
          return;
        }
      }
      for (const key in m.children) for (const e of m.children[key]!) if (!isToken(e)) walk(e);
    };
    walk(n);
    return owners;
  }

  // A dotted name: record what each part of it names; the symbol the whole path denotes.
  resolve(toks: IToken[], ctx: Ctx, record: boolean): YkSymbol | undefined {
    if (toks.length === 0) return undefined;
    const names = toks.map((t) => t.image);
    const span = (from: number, to: number) => tokensRange(toks.slice(from, to));
    const loop = ctx.loop;
    if (loop && names[0] === loop.variable) {
      if (record) this.use(loop.symbol, span(0, 1));
      const field = names.length === 2 ? this.fields.get(`${loop.list}.${names[1]}`) : undefined;
      if (field && record) this.use(field, span(1, 2));
      return field;
    }
    const full = names.join('.');
    const whole = this.facts.get(full) ?? this.named.get(full);
    if (whole) {
      if (record) this.use(whole, span(0, toks.length));
      return whole;
    }
    const table = names.length === 2 ? this.tables.get(names[0]!) : undefined;
    if (table) {
      const out = this.outputs.get(full);
      if (record) {
        this.use(table, span(0, 1));
        if (out) this.use(out, span(1, 2));
      }
      return out;
    }
    for (let k = names.length - 1; k >= 1; k--) {
      const fact = this.facts.get(names.slice(0, k).join('.'));
      if (!fact) continue;
      const field = k === names.length - 1 ? this.fields.get(full) : undefined;
      if (record) {
        this.use(fact, span(0, k));
        if (field) this.use(field, span(k, k + 1));
      }
      return field;
    }
    return undefined;
  }
}

// The name tokens of a `path` node, in source order (the parser labels them Name and Name1).
function pathTokens(p: CstNode): IToken[] {
  return [...childTokens(p, 'Name'), ...childTokens(p, 'Name1')].sort((a, b) => a.startOffset - b.startOffset);
}

function firstDirectToken(n: CstNode): IToken | undefined {
  let first: IToken | undefined;
  for (const list of Object.values(n.children)) {
    for (const e of list) if (isToken(e) && isReal(e) && (!first || e.startOffset < first.startOffset)) first = e;
  }
  return first;
}

export function buildIndex(cst: CstNode, source: string): SymbolIndex {
  const ix = new Indexer(source);
  ix.declareAll(cst);
  ix.useAll(cst);
  ix.occurrences.sort((a, b) => a.from - b.from || a.to - b.to);
  ix.roles.sort((a, b) => a.from - b.from);
  return {
    symbols: ix.symbols,
    occurrences: ix.occurrences,
    roles: ix.roles,
    rows: ix.rows,
    loops: ix.loops,
    declarations: ix.declarations,
    facts: ix.facts,
    enums: ix.enums,
    columns: ix.columns,
  };
}

// The occurrence under an offset (a cursor just after a name still points at it).
export function occurrenceAt(ix: SymbolIndex, offset: number): Occurrence | undefined {
  const occ = ix.occurrences;
  let lo = 0;
  let hi = occ.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (occ[mid]!.to < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  for (let i = lo; i < occ.length && occ[i]!.from <= offset; i++) if (occ[i]!.to >= offset) return occ[i];
  return undefined;
}
