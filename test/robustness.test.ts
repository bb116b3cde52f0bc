// Product mistakes get diagnostics, never exceptions (issue 12, items 2, 3, 4, 9, 10): wrong-typed
// table cells, dependency cycles, nesting past the documented limits, byte-order marks and
// decomposed Unicode, overlapping rows, money mixed with rates, rows without citations.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProduct } from '../dsl/index.js';
import type { Diagnostic } from '../dsl/diagnostics.js';
import { MAX_NESTING } from '../dsl/parser.js';
import { MAX_EXPRESSION_DEPTH } from '../dsl/model.js';
import { formatSource } from '../dsl/format.js';
import { check } from '../engine/pipeline/check.js';
import { modelFromJson } from '../engine/loading/load.js';
import type { SourceFolder } from '../engine/loading/sources.js';
import { ROOT } from './helpers.js';

const HEADER = 'product t\n  revision "1"\n  source "s.txt"\n';

// Every diagnostic of a `.yk` text, the model's and the checker's; the test fails on a throw.
function diagnose(body: string, sources?: SourceFolder): Diagnostic[] {
  const text = HEADER + body;
  const { model, diagnostics } = parseProduct(text, 't.yk');
  return [...diagnostics, ...check(model, sources).diagnostics];
}

function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => d.code);
}

// The line of the text the diagnostic points at (1-based, counting the header).
function lineOf(d: Diagnostic | undefined): number | undefined {
  return d?.span?.start.line;
}

function jsonDiagnostics(product: object): Diagnostic[] {
  const ds: Diagnostic[] = [];
  const model = modelFromJson(JSON.stringify(product), 'p.json', ds);
  return model ? [...ds, ...check(model).diagnostics] : ds;
}

const nexiJson = (): Record<string, unknown> => {
  const { model } = parseProduct(readFileSync(join(ROOT, 'products', 'nexi-ip-license', 'product.yk'), 'utf8'), 'p.yk');
  return JSON.parse(JSON.stringify(model.product)) as Record<string, unknown>;
};

describe('the checker reports, never throws (item 2)', () => {
  const table = (given: string, facts: string, rows: string) =>
    `${facts}\ntable tb "t"\n  cite §1 "q"\n  given ${given}\n  returns r: integer\n${rows}\n  else => 0\n`;

  it('a yen amount in an integer column', () => {
    const ds = diagnose(table('a.n', 'fact a.n: integer "n"', '  row 100円 => 1\n    cite §1 "q"'));
    const d = ds.find((x) => x.code === 'check/type-mismatch');
    expect(d?.message).toMatch(/100円 \(money JPY\) does not fit input a.n/);
    expect(lineOf(d)).toBe(9);
  });

  it('a name in a money column', () => {
    const ds = diagnose(table('a.m', 'fact a.m: money JPY "m"', '  row foo => 1\n    cite §1 "q"'));
    expect(ds.find((x) => x.code === 'check/type-mismatch')?.message).toMatch(
      /foo \(the name foo\) does not fit input a.m/,
    );
  });

  it('a fraction that divides by zero', () => {
    const ds = diagnose(
      table('a.n', 'fact a.n: integer "n"', '  row 1/0 => 1\n    cite §1 "q"\n  row 2 => 2\n    cite §1 "q"'),
    );
    expect(codes(ds)).toContain('model/division-by-zero');
  });

  it('date rows under a given that names nothing', () => {
    const ds = diagnose(
      table(
        'startdate',
        '',
        '  row 2024-01-01 => 1\n    cite §1 "q"\n  row 2024-02-01 .. 2024-03-01 => 2\n    cite §1 "q"',
      ),
    );
    const d = ds.find((x) => x.code === 'check/unknown-name');
    expect(d?.message).toBe('unknown name startdate');
    expect(lineOf(d)).toBe(7);
  });

  it('a JSON product whose numeric condition value is "abc"', () => {
    const p = nexiJson();
    const rules = p['rules'] as { when?: { fact: string; operator: string; value: unknown } }[];
    const at = rules.findIndex((r) => r.when && 'fact' in r.when);
    rules[at]!.when = { fact: 'loss.amount', operator: 'greaterThan', value: 'abc' };
    const d = jsonDiagnostics(p).find((x) => x.code === 'check/type-mismatch');
    expect(d?.message).toBe('loss.amount greaterThan "abc": not an amount (digits, e.g. "90000000")');
    expect(d?.span?.pointer).toBe(`/rules/${at}/when`);
  });

  it('a JSON product in force from 2025-13-45', () => {
    const p = nexiJson();
    p['inForce'] = { from: '2025-13-45' };
    const ds = jsonDiagnostics(p);
    expect(ds.map((d) => `${d.code} ${d.span?.pointer}`)).toContain('json/schema /inForce/from');
  });

  it('a JSON product whose operator has the wrong number of arguments', () => {
    const p = nexiJson();
    (p['formulas'] as { expr: unknown }[])[0]!.expr = { op: 'add', args: [] };
    expect(codes(jsonDiagnostics(p))).toContain('check/arity');
  });
});

