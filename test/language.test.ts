// The language service (language/): each editor feature on a small product written for it
// (test/fixtures/language/demo.yk), and the whole service on every real product file.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LanguageService, memoryHost, minimalEdit, type TextEdit } from '../language/index.js';
import { CLAUSES, KEYWORDS, TYPE_NAMES, CURRENCIES } from '../language/keywords.js';
import { nodeHost } from '../language/node-host.js';
import { parseProduct } from '../dsl/index.js';
import { formatSource } from '../dsl/format.js';
import { loadProduct, productFiles } from '../engine/loading/load.js';
import { textmateGrammar } from '../language/textmate.js';
import { ROOT, productDirs } from './helpers.js';
import { golden } from './golden.js';

const DEMO = readFileSync(join(ROOT, 'test', 'fixtures', 'language', 'demo.yk'), 'utf8');

function service(text = DEMO): LanguageService {
  const s = new LanguageService(memoryHost());
  s.update('demo', text);
  return s;
}

// The offset of the k-th character of the n-th occurrence of a snippet.
function at(snippet: string, k = 0, n = 0, text = DEMO): number {
  let i = -1;
  for (let j = 0; j <= n; j++) i = text.indexOf(snippet, i + 1);
  if (i < 0) throw new Error(`no ${snippet} in the text`);
  return i + k;
}

function apply(text: string, edits: TextEdit[]): string {
  return [...edits]
    .sort((a, b) => b.from - a.from)
    .reduce((t, e) => t.slice(0, e.from) + e.insert + t.slice(e.to), text);
}

const lineOf = (offset: number, text = DEMO) => text.slice(0, offset).split('\n').length;

