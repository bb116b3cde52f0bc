// The table index (evaluate/tables.ts tableFinder with evaluate/table-index.ts) against the plain
// scan it replaces: on random tables (discrete key column or none, overlapping and disjoint
// ranges, comparisons, listed values, `-`, empty ranges, integer and fractional amounts, dates)
// and random inputs, the row it finds is the first row whose cells all match.
import { describe, expect, it } from 'vitest';
import type { Cell, Literal, Table } from '../dsl/ir.js';
import type { VType } from '../engine/pipeline/operators.js';
import { cellMatcher } from '../engine/pipeline/check.js';
import { dec, Money } from '../engine/pipeline/money.js';
import { tableFinder } from '../engine/pipeline/evaluate/tables.js';
import { exactInteger } from '../engine/pipeline/evaluate/table-index.js';
import { rng, type Rng } from '../bench/corpus.js';

const KINDS = ['a', 'b', 'c', 'd'];
const ENUM: VType = { kind: 'enum', values: KINDS } as VType;
const MONEY: VType = { kind: 'money', currency: 'JPY' } as VType;
const INT: VType = { kind: 'integer' } as VType;
const DATE: VType = { kind: 'date' } as VType;

type Col = { t: VType; lit: (r: Rng) => Literal; val: (r: Rng) => unknown };
const COLS: Col[] = [
  { t: ENUM, lit: (r) => ({ type: 'symbol', value: r.pick(KINDS) }), val: (r) => r.pick(KINDS) },
  {
    t: MONEY,
    lit: (r) => ({ type: 'money', amount: amount(r), currency: 'JPY' }),
    val: (r) => new Money(dec(amount(r)), 'JPY'),
  },
  { t: INT, lit: (r) => ({ type: 'number', value: String(r.int(-5, 30)) }), val: (r) => dec(r.int(-5, 30)) },
  {
    t: DATE,
    lit: (r) => ({ type: 'date', value: `2024-01-${String(r.int(1, 28)).padStart(2, '0')}` }),
    val: (r) => `2024-01-${String(r.int(1, 28)).padStart(2, '0')}`,
  },
];

function amount(r: Rng): string {
  const x = r.int(0, 40) * (r.chance(0.2) ? 1_000_000_000_000 : 1000);
  return r.chance(0.15) ? `${x}.5` : String(x);
}

function cell(r: Rng, col: Col, discreteKey: boolean): Cell {
  const k = r.int(0, discreteKey ? 1 : 5);
  if (k === 0) return { any: true };
  if (k === 1 || col.t.kind === 'enum') return { in: Array.from({ length: r.int(1, 3) }, () => col.lit(r)) };
  if (k === 2) return { cmp: r.pick(['lt', 'le', 'gt', 'ge', 'eq'] as const), value: col.lit(r) };
  return { range: [col.lit(r), col.lit(r)] };
}

describe('table index = the plain scan', () => {
  it('finds the first matching row on 600 random tables', () => {
    const r = rng(17);
    const failures: string[] = [];
    let hits = 0;
    let n = 0;
    for (let k = 0; k < 600; k++) {
      const cols = Array.from({ length: r.int(1, 3) }, () => r.pick(COLS));
      if (r.chance(0.5)) cols.unshift(COLS[0]!);
      const keyed = cols[0] === COLS[0] && r.chance(0.7);
      // Disjoint bands now and then: the shape of a tariff table.
      const bands = r.chance(0.3);
      const rows = Array.from({ length: r.int(1, 60) }, (_, i) => ({
        cells: cols.map((c, j) =>
          bands && j === cols.length - 1 && c.t.kind === 'money'
            ? ({
                range: [
                  { type: 'money', amount: String(i * 1000), currency: 'JPY' },
                  { type: 'money', amount: String(i * 1000 + 999), currency: 'JPY' },
                ],
              } as Cell)
            : cell(r, c, keyed && j === 0),
        ),
        outputs: [],
      }));
      const t = {
        name: `t${k}`,
        hit: 'first',
        inputs: cols.map((_, j) => ({ ref: `x${j}` })),
        rows,
      } as unknown as Table;
      const types = cols.map((c) => c.t);
      const match = rows.map((row) => row.cells.map((c, j) => cellMatcher(c, types[j]!)));
      const find = tableFinder(t, types, match);
      for (let q = 0; q < 60; q++) {
        const vals = cols.map((c) => c.val(r));
        const want = match.findIndex((m) => m.every((f, j) => f(vals[j])));
        const got = find(vals);
        if (got !== want) failures.push(`table ${k} input ${q}: ${got} ${want}`);
        if (want >= 0) hits++;
        n++;
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(n).toBe(36_000);
    expect(hits).toBeGreaterThan(5_000);
  });

  it('reads an amount as an exact integer only when it is one', () => {
    for (const s of [
      '0',
      '7',
      '10',
      '1000000',
      '10000000',
      '123456789012345',
      '9007199254740991',
      '-9007199254740991',
      '-42',
      '100000000000',
    ])
      expect(exactInteger(dec(s))).toBe(Number(s));
    for (const s of [
      '0.5',
      '1.25',
      '9007199254740992',
      '-9007199254740992',
      '9007199254740993',
      '1e20',
      '-0.001',
      '12345678.9',
    ])
      expect(Number.isNaN(exactInteger(dec(s)))).toBe(true);
    expect(exactInteger(new Money(dec('4500'), 'JPY'))).toBe(4500);
  });
});
