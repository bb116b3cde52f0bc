// Stage 3: CST -> product model (dsl/ir.ts). Entry: buildModel().
// Names are resolved here only as far as syntax allows: a bare single-segment name that is not
// declared is an enum value (a symbol); everything else stays a reference for the checker.
// Rule conditions are lowered to json-rules-engine conditions; operands that are not plain
// references are hoisted into named derived values so the leaves stay `fact op value`.
import type { CstNode, IToken, CstElement } from 'chevrotain';
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
  OpName,
  Product,
  RoundingMode,
  Rule,
  RuleKind,
  Step,
  StepKind,
  Table,
  TableRow,
  TypeRef,
} from './ir.js';
import { emptyProduct } from './ir.js';
import { type Diagnostic, type Span, spanAt } from './diagnostics.js';
import {
  wellGrouped,
  durationUnit,
  isIsoDate,
  isTime,
  parseMoney,
  parsePercent,
  parsePlainNumber,
  parseJapaneseNumber,
  parseDuration,
} from './literals.js';

export type SpanMap = WeakMap<object, Span>;

// What stands for an expression the model refused for its depth (already reported).
export const TOO_DEEP = '$too-deep';

export interface Model {
  product: Product;
  spans: SpanMap;
  exprs?: WeakMap<Condition, Expr>;
  // The file the model was read from: where diagnostics without a span of their own are shown.
  file?: string;
}

export const ROUNDING_MODES: readonly RoundingMode[] = ['down', 'up', 'half-up', 'half-even', 'half-down'];

function isToken(e: CstElement | undefined): e is IToken {
  return e !== undefined && (e as IToken).image !== undefined;
}
function nodes(n: CstNode, key: string): CstNode[] {
  return ((n.children[key] ?? []) as CstElement[]).filter((e): e is CstNode => !isToken(e));
}
function node(n: CstNode, key: string, i = 0): CstNode | undefined {
  return nodes(n, key)[i];
}
function tokens(n: CstNode, key: string): IToken[] {
  return ((n.children[key] ?? []) as CstElement[]).filter(isToken);
}
function tok(n: CstNode, key: string, i = 0): IToken | undefined {
  return tokens(n, key)[i];
}
function hasRecovered(n: CstNode): boolean {
  for (const list of Object.values(n.children)) {
    for (const e of list as CstElement[]) {
      if (isToken(e)) {
        if (e.isInsertedInRecovery || Number.isNaN(e.startOffset)) return true;
      } else if (e.recoveredNode || hasRecovered(e)) return true;
    }
  }
  return false;
}
// Strings are kept in Unicode NFC: a file saved decomposed (NFD) quotes the same text as the
// seeds, which are compared in NFC too (engine/pipeline/check.ts).
export function unescapeString(image: string): string {
  const text = image.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  return text.normalize('NFC');
}

// The deepest expression tree the model keeps: the checker, the evaluator and the printer recurse
// once per level. A longer chain (a sum of more terms) is reported; docs/dsl.md says so.
export const MAX_EXPRESSION_DEPTH = 256;
// Digits in one number literal.
export const MAX_LITERAL_DIGITS = 40;

// The depth of an expression tree, without recursion.
export function exprDepth(e: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[e, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > max) max = d;
    if ('args' in x) for (const a of x.args) stack.push([a, d + 1]);
  }
  return max;
}

class Builder {
  readonly spans: SpanMap = new WeakMap();
  // The expression each lowered condition came from, so the checker can type it with literals'
  // currencies intact (a leaf keeps only the amount).
  readonly exprs = new WeakMap<Condition, Expr>();
  private derived: Derived[] = [];
  private declared = new Set<string>();
  private loopVar: string | undefined;

  // Only a file with parse errors can hold recovered nodes; only then are declarations scanned for them.
  private readonly recovering: boolean;

  constructor(
    private file: string,
    private source: string,
    private diagnostics: Diagnostic[],
  ) {
    this.recovering = diagnostics.some((d) => d.code.startsWith('parse/') || d.code.startsWith('lex/'));
  }