describe('JSON products as deep as the language allows (item 4)', () => {
  const deep = (n: number): unknown => {
    let e: unknown = { ref: 'loss.amount' };
    for (let i = 0; i < n; i++) e = { op: 'add', args: [e, { ref: 'loss.amount' }] };
    return e;
  };

  it('an expression 200 levels deep is validated once per level, not twice (2^200 times)', () => {
    const p = nexiJson();
    (p['formulas'] as { expr: unknown }[])[0]!.expr = deep(200);
    expect(codes(jsonDiagnostics(p))).not.toContain('json/schema');
  });

  it('an expression 1,000 levels deep is refused at its pointer', () => {
    const p = nexiJson();
    (p['formulas'] as { expr: unknown }[])[0]!.expr = deep(1000);
    const d = jsonDiagnostics(p).find((x) => x.code === 'json/too-deep');
    expect(d?.span?.pointer).toMatch(/^\/formulas\/0\/expr(\/args(\/\d)?)+$/);
  });

  it('a step without its value is reported, not a crash at decision time', () => {
    const p = nexiJson();
    const amounts = p['amounts'] as { steps: Record<string, unknown>[] }[];
    delete amounts[0]!.steps[0]!['expr'];
    expect(codes(jsonDiagnostics(p))).toContain('check/step');
  });
});

describe('dependency cycles through tables and defines (item 3)', () => {
  it('formula → table → formula', () => {
    const ds = diagnose(
      [
        'fact a.n: integer "n"',
        'formula f "f"\n  cite §1 "q"\n  = t.r + 1',
        'table t "t"\n  cite §1 "q"\n  given f\n  returns r: integer\n  row < 5 => 1\n    cite §1 "q"\n  else => 2',
      ].join('\n'),
    );
    const d = ds.find((x) => x.code === 'check/cycle');
    expect(d?.message).toBe('formula f depends on itself: formula f → table t → formula f');
    expect(lineOf(d)).toBe(5);
  });

  it('two tables keyed by each other', () => {
    const ds = diagnose(
      [
        'table t1 "t1"\n  cite §1 "q"\n  given t2.r\n  returns r: integer\n  row 1 => 1\n    cite §1 "q"\n  else => 2',
        'table t2 "t2"\n  cite §1 "q"\n  given t1.r\n  returns r: integer\n  row 1 => 1\n    cite §1 "q"\n  else => 2',
      ].join('\n'),
    );
    expect(ds.filter((x) => x.code === 'check/cycle').map((x) => x.message)).toEqual([
      'table t1 depends on itself: table t1 → table t2 → table t1',
    ]);
  });

  it('define → table → define', () => {
    const ds = diagnose(
      [
        'fact a.b: boolean "b"',
        'define d "d"\n  cite §1 "q"\n  = a.b and t.ok',
        'table t "t"\n  cite §1 "q"\n  given d\n  returns ok: boolean\n  row true => true\n    cite §1 "q"\n  row false => false\n    cite §1 "q"',
      ].join('\n'),
    );
    expect(ds.find((x) => x.code === 'check/cycle')?.message).toBe(
      'define d depends on itself: define d → table t → define d',
    );
  });

  it('a formula that uses itself', () => {
    const ds = diagnose('formula f "f"\n  cite §1 "q"\n  = f + 1\n');
    expect(ds.filter((x) => x.code === 'check/cycle').map((x) => x.message)).toEqual([
      'formula f depends on itself: formula f → formula f',
    ]);
  });
});