describe('language service: diagnostics', () => {
  it("are the checker's, at the checker's line and column, with a quick fix where the hint names one", () => {
    expect(service().diagnostics('demo')).toEqual([]);
    const text = DEMO.replace(
      'when buyer.related_party and loss.risk = credit',
      'when buyer.related_party and loss.risks = credit',
    );
    const s = service(text);
    const [d, ...rest] = s.diagnostics('demo');
    expect(rest).toEqual([]);
    const where = at('loss.risks', 0, 0, text);
    const column = where - text.lastIndexOf('\n', where);
    expect(d).toMatchObject({ code: 'check/unknown-name', severity: 'error', line: lineOf(where, text), column });
    const fix = d!.fixes[0]!;
    expect(fix.title).toBe('Change to loss.risk');
    expect(apply(text, fix.edits)).toBe(DEMO);
    expect(s.fixes('demo', { from: d!.from, to: d!.from })).toEqual([fix]);
  });

  it('fix an enum value, a list field and a duration unit', () => {
    const cases: [string, string][] = [
      ['loss.risk = credit and buyer_cover', 'loss.risk = credt and buyer_cover'],
      ['when item.category in', 'when item.categroy in'],
    ];
    for (const [good, bad] of cases) {
      const text = DEMO.replace(good, bad);
      const fixes = service(text)
        .diagnostics('demo')
        .flatMap((d) => d.fixes);
      expect(fixes.length, bad).toBe(1);
      expect(apply(text, fixes[0]!.edits)).toBe(DEMO);
    }
  });

  it('report a syntax error where it is, and the rest of the file still answers', () => {
    const text = DEMO.replace('  = 90%', '  = 90% ×');
    const s = service(text);
    const d = s.diagnostics('demo');
    expect(d[0]!.code).toMatch(/^parse\//);
    expect(s.hover('demo', at('loss.amount', 2, 1, text))?.markdown).toContain('損失額');
  });
});

describe('language service: hover', () => {
  const s = service();
  it('a fact: label, type and declaration', () => {
    const h = s.hover('demo', at('loss.risk = credit and', 3))!;
    expect(h.markdown).toContain('**fact** `loss.risk` — 損失の種類');
    expect(h.markdown).toContain('type: `enum(credit, political)`');
    expect(h.markdown).toContain('declared on line 7');
    expect(DEMO.slice(h.from, h.to)).toBe('loss.risk');
  });
  it('a rule: label, kind and citation', () => {
    const h = s.hover('demo', at('related-party-credit', 3))!;
    expect(h.markdown).toContain('**exclude** `related-party-credit` — 特別な関係にある');
    expect(h.markdown).toContain('exclusion: when it fires, the claim (or item) is excluded');
    expect(h.markdown).toContain('§5 「特別な関係」');
    // The keyword that declares it describes it as well.
    expect(s.hover('demo', at('exclude related', 2))?.markdown).toContain('related-party-credit');
  });
  it('a table row: its cells against the columns, and its citation', () => {
    const h = s.hover('demo', at('row EM', 1))!;
    expect(h.markdown).toContain('**row 2** of table `buyer_cover`');
    expect(h.markdown).toContain('- `buyer.rating`: EM');
    expect(h.markdown).toContain('- → `credit`: covered');
    expect(h.markdown).toContain('- → `usance`: false');
    expect(h.markdown).toContain('§5 「EM」');
    expect(s.hover('demo', at('else =>', 1))?.markdown).toContain('**else** of table `buyer_cover`');
  });
  it('an enum value, a formula, a list field, a table output', () => {
    expect(s.hover('demo', at('= credit\n', 3))?.markdown).toContain('**value** `credit` of `loss.risk`');
    expect(s.hover('demo', at('coinsurance coverage_ratio', 14))?.markdown).toContain('= 90%');
    expect(s.hover('demo', at('item.category in', 7))?.markdown).toContain('field of claim.items');
    expect(s.hover('demo', at('buyer_cover.credit', 14))?.markdown).toContain('output of table buyer_cover');
  });
});

describe('language service: definition, references, rename', () => {
  const s = service();
  it('go from a use to the declaration', () => {
    const [d] = s.definition('demo', at('loss.amount\n', 2));
    expect(DEMO.slice(d!.from, d!.to)).toBe('loss.amount');
    expect(lineOf(d!.from)).toBe(8);
    const [t] = s.definition('demo', at('buyer_cover.credit', 3));
    expect(lineOf(t!.from)).toBe(lineOf(at('table buyer_cover')));
    const [o] = s.definition('demo', at('buyer_cover.credit', 14));
    expect(DEMO.slice(o!.from, o!.to)).toBe('credit');
    expect(lineOf(o!.from)).toBe(lineOf(at('returns credit')));
    const [f] = s.definition('demo', at('item.category', 7));
    expect(lineOf(f!.from)).toBe(lineOf(at('fact claim.items')));
    const [v] = s.definition('demo', at('= covered\n', 4));
    expect(lineOf(v!.from)).toBe(lineOf(at('returns credit')));
  });
  it('find every use of a fact, a formula, a table and an amount', () => {
    const texts = (offset: number) =>
      s.references('demo', offset).map((r) => `${lineOf(r.from)}:${DEMO.slice(r.from, r.to)}`);
    expect(texts(at('loss.risk', 1))).toEqual([
      '7:loss.risk',
      `${lineOf(at('loss.risk = credit'))}:loss.risk`,
      `${lineOf(at('loss.risk = credit and'))}:loss.risk`,
    ]);
    expect(texts(at('coverage_ratio', 1))).toHaveLength(2);
    expect(texts(at('buyer_cover', 1))).toHaveLength(2);
    expect(s.references('demo', at('payout', 1), false)).toEqual([]);
    // Enum values: those of loss.risk, not the table output's `covered`.
    expect(texts(at('credit, political', 1))).toHaveLength(3);
  });
  it('rename a fact everywhere, and refuse names that would not read back', () => {
    const r = s.rename('demo', at('loss.risk', 1), 'loss.kind');
    if ('error' in r) throw new Error(r.error);
    const renamed = apply(DEMO, r.edits);
    expect(renamed).not.toContain('loss.risk');
    expect(service(renamed).diagnostics('demo')).toEqual([]);
    expect(s.rename('demo', at('loss.risk', 1), 'loss amount')).toMatchObject({
      error: expect.stringContaining('not a name'),
    });
    expect(s.rename('demo', at('loss.risk', 1), 'and')).toMatchObject({ error: expect.stringContaining('not a name') });
    expect(s.rename('demo', at('loss.risk', 1), 'loss.amount')).toMatchObject({
      error: expect.stringContaining('already declared'),
    });
    expect(s.rename('demo', at('coverage_ratio', 1), 'a.b')).toMatchObject({ error: expect.stringContaining('dots') });
    expect(s.prepareRename('demo', at('product', 2))).toMatchObject({ error: expect.any(String) });
  });
  it('rename a table output, a list field and an enum value', () => {
    for (const [where, to] of [
      [at('credit: enum', 1), 'cover'],
      [at('category:', 1), 'kind'],
      [at('credit, political', 1), 'credit_risk'],
    ] as const) {
      const r = s.rename('demo', where, to);
      if ('error' in r) throw new Error(r.error);
      expect(service(apply(DEMO, r.edits)).diagnostics('demo'), to).toEqual([]);
    }
  });
});

describe('language service: completion', () => {
  const labels = (text: string, offset: number) =>
    service(text)
      .complete('demo', offset)
      .items.map((i) => i.label);
  const typed = (snippet: string, insert: string) => {
    const i = at(snippet) + snippet.length;
    const text = DEMO.slice(0, i) + insert + DEMO.slice(i);
    return { text, offset: i + insert.length };
  };
  it('fact paths, formulas, amounts, functions and keywords in an expression', () => {
    const { text, offset } = typed('  start loss.amount\n', '  add ');
    const items = labels(text, offset);
    expect(items).toEqual(
      expect.arrayContaining([
        'loss.amount',
        'coverage_ratio',
        'buyer_cover.credit',
        'payout',
        'min',
        'round',
        'month',
        'and',
      ]),
    );
  });
  it('the rest of a dotted path', () => {
    const { text, offset } = typed('when loss.risk = credit and ', 'buyer_cover.');
    expect(labels(text, offset)).toEqual(['buyer_cover.credit', 'buyer_cover.usance']);
    const c = service(text).complete('demo', offset);
    expect(text.slice(c.from, c.to)).toBe('buyer_cover.');
  });
  it('enum values after a comparison and in an `in` list, first', () => {
    const { text, offset } = typed('when buyer.related_party and loss.risk = credit', ' or loss.risk = ');
    expect(labels(text, offset).slice(0, 2)).toEqual(['credit', 'political']);
    const t2 = typed('when item.category in (', '');
    expect(labels(t2.text, t2.offset).slice(0, 2)).toEqual(['repair', 'legal']);
  });
  it('the loop variable and its fields inside for each', () => {
    const { text, offset } = typed('when item.category in (repair, legal)', ' and ');
    expect(labels(text, offset)).toEqual(expect.arrayContaining(['item', 'item.amount', 'item.category']));
  });
  it('keywords: declarations at the margin, clauses under a declaration', () => {
    const { text, offset } = typed('  round down 1,000円\n', '\n');
    expect(labels(text, offset)).toEqual(expect.arrayContaining(['fact', 'table', 'exclude', 'amount']));
    const rule = typed('  cite §3 "信用危険"\n', '  ');
    expect(labels(rule.text, rule.offset)).toEqual(expect.arrayContaining(['when', 'unless', 'cite', 'for each']));
    const step = typed('  coinsurance coverage_ratio\n', '  ');
    expect(labels(step.text, step.offset)).toEqual(expect.arrayContaining(['limit', 'deductible', 'total']));
  });
  it('types, currencies, units, rounding modes and table cells', () => {
    const fact = typed('fact loss.amount: ', '');
    expect(labels(fact.text, fact.offset)).toEqual(expect.arrayContaining(['money', 'enum', 'list of', 'duration']));
    const money = typed('fact loss.amount: money ', '');
    expect(labels(money.text, money.offset)).toEqual([...CURRENCIES]);
    const unit = typed('  = 90%', ' + 45 ');
    expect(labels(unit.text, unit.offset)).toEqual(expect.arrayContaining(['days', 'months', 'years']));
    const mode = typed('  round ', '');
    expect(labels(mode.text, mode.offset)).toEqual(['down', 'up', 'half-up', 'half-even', 'half-down']);
    const cell = typed('  row EM => covered | false\n    cite §5 "EM"\n', '  row ');
    expect(labels(cell.text, cell.offset).slice(0, 3)).toEqual(['GS', 'EM', 'B']);
    const out = typed('  row EM => covered | false\n    cite §5 "EM"\n', '  row B => ');
    expect(labels(out.text, out.offset)).toEqual(['covered', 'refused']);
  });
  it('nothing inside a string or a comment', () => {
    expect(labels(DEMO, at('"損失の種類"', 2))).toEqual([]);
  });
});

describe('language service: outline, formatting, highlighting', () => {
  const s = service();
  it('outlines the header and every declaration, with rows, fields and steps beneath', () => {
    const o = s.outline('demo');
    expect(o.map((x) => x.name)).toEqual([
      'lang-demo',
      'loss.risk',
      'loss.amount',
      'buyer.rating',
      'buyer.related_party',
      'claim.items',
      'coverage_ratio',
      'buyer_cover',
      'related-party-credit',
      'credit-event',
      'repairs',
      'payout',
    ]);
    expect(o.find((x) => x.name === 'claim.items')!.children.map((c) => c.name)).toEqual(['category', 'amount']);
    expect(o.find((x) => x.name === 'buyer_cover')!.children.map((c) => c.name)).toEqual([
      'credit',
      'usance',
      'GS => covered | true',
      'EM => covered | false',
      'else => refused | false',
    ]);
    expect(o.find((x) => x.name === 'payout')!.children.map((c) => c.name)).toEqual([
      'start loss.amount',
      'coinsurance coverage_ratio',
      'round down 1,000円',
    ]);
    expect(o.find((x) => x.name === 'related-party-credit')!.detail).toBe(
      'exclude · 特別な関係にあるバイヤーの信用危険',
    );
  });
  it('formats with the formatter, as one edit over the lines it changes', () => {
    const messy = DEMO.replace('  hit unique', 'hit unique').replace('  payable', '      payable');
    const s2 = service(messy);
    const edits = s2.format('demo');
    expect(edits).toHaveLength(1);
    expect(apply(messy, edits)).toBe(formatSource(messy));
    expect(service(formatSource(DEMO)).format('demo')).toEqual([]);
    expect(minimalEdit('abc', 'abc')).toEqual([]);
  });
  it('highlights from the tokenizer: names by what they name, keywords, literals, comments', () => {
    const toks = s.semanticTokens('demo');
    const typeAt = (offset: number) => toks.find((t) => t.from === offset);
    expect(typeAt(at('loss.risk'))).toMatchObject({ type: 'variable', declaration: true });
    expect(typeAt(at('buyer_cover.credit'))).toMatchObject({ type: 'class', declaration: false });
    expect(typeAt(at('credit = covered'))).toMatchObject({ type: 'property' });
    expect(typeAt(at('= covered\n', 2))).toMatchObject({ type: 'enumMember' });
    expect(typeAt(at('exclude'))).toMatchObject({ type: 'keyword' });
    expect(typeAt(at('"損失額"'))).toMatchObject({ type: 'string' });
    expect(typeAt(at('90%'))).toMatchObject({ type: 'number' });
    expect(typeAt(at('money JPY "損失額"'))).toMatchObject({ type: 'type' });
    expect(typeAt(at('§7'))).toMatchObject({ type: 'decorator' });
    expect(typeAt(at('down 1,000円'))).toMatchObject({ type: 'enumMember', defaultLibrary: true });
    // Sorted, and never overlapping.
    for (let i = 1; i < toks.length; i++)
      expect(toks[i]!.from).toBeGreaterThanOrEqual(toks[i - 1]!.from + toks[i - 1]!.length);
  });
});

describe('language service on broken text', () => {
  it('answers every request without throwing, whatever the text', () => {
    const s = new LanguageService(memoryHost());
    const texts = [
      '',
      '# only a comment\n',
      'fact',
      'product',
      'product x\nfact a',
      '"unterminated',
      '((((((',
      '\u0000§§§',
      DEMO.slice(0, 300),
      DEMO.replace(/\n/g, ' '),
      [...DEMO].reverse().join(''),
      `${DEMO}\ntable t\n  given ((((\n`,
    ];
    for (const text of texts) {
      s.update('x', text);
      s.diagnostics('x');
      s.outline('x');
      s.semanticTokens('x');
      s.format('x');
      for (let o = 0; o <= text.length; o += 11) {
        s.hover('x', o);
        s.complete('x', o);
        s.definition('x', o);
        s.references('x', o);
        s.rename('x', o, 'zz');
        s.fixes('x', { from: o, to: o });
      }
    }
  });
});

describe('language service: keywords come from the tokenizer', () => {
  it('every clause and type name offered is one the language accepts', () => {
    for (const words of Object.values(CLAUSES)) {
      for (const w of words)
        for (const part of w.split(' '))
          if (part !== '=' && part !== 'ja' && part !== 'en') expect(KEYWORDS, w).toContain(part);
    }
    for (const t of TYPE_NAMES) {
      const type = t === 'enum' ? 'enum(a)' : t === 'list of' ? 'list of text' : t;
      const { diagnostics } = parseProduct(`product x\n  revision "1"\n  source "s"\nfact a.b: ${type}\n`, 'x.yk');
      expect(
        diagnostics.map((d) => d.code),
        t,
      ).toEqual([]);
    }
    expect(CURRENCIES).toEqual(['USD', 'JPY', 'EUR']);
  });
  it('the VS Code grammar is built from them (UPDATE_GOLDEN=1 rewrites it)', () => {
    const grammar = textmateGrammar() as {
      repository: Record<string, { match?: string; patterns?: { match: string }[] }>;
    };
    golden(
      join(ROOT, 'editors', 'vscode', 'syntaxes', 'yakkan.tmLanguage.json'),
      `${JSON.stringify(grammar, null, 2)}\n`,
    );
    const keywords = new RegExp(grammar.repository['keyword']!.match!);
    for (const w of ['when', 'unless', 'cite', 'limit', 'for', 'each']) expect(w, w).toMatch(keywords);
    expect(keywords.exec('policy.limit')).toBeNull();
    expect(keywords.exec('related-party-credit')).toBeNull();
  });
});

describe('language service on every product file', () => {
  const files = productDirs().flatMap((d) => productFiles(d).filter((f) => f.endsWith('.yk')));
  it.each(files.map((f) => [relative(ROOT, f), f]))(
    '%s: the diagnostics of yakkan check; every use resolves',
    (_n, file) => {
      const text = readFileSync(file, 'utf8');
      const s = new LanguageService(nodeHost());
      s.update(file, text);
      const expected = loadProduct(file).diagnostics.map(
        (d) => `${d.span?.start.line}:${d.span?.start.column} ${d.code}`,
      );
      expect(s.diagnostics(file).map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(expected);
      const a = s.analysis(file);
      // Every reference the checker resolved is a symbol here: each fact is found where it is used.
      for (const f of a.model.product.facts) expect(a.index.facts.has(f.name), f.name).toBe(true);
      expect(s.outline(file).length).toBe(a.index.declarations.length);
      expect(s.semanticTokens(file).length).toBeGreaterThan(0);
    },
  );
});