  spanOfToken(t: IToken): Span {
    // A token inserted by error recovery has no position: the start of the file stands in.
    if (Number.isNaN(t.startOffset)) return spanAt(this.file, 1, 1, 0, 0);
    return spanAt(this.file, t.startLine ?? 1, t.startColumn ?? 1, t.startOffset, t.image.length);
  }
  spanOfNode(n: CstNode): Span | undefined {
    // Chevrotain tracks every node's location; a node rebuilt by error recovery has NaN there.
    const l = n.location;
    if (!l || Number.isNaN(l.startOffset) || l.startLine === undefined || l.endLine === undefined) return undefined;
    return {
      file: this.file,
      start: { line: l.startLine, column: l.startColumn ?? 1, offset: l.startOffset },
      end: { line: l.endLine, column: (l.endColumn ?? 0) + 1, offset: (l.endOffset ?? l.startOffset) + 1 },
    };
  }
  mark<T extends object>(obj: T, at: CstNode | IToken | undefined): T {
    if (!at) return obj;
    const s = isToken(at as CstElement) ? this.spanOfToken(at as IToken) : this.spanOfNode(at as CstNode);
    if (s) this.spans.set(obj, s);
    return obj;
  }
  error(code: string, message: string, at: CstNode | IToken | undefined, hint?: string): void {
    const own = at
      ? isToken(at as CstElement)
        ? this.spanOfToken(at as IToken)
        : this.spanOfNode(at as CstNode)
      : undefined;
    const span = own ?? spanAt(this.file, 1, 1, 0, 0);
    this.diagnostics.push({ code, severity: 'error', message, span, ...(hint ? { hint } : {}) });
  }

  // A whole expression (a clause's, a formula's, a table input's), bounded in depth: one deeper
  // than MAX_EXPRESSION_DEPTH is reported and replaced by a reference the checker leaves alone.
  top(n: CstNode): Expr {
    const e = this.expr(n);
    const depth = exprDepth(e);
    if (depth <= MAX_EXPRESSION_DEPTH) return e;
    this.error(
      'model/too-deep',
      `this expression is ${depth} operations deep; at most ${MAX_EXPRESSION_DEPTH} are allowed`,
      n,
      'split it into named formulas (formula part_1 = ..., then part_1 + part_2): each is checked and explained on its own',
    );
    return this.mark({ ref: TOO_DEEP }, n);
  }

  build(cst: CstNode): Product {
    const header = node(cst, 'header');
    const decls = nodes(cst, 'declaration').map((d) => Object.values(d.children)[0]![0] as CstNode);
    // Collect declared names first so that bare names can be told apart from enum values.
    for (const d of decls) {
      if (d.name === 'factDecl') {
        const p = node(d, 'path');
        if (p) this.declared.add(this.pathText(p));
      } else if (d.name === 'formulaDecl' || d.name === 'tableDecl' || d.name === 'amountDecl') {
        const t = tok(d, 'Name');
        if (t) this.declared.add(t.image);
      }
    }
    const product: Product = { ...emptyProduct(''), derived: this.derived };
    if (header) this.header(header, product);
    this.mark(product, header);
    for (const d of decls) {
      // Error recovery leaves declarations with missing parts; the parser has reported them,
      // so such a declaration is left out of the model instead of being half-built.
      if (this.recovering && (d.recoveredNode || hasRecovered(d))) continue;
      switch (d.name) {
        case 'factDecl':
          product.facts.push(this.fact(d, product));
          break;
        case 'formulaDecl':
          product.formulas.push(this.formula(d, product));
          break;
        case 'tableDecl':
          product.tables.push(this.table(d, product));
          break;
        case 'ruleDecl':
          product.rules.push(this.rule(d, product));
          break;
        case 'amountDecl':
          product.amounts.push(this.amount(d, product));
          break;
      }
    }
    return product;
  }