describe(`nesting deeper than the limits (item 4: ${MAX_NESTING} levels, ${MAX_EXPRESSION_DEPTH} operations)`, () => {
  const formula = (expr: string) => `fact a.n: integer "n"\nformula f "f"\n  cite §1 "q"\n  = ${expr}\n`;

  it('200 nested parentheses', () => {
    const ds = diagnose(formula(`${'('.repeat(200)}a.n${')'.repeat(200)}`));
    const d = ds.find((x) => x.code === 'parse/too-deep');
    expect(d?.span?.start).toEqual({ line: 7, column: 4 + MAX_NESTING + 1, offset: expect.any(Number) });
  });

  it('200 nested ifs', () => {
    let e = 'a.n';
    for (let i = 0; i < 200; i++) e = `if a.n > ${i} then ${e} else 0`;
    expect(codes(diagnose(formula(e)))).toContain('parse/too-deep');
  });

  it('a sum of 2,000 terms', () => {
    const ds = diagnose(formula(Array(2000).fill('a.n').join(' + ')));
    const d = ds.find((x) => x.code === 'model/too-deep');
    expect(d?.message).toBe(`this expression is 2000 operations deep; at most ${MAX_EXPRESSION_DEPTH} are allowed`);
    expect(lineOf(d)).toBe(7);
  });

  it('a condition of 2,000 parts', () => {
    const ds = diagnose(
      `fact a.n: integer "n"\ncover c "c"\n  cite §1 "q"\n  when ${Array.from({ length: 2000 }, (_, i) => `a.n > ${i}`).join(' and ')}\n`,
    );
    expect(codes(ds)).toContain('model/too-deep');
  });

  it('nesting within the limits checks clean', () => {
    expect(
      diagnose(formula(`${'('.repeat(MAX_NESTING - 1)}a.n${')'.repeat(MAX_NESTING - 1)}`)).filter(
        (d) => d.severity === 'error',
      ),
    ).toEqual([]);
    expect(
      diagnose(
        formula(
          Array(MAX_EXPRESSION_DEPTH - 1)
            .fill('a.n')
            .join(' + '),
        ),
      ).filter((d) => d.severity === 'error'),
    ).toEqual([]);
  });
});

describe('text encodings (item 9)', () => {
  const seed = '§1 保険金をお支払いします。ご契約のプランによります。';
  const sources = (text: string): SourceFolder => ({ dir: 'seeds', files: new Map([['s.txt', text]]) });
  const rule = 'fact a.b: boolean "b"\ncover c "c"\n  cite §1 "保険金をお支払いします。ご契約のプラン"\n  when a.b\n';

  it('a byte-order mark at the start of a file', () => {
    const { diagnostics } = parseProduct(`\uFEFF${HEADER}${rule}`, 't.yk');
    expect(diagnostics).toEqual([]);
  });

  it('a file saved decomposed (NFD) quotes an NFC seed', () => {
    const text = (HEADER + rule).normalize('NFD');
    expect(text).not.toBe(HEADER + rule);
    const { model, diagnostics } = parseProduct(text, 't.yk');
    expect([...diagnostics, ...check(model, sources(seed)).diagnostics]).toEqual([]);
  });

  it('a decomposed seed: accepted, and the diagnostic says why', () => {
    const ds = diagnose(rule, sources(seed.normalize('NFD')));
    expect(ds.map((d) => `${d.severity} ${d.code}`)).toEqual(['warning check/quote-normalization']);
    expect(ds[0]!.message).toBe('quotes from s.txt match it only once both are normalised to Unicode NFC');
  });
});

describe('smaller (item 10)', () => {
  it('overlapping rows are reported at the row', () => {
    const ds = diagnose(
      [
        'fact a.n: integer "n"',
        'table t "t"\n  cite §1 "q"\n  given a.n\n  returns r: integer',
        '  row < 10 => 1\n    cite §1 "q"\n  row 5 .. 20 => 2\n    cite §1 "q"\n  else => 0',
      ].join('\n'),
    );
    const d = ds.find((x) => x.code === 'check/table-overlap');
    expect(lineOf(d)).toBe(11);
    expect(d?.hint).toBe(
      "make the rows (lines 9 and 11) disjoint, or declare 'hit first' if the first match should win",
    );
  });

  it('money + rate is a type error with a hint', () => {
    const ds = diagnose('fact a.m: money JPY "m"\nfact a.r: rate "r"\nformula f "f"\n  cite §1 "q"\n  = a.m + a.r\n');
    const d = ds.find((x) => x.code === 'check/type-mismatch');
    expect(d?.message).toBe('cannot add money and a rate: a.m + a.r');
    expect(d?.hint).toBe(
      'a.r has no currency: to apply it to the amount, multiply (a.m × a.r); to add, write an amount such as 10万円',
    );
  });

  it('a table row without a citation is a warning', () => {
    const ds = diagnose(
      'fact a.b: boolean "b"\ntable t "t"\n  cite §1 "q"\n  given a.b\n  returns r: integer\n  row true => 1\n    cite §1 "q"\n  row false => 2\n',
    );
    expect(ds.map((d) => `${d.severity} ${d.code} ${d.message} @${lineOf(d)}`)).toEqual([
      'warning check/row-citation row 2 of table t cites no source @11',
    ]);
  });

  it("the formatter keeps a record field named amount in its record, and a step's when under the step", () => {
    const src = `${HEADER}\nfact claim.items: list of {\n    category: enum(a, b) "c",\n    amount: money JPY "金額"\n    } "items"\n\namount payout "p": money JPY\n  cite §1 "q"\n  start 1円\n  add 2円\n    when claim.items.amount = claim.items.amount\n    cite §1 "q"\n`;
    expect(formatSource(src)).toBe(src);
  });
});
