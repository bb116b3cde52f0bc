// The table gap/overlap check (engine/pipeline/check.ts, checkTableCoverage) against a reference: the
// straightforward walk it replaced, which tests every sample combination against every row.
// Random tables over enum, boolean, money, integer, date, duration and text columns must give the same
// diagnostics, in the same order, with the same example inputs.
import { describe, expect, it } from 'vitest';
import { parseProduct, type Cell, type Table } from '../dsl/index.js';
import { exprText } from '../dsl/print.js';
import { between, check, cellLiterals, cellMatcher, step } from '../engine/pipeline/check.js';
import { comparator, UNKNOWN, type VType } from '../engine/pipeline/operators.js';
import { literalValue, showText, showValue } from '../engine/pipeline/values.js';
import { prng } from '../engine/tools/generate.js';

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: T[]): T => xs[int(r, 0, xs.length - 1)]!;

const COLUMNS = {
  kind: { fact: 'fact x.kind: enum(a, b, c, d)', ref: 'x.kind' },
  flag: { fact: 'fact x.flag: boolean', ref: 'x.flag' },
  amount: { fact: 'fact x.amount: money JPY', ref: 'x.amount' },
  days: { fact: 'fact x.days: integer', ref: 'x.days' },
  date: { fact: 'fact x.date: date', ref: 'x.date' },
  wait: { fact: 'fact x.wait: duration days', ref: 'x.wait' },
  code: { fact: 'fact x.code: text', ref: 'x.code' },
};
type Col = keyof typeof COLUMNS;

function cell(r: Rand, col: Col): string {
  if (r() < 0.12) return 'any';
  const yen = () => `${int(r, 0, 8) * 100}万円`;
  const n = () => String(int(r, 0, 9) * 10);
  const d = () => `2024-01-${String(int(r, 1, 9)).padStart(2, '0')}`;
  const w = () => int(r, 0, 6);
  switch (col) {
    case 'kind':
      return [...new Set([pick(r, ['a', 'b', 'c', 'd']), pick(r, ['a', 'b', 'c', 'd'])])]
        .slice(0, int(r, 1, 2))
        .join(', ');
    case 'flag':
      return pick(r, ['true', 'false']);
    case 'amount':
      return pick(r, [
        () => `<= ${yen()}`,
        () => `> ${yen()}`,
        () => `< ${yen()}`,
        () => `>= ${yen()}`,
        () => yen(),
        () => {
          const [a, b] = [yen(), yen()].sort((x, y) => parseInt(x, 10) - parseInt(y, 10));
          return `${a} .. ${b}`;
        },
      ])();
    case 'days':
      return pick(r, [
        () => `< ${n()}`,
        () => `>= ${n()}`,
        () => `${n()}, ${n()}`,
        () => {
          const [a, b] = [n(), n()].sort((x, y) => Number(x) - Number(y));
          return `${a} .. ${b}`;
        },
      ])();
    case 'date':
      return pick(r, [
        () => `<= ${d()}`,
        () => `> ${d()}`,
        () => d(),
        () => {
          const [a, b] = [d(), d()].sort();
          return `${a} .. ${b}`;
        },
      ])();
    case 'wait':
      return pick(r, [
        () => `< ${w()} days`,
        () => `>= ${w()} days`,
        () => `${w()} days`,
        () => {
          const [a, b] = [w(), w()].sort((x, y) => x - y);
          return `${a} days .. ${b} days`;
        },
      ])();
    case 'code':
      return [...new Set([pick(r, ['"a"', '"b"', '"c"']), pick(r, ['"a"', '"b"', '"c"'])])].join(', ');
  }
}

function randomProduct(seed: number): string {
  const r = prng(seed);
  const cols = [...new Set(Array.from({ length: int(r, 1, 3) }, () => pick(r, Object.keys(COLUMNS) as Col[])))];
  const rows = Array.from({ length: int(r, 0, 12) }, () => `  row ${cols.map((c) => cell(r, c)).join(' | ')} => true`);
  return [
    'product demo',
    '  revision "1"',
    '  source "demo.txt"',
    '',
    ...Object.values(COLUMNS).map((c) => c.fact),
    '',
    'table t "random"',
    '  cite §1 "The deductible is 10万円 per claim."',
    `  hit ${r() < 0.7 ? 'unique' : 'first'}`,
    `  given ${cols.map((c) => COLUMNS[c].ref).join(', ')}`,
    '  returns ok: boolean',
    ...rows,
    ...(r() < 0.2 ? ['  else => false'] : []),
    '',
  ].join('\n');
}

// ---- the reference: the walk as it was before the bitset version.
function referenceSamples(t: VType, cells: Cell[]): unknown[] {
  if (t.kind === 'enum') return t.values;
  if (t.kind === 'boolean') return [true, false];
  const points = cells.flatMap(cellLiterals).map((l) => literalValue(l));
  if (t.kind === 'text') return [...points, '\u0000(other text)'];
  const cmp = comparator(t);
  const sorted = points.filter((p, i) => points.findIndex((q) => cmp(p, q) === 0) === i).sort(cmp);
  if (sorted.length === 0) return [undefined];
  const out: unknown[] = [step(t, sorted[0], -1)];
  sorted.forEach((p, i) => {
    out.push(p);
    const next = sorted[i + 1];
    out.push(next === undefined ? step(t, p, 1) : between(t, p, next));
  });
  return out;
}

function reference(t: Table, types: VType[]): string[] {
  const out: string[] = [];
  const samples = types.map((ty, j) =>
    referenceSamples(
      ty,
      t.rows.map((r) => r.cells[j]!),
    ),
  );
  const matchers = t.rows.map((r) => r.cells.map((cell, j) => cellMatcher(cell, types[j]!)));
  const describe = (combo: unknown[]) =>
    t.inputs.map((e, j) => `${exprText(e)} = ${showText(showValue(combo[j]))}`).join(', ');
  let gapReported = false;
  const seen = new Set<string>();
  const combo: unknown[] = [];
  const walk = (j: number): void => {
    if (j === t.inputs.length) {
      const hits: number[] = [];
      matchers.forEach((m, i) => {
        if (m.every((f, k) => f(combo[k]))) hits.push(i + 1);
      });
      if (hits.length === 0 && !t.otherwise && !gapReported) {
        gapReported = true;
        out.push(`check/table-gap: table ${t.name} has no row for ${describe(combo)}`);
      }
      if (hits.length > 1 && t.hit === 'unique' && !seen.has(hits.join(','))) {
        seen.add(hits.join(','));
        out.push(`check/table-overlap: rows ${hits.join(' and ')} of table ${t.name} both match ${describe(combo)}`);
      }
      return;
    }
    for (const s of samples[j]!) {
      combo[j] = s;
      walk(j + 1);
    }
  };
  walk(0);
  return out;
}

describe('table gaps and overlaps', () => {
  it('match the combination-by-row walk on 600 random tables', () => {
    let reported = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const text = randomProduct(seed);
      const { model, diagnostics } = parseProduct(text, 'demo.yk');
      expect(diagnostics, text).toEqual([]);
      const checked = check(model);
      const t = checked.product.tables[0]!;
      const types = t.inputs.map((e) => checked.types.exprs.get(e) ?? UNKNOWN);
      const got = checked.diagnostics
        .filter((d) => d.code.startsWith('check/table-'))
        .map((d) => `${d.code}: ${d.message}`);
      expect(got, text).toEqual(reference(t, types));
      reported += got.length;
    }
    expect(reported).toBeGreaterThan(100);
  });
});