  header(h: CstNode, p: Product): void {
    const idPath = node(h, 'path');
    p.id = idPath ? this.pathText(idPath) : '';
    const chosen = node(h, 'path', 1);
    if (chosen) p.chosenBy = this.pathText(chosen);
    // Clauses may come in any order: walk the header's own tokens in source order.
    const toks = Object.values(h.children)
      .flat()
      .filter(isToken)
      .sort((a, b) => a.startOffset - b.startOffset);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      const next = toks[i + 1];
      switch (t.tokenType.name) {
        case 'Kw_name': {
          const str = toks[i + 2];
          if (next && str) {
            if (next.image === 'ja' || next.image === 'en') p.name[next.image] = unescapeString(str.image);
            else
              this.error(
                'model/unknown-language',
                `unknown language ${JSON.stringify(next.image)}`,
                next,
                'use name ja "..." or name en "..."',
              );
          }
          break;
        }
        case 'Kw_revision': {
          if (next) p.revision = unescapeString(next.image);
          const label = tok(h, 'revisionLabel');
          if (label) p.revisionLabel = unescapeString(label.image);
          break;
        }
        case 'Kw_source':
          if (next) p.source = unescapeString(next.image);
          break;
        case 'Kw_reconstructed':
          if (next) p.reconstructed = unescapeString(next.image);
          break;
        case 'Kw_currency':
          if (next) p.currency = next.image;
          break;
        case 'Kw_from':
          if (next) p.inForce.from = this.date(next);
          break;
        case 'Kw_until':
          if (next) p.inForce.until = this.date(next);
          break;
      }
    }
    for (const c of nodes(h, 'common')) this.commonInto(c, p as unknown as { cite: Citation[]; note?: string }, p);
    if (!p.revision)
      this.error('model/missing-revision', 'the product header needs a revision', toks[0], 'add: revision "2017-04"');
    if (!p.source)
      this.error(
        'model/missing-source',
        'the product header needs the seed file it encodes',
        toks[0],
        'add: source "001_e21b9039d1274645.txt"',
      );
  }

  date(t: IToken): string {
    if (!isIsoDate(t.image))
      this.error('model/invalid-date', `${t.image} is not a calendar date`, t, 'write dates as YYYY-MM-DD');
    return t.image;
  }

  time(t: IToken): string {
    if (!isTime(t.image)) {
      const m = /^(\d{1,2}):(\d{2})$/.exec(t.image);
      const fix = m && Number(m[1]) < 24 && Number(m[2]) < 60 ? `: write ${m[1]!.padStart(2, '0')}:${m[2]}` : '';
      this.error(
        'model/invalid-time',
        `${t.image} is not a time of day`,
        t,
        `write times as HH:MM, 00:00 to 23:59${fix}`,
      );
    }
    return t.image;
  }

  pathText(p: CstNode): string {
    return tokens(p, 'Name')
      .concat(tokens(p, 'Name1'))
      .sort((a, b) => a.startOffset - b.startOffset)
      .map((t) => t.image)
      .join('.');
  }

  citeOf(c: CstNode, p: Product): Citation {
    const file = tok(c, 'file');
    const sec = tok(c, 'SectionRef');
    const quote = tok(c, 'quote');
    const cite: Citation = {
      source: file ? unescapeString(file.image) : p.source,
      section: sec ? sec.image.slice(1) : '',
      quote: quote ? unescapeString(quote.image) : '',
    };
    return this.mark(cite, c);
  }

  commonInto(c: CstNode, target: { cite: Citation[]; note?: string }, p: Product): void {
    const cite = node(c, 'cite');
    if (cite) {
      (target.cite ??= []).push(this.citeOf(cite, p));
      return;
    }
    const note = tok(c, 'StringLit');
    if (note) target.note = target.note ? `${target.note}\n${unescapeString(note.image)}` : unescapeString(note.image);
  }

  fact(d: CstNode, p: Product): FieldDecl {
    const path = node(d, 'path')!;
    const f: FieldDecl = { name: this.pathText(path), type: this.type(node(d, 'typeExpr')!) };
    const label = tok(d, 'label');
    if (label) f.label = unescapeString(label.image);
    const def = node(d, 'default');
    if (def) f.default = this.value(def);
    this.oneOf(node(d, 'typeExpr')!, f);
    const holder = { cite: [] as Citation[], note: undefined as string | undefined };
    for (const c of nodes(d, 'common')) this.commonInto(c, holder, p);
    if (holder.cite.length) (f as FieldDecl & { cite?: Citation[] }).cite = holder.cite;
    if (holder.note) (f as FieldDecl & { note?: string }).note = holder.note;
    return this.mark(f, path);
  }

  oneOf(t: CstNode, f: FieldDecl): void {
    const vals = nodes(t, 'oneOf');
    if (vals.length) f.oneOf = vals.map((v) => this.value(v));
  }

  type(t: CstNode): TypeRef {
    const out = ((): TypeRef => {
      if (tok(t, 'Kw_list')) return { kind: 'list', of: this.type(node(t, 'element')!) };
      const rec = node(t, 'recordType');
      if (rec) return { kind: 'record', fields: nodes(rec, 'field').map((f) => this.field(f)) };
      const nameTok = tok(t, 'typeName');
      const name = nameTok?.image ?? '';
      switch (name) {
        case 'boolean':
        case 'integer':
        case 'decimal':
        case 'rate':
        case 'date':
        case 'time':
        case 'text':
          return { kind: name };
        case 'percent':
          return { kind: 'rate' };
        case 'money': {
          const cur = tok(t, 'currency');
          return { kind: 'money', currency: cur?.image ?? 'JPY' };
        }
        case 'duration': {
          const u = tok(t, 'unit');
          return { kind: 'duration', unit: (u && durationUnit(u.image)) ?? 'days' };
        }
        case 'enum': {
          const vals = tokens(t, 'enumValue').map((v) => v.image);
          if (vals.length === 0)
            this.error('model/empty-enum', 'an enum needs at least one value', nameTok, 'write enum(a, b, c)');
          const labels = this.enumLabels(tokens(t, 'enumValue'), tokens(t, 'enumLabel'));
          return labels ? { kind: 'enum', values: vals, labels } : { kind: 'enum', values: vals };
        }
        default:
          this.error(
            'model/unknown-type',
            `unknown type ${JSON.stringify(name)}`,
            nameTok,
            'types are boolean, integer, decimal, rate, money JPY, date, duration days, text, enum(a, b), list of <type>, { field: type }',
          );
          return { kind: 'text' };
      }
    })();
    const signed = tok(t, 'Kw_signed');
    if (signed) {
      const signable = out.kind === 'integer' || out.kind === 'decimal' || out.kind === 'rate' || out.kind === 'money';
      if (signable) out.signed = true;
      else this.error('model/signed', `only integer, decimal, rate and money can be signed, not ${out.kind}`, signed);
    }
    return out;
  }

  // `enum(political "非常危険", credit)`: each label belongs to the value just before it.
  enumLabels(values: IToken[], labels: IToken[]): Record<string, string> | undefined {
    if (labels.length === 0) return undefined;
    const out: Record<string, string> = {};
    for (const v of values) {
      const next = values.find((w) => w.startOffset > v.startOffset)?.startOffset ?? Infinity;
      const l = labels.find((x) => x.startOffset > v.startOffset && x.startOffset < next);
      if (l) out[v.image] = unescapeString(l.image);
    }
    return out;
  }

  field(f: CstNode): FieldDecl {
    const nameTok = tok(f, 'Name')!;
    const fd: FieldDecl = { name: nameTok.image, type: this.type(node(f, 'typeExpr')!) };
    const label = tok(f, 'label');
    if (label) fd.label = unescapeString(label.image);
    const def = node(f, 'default');
    if (def) fd.default = this.value(def);
    this.oneOf(node(f, 'typeExpr')!, fd);
    return this.mark(fd, nameTok);
  }

  literal(l: CstNode, negate = false): Literal {
    const t = Object.values(l.children).flat()[0] as IToken;
    const img = t.image;
    const neg = (s: string) => (negate && s !== '0' ? (s.startsWith('-') ? s.slice(1) : '-' + s) : s);
    // Exact arithmetic keeps 40 significant digits: a longer number is a typo, and converting a
    // very long one would take time quadratic in its length.
    const numeric = ['MoneyLit', 'PercentLit', 'FractionLit', 'NumberLit', 'JaDurationLit'].includes(t.tokenType.name);
    if (numeric && img.replace(/\D/g, '').length > MAX_LITERAL_DIGITS) {
      this.error(
        'model/number-too-long',
        `${img.slice(0, 20)}… has more than ${MAX_LITERAL_DIGITS} digits`,
        t,
        'numbers are exact to 40 significant digits',
      );
      return this.mark({ type: 'number', value: '0' }, l);
    }
    if (numeric && !wellGrouped(img)) {
      this.error(
        'model/digit-grouping',
        `${img}: digits are grouped in threes`,
        t,
        'write 1,234,567 (or 1234567), not 1,2,3 or 12,34',
      );
    }
    let lit: Literal;
    switch (t.tokenType.name) {
      case 'MoneyLit': {
        // Badly grouped digits (reported above) stand as 0 in the currency written.
        const currency = /ドル|USD/.test(img) ? 'USD' : /EUR/.test(img) ? 'EUR' : 'JPY';
        const m = parseMoney(img) ?? { amount: '0', currency };
        lit = { type: 'money', amount: neg(m.amount), currency: m.currency };
        break;
      }
      case 'PercentLit':
        lit = { type: 'rate', value: neg(parsePercent(img) ?? '0') };
        break;
      case 'FractionLit': {
        const [num, den] = img.split('/');
        if (den === '0' || /^0+$/.test(den!)) this.error('model/division-by-zero', `${img} divides by zero`, t);
        lit = { type: 'fraction', num: neg(String(BigInt(num!))), den: String(BigInt(den!)) };
        break;
      }
      case 'DateLit':
        lit = { type: 'date', value: this.date(t) };
        break;
      case 'TimeLit':
        lit = { type: 'time', value: this.time(t) };
        break;
      case 'JaDurationLit':
        lit = { type: 'duration', ...parseDuration(img)! };
        break;
      case 'NumberLit': {
        const unitTok = tok(l, 'DurationUnit');
        const v = parsePlainNumber(img) ?? parseJapaneseNumber(img) ?? '0';
        if (unitTok) {
          if (v.includes('.'))
            this.error('model/fractional-duration', `${img} ${unitTok.image}: durations are whole numbers`, t);
          lit = { type: 'duration', value: Number(v), unit: durationUnit(unitTok.image)! };
        } else lit = { type: 'number', value: neg(v) };
        break;
      }
      case 'StringLit':
        lit = { type: 'text', value: unescapeString(img) };
        break;
      default:
        lit = { type: 'boolean', value: img === 'true' };
    }
    return this.mark(lit, l);
  }

  value(v: CstNode): Literal {
    const negate = tok(v, 'Minus') !== undefined;
    const l = node(v, 'literal');
    if (l) return this.literal(l, negate);
    const n = tok(v, 'Name')!;
    return this.mark({ type: 'symbol', value: n.image } as Literal, n);
  }

  // ---- expressions ----
  expr(n: CstNode): Expr {
    switch (n.name) {
      case 'expression':
        return this.binaryChain(n, 'andExpr', () => 'or');
      case 'andExpr':
        return this.binaryChain(n, 'notExpr', () => 'and');
      case 'notExpr': {
        const inner = node(n, 'notExpr');
        if (inner) return this.mark({ op: 'not', args: [this.expr(inner)] }, n);
        return this.expr(node(n, 'comparison')!);
      }
      case 'comparison': {
        const left = this.expr(node(n, 'additive')!);
        const opTok = tok(n, 'op');
        if (opTok) {
          const right = this.expr(node(n, 'additive', 1)!);
          const op: OpName = ({ Le: 'le', Ge: 'ge', Lt: 'lt', Gt: 'gt', Eq: 'eq', Ne: 'ne' } as const)[
            opTok.tokenType.name as 'Le'
          ]!;
          return this.mark({ op, args: [left, right] }, n);
        }
        if (tok(n, 'Kw_in')) {
          const members = nodes(n, 'member').map((m) => this.expr(m));
          return this.mark({ op: tok(n, 'negated') ? 'notIn' : 'in', args: [left, ...members] }, n);
        }
        return left;
      }
      case 'additive':
        return this.binaryChain(n, 'multiplicative', (t) => (t.image === '+' ? 'add' : 'sub'));
      case 'multiplicative':
        return this.binaryChain(n, 'unary', (t) => (t.tokenType.name === 'Times' ? 'mul' : 'div'));
      case 'unary': {
        const inner = node(n, 'unary');
        if (inner) {
          const e = this.expr(inner);
          if ('lit' in e && (e.lit.type === 'number' || e.lit.type === 'rate' || e.lit.type === 'money')) {
            const l = e.lit;
            const flip = (s: string) => (s.startsWith('-') ? s.slice(1) : s === '0' ? s : '-' + s);
            const lit: Literal =
              l.type === 'money'
                ? { ...l, amount: flip(l.amount) }
                : ({ ...l, value: flip((l as { value: string }).value) } as Literal);
            return this.mark({ lit }, n);
          }
          return this.mark({ op: 'neg', args: [e] }, n);
        }
        return this.expr(node(n, 'primary')!);
      }
      case 'primary':
        return this.primary(n);
      case 'literal':
        return this.mark({ lit: this.literal(n) }, n);
      default:
        return this.expr(Object.values(n.children)[0]![0] as CstNode);
    }
  }

  binaryChain(n: CstNode, operandKey: string, opOf: (t: IToken) => OpName): Expr {
    const operands = nodes(n, operandKey);
    const ops = tokens(n, 'op')
      .concat(tokens(n, 'Kw_or'), tokens(n, 'Kw_and'))
      .sort((a, b) => a.startOffset - b.startOffset);
    let acc = this.expr(operands[0]!);
    for (let i = 1; i < operands.length; i++) {
      const t = ops[i - 1]!;
      acc = { op: opOf(t), args: [acc, this.expr(operands[i]!)] };
      const a = this.spans.get((acc as { args: Expr[] }).args[0]!);
      const b = this.spanOfNode(operands[i]!);
      if (a && b) this.spans.set(acc, { file: a.file, start: a.start, end: b.end });
    }
    return acc;
  }

  primary(n: CstNode): Expr {
    const lit = node(n, 'literal');
    if (lit) return this.mark({ lit: this.literal(lit) }, n);
    if (tok(n, 'Kw_if')) {
      return this.mark(
        { op: 'if', args: [this.expr(node(n, 'cond')!), this.expr(node(n, 'then')!), this.expr(node(n, 'else')!)] },
        n,
      );
    }
    const inner = node(n, 'expression');
    if (inner) return this.expr(inner);
    const nameTok = tok(n, 'head')!;
    if (tok(n, 'LParen')) return this.call(nameTok, nodes(n, 'arg'), n);
    const segs = [nameTok, ...tokens(n, 'segment')].map((t) => t.image);
    let path = segs.join('.');
    if (this.loopVar && segs[0] === this.loopVar && segs.length > 1) path = ['item', ...segs.slice(1)].join('.');
    if (segs.length === 1 && !this.declared.has(path)) {
      return this.mark({ lit: this.mark({ type: 'symbol', value: path }, nameTok) }, n);
    }
    return this.mark({ ref: path }, n);
  }

  call(nameTok: IToken, argNodes: CstNode[], n: CstNode): Expr {
    const fn = nameTok.image;
    if (fn === 'round') {
      const [x, modeNode, unit] = argNodes;
      const mode = modeNode ? this.expr(modeNode) : undefined;
      const modeName = mode && 'lit' in mode && mode.lit.type === 'symbol' ? mode.lit.value : undefined;
      if (argNodes.length !== 3 || !modeName || !ROUNDING_MODES.includes(modeName as RoundingMode)) {
        this.error(
          'model/bad-round',
          'round takes (value, mode, unit)',
          nameTok,
          `write e.g. round(x, down, 1,000円); modes: ${ROUNDING_MODES.join(', ')}`,
        );
        return this.mark({ call: 'round', args: argNodes.map((a) => this.expr(a)), mode: 'half-up' }, n);
      }
      return this.mark({ call: 'round', args: [this.expr(x!), this.expr(unit!)], mode: modeName as RoundingMode }, n);
    }
    return this.mark({ call: fn, args: argNodes.map((a) => this.expr(a)) }, n);
  }

  // ---- conditions: expression -> json-rules-engine condition ----
  condition(e: Expr, owner: string): Condition {
    if ('op' in e) {
      if (e.op === 'and' || e.op === 'or') {
        const parts: Condition[] = [];
        for (const a of e.args) {
          const c = this.condition(a, owner);
          const key = e.op === 'and' ? 'all' : 'any';
          if (key in c) parts.push(...(c as Record<string, Condition[]>)[key]!);
          else parts.push(c);
        }
        return this.keep(e, e.op === 'and' ? { all: parts } : { any: parts });
      }
      if (e.op === 'not') return this.keep(e, { not: this.condition(e.args[0]!, owner) });
      if (['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(e.op)) return this.comparisonLeaf(e, owner);
      if (e.op === 'in' || e.op === 'notIn') {
        const [subject, ...members] = e.args;
        const values: string[] = [];
        for (const m of members) {
          if ('lit' in m && (m.lit.type === 'symbol' || m.lit.type === 'text')) values.push(m.lit.value);
          else if ('lit' in m) values.push(leafLiteral(m.lit) as string);
          else return this.keep(e, { fact: this.operand(e, owner), operator: 'equal', value: true });
        }
        return this.keep(e, {
          fact: this.operand(subject!, owner),
          operator: e.op === 'in' ? 'in' : 'notIn',
          value: values,
        });
      }
    }
    return this.keep(e, { fact: this.operand(e, owner), operator: 'equal', value: true });
  }

  keep<C extends Condition>(e: Expr, c: C): C {
    const s = this.spans.get(e);
    if (s) this.spans.set(c, s);
    this.exprs.set(c, e);
    return c;
  }

  comparisonLeaf(e: Expr & { op: OpName; args: Expr[] }, owner: string): Condition {
    let [a, b] = e.args as [Expr, Expr];
    let op = e.op;
    const flip: Record<string, OpName> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' };
    if ('lit' in a && !('lit' in b)) {
      [a, b] = [b, a];
      op = flip[op]!;
    }
    const fact = this.operand(a, owner);
    const value: LeafValue = 'lit' in b ? leafLiteral(b.lit) : { fact: this.operand(b, owner) };
    // Numeric equality against a literal is written as a closed interval: json-rules-engine's
    // `equal` is strict (===) and would compare the number a fact projects to with a string.
    if ((op === 'eq' || op === 'ne') && 'lit' in b && ['number', 'rate', 'money', 'fraction'].includes(b.lit.type)) {
      const between: Condition = {
        all: [
          { fact, operator: 'greaterThanInclusive', value },
          { fact, operator: 'lessThanInclusive', value },
        ],
      };
      return this.keep(e, op === 'eq' ? between : { not: between });
    }
    const operator = {
      eq: 'equal',
      ne: 'notEqual',
      lt: 'lessThan',
      le: 'lessThanInclusive',
      gt: 'greaterThan',
      ge: 'greaterThanInclusive',
    }[op as 'eq']!;
    return this.keep(e, { fact, operator, value } as Leaf);
  }

  // A leaf operand must be a name: a reference stays as it is, anything else becomes derived.
  operand(e: Expr, owner: string): string {
    if ('ref' in e) return e.ref;
    const name = `$${owner}.${this.derived.filter((d) => d.name.startsWith(`$${owner}.`)).length + 1}`;
    const d: Derived = { name, expr: e };
    if (this.loopVar) d.forEach = this.currentForEach;
    this.derived.push(d);
    const s = this.spans.get(e);
    if (s) this.spans.set(d, s);
    return name;
  }

  private currentForEach: string | undefined;

  formula(d: CstNode, p: Product): Formula {
    const nameTok = tok(d, 'Name')!;
    const f: Formula = {
      name: nameTok.image,
      kind: tok(d, 'Kw_define') ? 'define' : 'formula',
      expr: this.top(node(d, 'expression')!),
      cite: [],
    };
    const label = tok(d, 'label');
    if (label) f.label = unescapeString(label.image);
    for (const c of [...nodes(d, 'common')]) this.commonInto(c, f, p);
    return this.reorder(this.mark(f, nameTok), ['name', 'label', 'kind', 'expr', 'cite', 'note']);
  }

  table(d: CstNode, p: Product): Table {
    const nameTok = tok(d, 'Name')!;
    const hitTok = tok(d, 'hit');
    const hit = hitTok?.image ?? 'unique';
    if (hitTok && hit !== 'unique' && hit !== 'first') {
      this.error(
        'model/unknown-hit-policy',
        `unknown hit policy ${JSON.stringify(hit)}`,
        hitTok,
        'use hit unique or hit first',
      );
    }
    const t: Table = {
      name: nameTok.image,
      hit: hit === 'first' ? 'first' : 'unique',
      inputs: nodes(d, 'input').map((i) => this.top(i)),
      outputs: nodes(d, 'output').map((f) => this.field(f)),
      rows: nodes(d, 'row').map((r) => this.row(r, p)),
      cite: [],
    };
    const label = tok(d, 'label');
    if (label) t.label = unescapeString(label.image);
    const otherwise = node(d, 'outputs');
    if (otherwise) t.otherwise = nodes(otherwise, 'value').map((v) => this.value(v));
    for (const c of nodes(d, 'common')) this.commonInto(c, t, p);
    return this.reorder(this.mark(t, nameTok), [
      'name',
      'label',
      'hit',
      'inputs',
      'outputs',
      'rows',
      'otherwise',
      'cite',
      'note',
    ]);
  }

  row(r: CstNode, p: Product): TableRow {
    const row: TableRow = {
      cells: nodes(r, 'cell').map((c) => this.cell(c)),
      outputs: nodes(node(r, 'outputs')!, 'value').map((v) => this.value(v)),
    };
    const cites = nodes(r, 'cite').map((c) => this.citeOf(c, p));
    if (cites.length) row.cite = cites;
    return this.mark(row, r);
  }

  cell(c: CstNode): Cell {
    if (tok(c, 'Kw_any')) return this.mark({ any: true }, c);
    const cmp = tok(c, 'cmp');
    const vals = nodes(c, 'value').map((v) => this.value(v));
    if (cmp) {
      const k = ({ Le: 'le', Ge: 'ge', Lt: 'lt', Gt: 'gt', Eq: 'eq', Ne: 'ne' } as const)[cmp.tokenType.name as 'Le'];
      return this.mark({ cmp: k as 'lt', value: vals[0]! }, c);
    }
    const upper = node(c, 'upper');
    if (upper) return this.mark({ range: [vals[0]!, this.value(upper)] }, c);
    return this.mark({ in: vals }, c);
  }

  rule(d: CstNode, p: Product): Rule {
    const kindTok = tok(d, 'kind')!;
    const nameTok = tok(d, 'Name')!;
    const r: Rule = { id: nameTok.image, kind: kindTok.image as RuleKind, cite: [] };
    this.labelLoopAndCites(d, r, p);
    const when = node(d, 'when');
    const unless = node(d, 'unless');
    const require = node(d, 'require');
    if (when) r.when = this.condition(this.top(when), `${r.id}.when`);
    if (unless) r.unless = this.condition(this.top(unless), `${r.id}.unless`);
    if (require) r.require = this.condition(this.top(require), `${r.id}.require`);
    this.loopVar = undefined;
    this.currentForEach = undefined;
    const needsRequire = r.kind === 'eligibility' || r.kind === 'condition' || r.kind === 'constraint';
    if (needsRequire && !require) {
      this.error(
        'model/missing-require',
        `a ${r.kind} rule needs a 'require' clause`,
        kindTok,
        `add: require <condition that must hold>`,
      );
    }
    if (!needsRequire && !when) {
      this.error(
        'model/missing-when',
        `a ${r.kind} rule needs a 'when' clause`,
        kindTok,
        `add: when <condition under which the rule applies>`,
      );
    }
    if (!needsRequire && require) {
      this.error(
        'model/unexpected-require',
        `'require' is for eligibility, condition and constraint rules; a ${r.kind} rule fires 'when' its condition holds`,
        kindTok,
        `write: when <condition>`,
      );
    }
    return this.reorder(this.mark(r, nameTok), [
      'id',
      'kind',
      'label',
      'cite',
      'note',
      'forEach',
      'when',
      'unless',
      'require',
    ]);
  }

  // Label, `for each` (which puts the loop variable in scope until the declaration ends) and
  // citations: shared by rules and amounts.
  labelLoopAndCites(
    d: CstNode,
    target: { label?: string; forEach?: string; cite: Citation[]; note?: string },
    p: Product,
  ): void {
    const label = tok(d, 'label');
    if (label) target.label = unescapeString(label.image);
    const fe = node(d, 'forEach');
    if (fe) {
      target.forEach = this.pathText(node(fe, 'path')!);
      this.loopVar = tok(fe, 'Name')!.image;
      this.currentForEach = target.forEach;
    }
    for (const c of nodes(d, 'common')) this.commonInto(c, target, p);
  }

  amount(d: CstNode, p: Product): Amount {
    const nameTok = tok(d, 'Name')!;
    const typeNode = node(d, 'typeExpr');
    const type = typeNode ? this.type(typeNode) : undefined;
    if (type && type.kind !== 'money') {
      this.error('model/amount-not-money', 'an amount is money', typeNode, 'write: amount <name> "label": money JPY');
    }
    const a: Amount = {
      name: nameTok.image,
      currency: type && type.kind === 'money' ? type.currency : p.currency,
      payable: tok(d, 'Kw_payable') !== undefined,
      steps: [],
      cite: [],
    };
    this.labelLoopAndCites(d, a, p);
    let afterTotal = false;
    nodes(d, 'step').forEach((s, i) => {
      const step = this.step(s, `${a.name}.${i + 1}`, p, afterTotal);
      if (step.step === 'total') afterTotal = true;
      a.steps.push(step);
    });
    this.loopVar = undefined;
    this.currentForEach = undefined;
    return this.reorder(this.mark(a, nameTok), [
      'name',
      'label',
      'currency',
      'payable',
      'forEach',
      'steps',
      'cite',
      'note',
    ]);
  }

  step(s: CstNode, owner: string, p: Product, afterTotal: boolean): Step {
    const kindTok = tok(s, 'kind')!;
    const kind = kindTok.image as StepKind;
    const step: Step = { step: kind };
    // Past `total` the running amount is the sum: item fields are no longer in scope.
    const savedLoop = this.loopVar;
    if (afterTotal) this.loopVar = undefined;
    const e = node(s, 'expression');
    if (e) step.expr = this.top(e);
    const used = node(s, 'used');
    if (used) step.used = this.top(used);
    const mode = tok(s, 'mode');
    if (mode) {
      if (!ROUNDING_MODES.includes(mode.image as RoundingMode)) {
        this.error(
          'model/bad-round',
          `unknown rounding mode ${JSON.stringify(mode.image)}`,
          mode,
          `modes: ${ROUNDING_MODES.join(', ')}`,
        );
      }
      step.mode = mode.image as RoundingMode;
    }
    const tail = node(s, 'stepTail');
    if (tail) {
      if (tok(tail, 'Kw_shared')) {
        if (kind !== 'limit' && kind !== 'deductible')
          this.error('model/shared-step', `only limit and deductible can be shared, not ${kind}`, kindTok);
        else step.shared = true;
      }
      const w = node(tail, 'when');
      if (w) step.when = this.condition(this.top(w), `${owner}.when`);
      const cites = nodes(tail, 'cite').map((c) => this.citeOf(c, p));
      if (cites.length) step.cite = cites;
    }
    this.loopVar = savedLoop;
    return this.mark(step, s);
  }

  // Key order is part of the output format (byte-identical compiled JSON).
  reorder<T extends object>(o: T, keys: string[]): T {
    const out: Record<string, unknown> = {};
    for (const k of keys)
      if ((o as Record<string, unknown>)[k] !== undefined) out[k] = (o as Record<string, unknown>)[k];
    const s = this.spans.get(o);
    if (s) this.spans.set(out, s);
    return out as T;
  }
}

export function leafLiteral(l: Literal): LeafValue {
  switch (l.type) {
    case 'boolean':
      return l.value;
    case 'number':
    case 'rate':
      return l.value;
    case 'fraction':
      return `${l.num}/${l.den}`;
    case 'money':
      return l.amount;
    case 'date':
    case 'time':
    case 'symbol':
    case 'text':
      return l.value;
    case 'duration':
      return l.value;
  }
}

export function buildModel(cst: CstNode, file: string, source: string, diagnostics: Diagnostic[]): Model {
  const b = new Builder(file, source, diagnostics);
  const product = b.build(cst);
  return { product, spans: b.spans, exprs: b.exprs, file };
}

// Re-exported for the JSON loader, which parses literals in fact input the same way.
export { parseMoney, parsePercent, parseDuration };
