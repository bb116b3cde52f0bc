// An index over one ordered column of a decision table, for the rows the lookup would otherwise
// scan: which rows' cells on that column can match a value. The column's literals (range ends,
// comparison values, listed values) cut the line into points and the gaps between them; each
// cell covers a run of those pieces, and each piece keeps the rows covering it in row order. A
// lookup finds the value's piece by binary search and tests only that piece's rows, in row order,
// on the other columns (a row is in a piece only if its cell on this column matches every value
// of the piece): the first that matches is the row the full scan finds first, whatever the hit
// policy and however the ranges overlap (test/scaling-tables.test.ts holds it equal to the scan
// on random tables).
import type { Cell, Literal } from '../../../dsl/ir.js';
import { comparator, isOrdered, type VType } from '../operators.js';
import { isDec, isMoney, type Dec } from '../money.js';
import { literalValue } from '../values.js';

// Whether row i matches the values on the columns the index does not settle.
export type RowMatcher = (vals: unknown[]) => boolean;

// An index of `rows` (table row numbers, ascending) on column `col`, and the rows a piece holds
// on average (what a lookup tests); undefined when the column is
// not ordered, a cell is of a kind it cannot place, or the pieces' lists would grow too large
// (wide overlapping ranges): the caller scans.
export function orderedIndex(
  cells: (j: number, row: number) => Cell,
  rows: readonly number[],
  col: number,
  t: VType,
  matches: RowMatcher[],
): { find: (vals: unknown[]) => number; perPiece: number } | undefined {
  if (!isOrdered(t) || rows.length < 4) return undefined;
  const cmp = comparator(t);
  // The cut points: every literal the column compares with, sorted, each once.
  const lits: unknown[] = [];
  for (const i of rows) {
    const c = cells(col, i);
    if ('any' in c) continue;
    if ('range' in c) lits.push(literalValue(c.range[0]), literalValue(c.range[1]));
    else if ('cmp' in c) lits.push(literalValue(c.value));
    else for (const l of c.in) lits.push(literalValue(l as Literal));
  }
  lits.sort(cmp);
  const cuts: unknown[] = [];
  for (const x of lits) if (cuts.length === 0 || cmp(cuts[cuts.length - 1], x) !== 0) cuts.push(x);
  const m = cuts.length;
  if (m === 0) return undefined;
  // Pieces: 0 below every cut, 2k+1 the cut k itself, 2k+2 between cut k and cut k+1 (or above
  // the last). at(x): the piece of a cut.
  const at = (x: unknown): number => 2 * lowerBound(cuts, x, cmp) + 1;
  const pieces = 2 * m + 1;
  const spans: [number, number][] = [];
  const spanRows: number[] = [];
  for (const i of rows) {
    const c = cells(col, i);
    let from = 0;
    let to = pieces - 1;
    if ('range' in c) {
      const lo = literalValue(c.range[0]);
      const hi = literalValue(c.range[1]);
      if (cmp(lo, hi) > 0) continue; // matches nothing
      from = at(lo);
      to = at(hi);
    } else if ('cmp' in c) {
      const p = at(literalValue(c.value));
      if (c.cmp === 'lt') to = p - 1;
      else if (c.cmp === 'le') to = p;
      else if (c.cmp === 'gt') from = p + 1;
      else if (c.cmp === 'ge') from = p;
      else from = to = p;
    } else if ('in' in c) {
      for (const l of c.in) {
        const p = at(literalValue(l as Literal));
        spans.push([p, p]);
        spanRows.push(i);
      }
      continue;
    }
    spans.push([from, to]);
    spanRows.push(i);
  }
  let total = 0;
  for (const [a, b] of spans) total += b - a + 1;
  if (total > 8 * rows.length + 64) return undefined;
  // Each piece's rows, ascending (rows are visited in order), as one flat array with offsets.
  const count = new Int32Array(pieces + 1);
  for (const [a, b] of spans) for (let p = a; p <= b; p++) count[p + 1]!++;
  for (let p = 0; p < pieces; p++) count[p + 1]! += count[p]!;
  const flat = new Int32Array(total);
  const fill = count.slice();
  spans.forEach(([a, b], k) => {
    for (let p = a; p <= b; p++) {
      // A row listing one value twice covers its piece once.
      const end = fill[p]!;
      if (end > count[p]! && flat[end - 1] === spanRows[k]) continue;
      flat[fill[p]!++] = spanRows[k]!;
    }
  });
  // Cut points as exact integers too, when they all are: the binary search in plain numbers.
  const nums = numericCuts(cuts);
  const find = (vals: unknown[]): number => {
    const v = vals[col];
    if (v === undefined) return -1;
    let piece: number;
    const x = nums === undefined ? Number.NaN : exactInteger(v);
    if (!Number.isNaN(x)) {
      const k = lowerBoundNum(nums!, x);
      piece = k < m && nums![k] === x ? 2 * k + 1 : 2 * k;
    } else {
      const k = lowerBound(cuts, v, cmp);
      piece = k < m && cmp(cuts[k], v) === 0 ? 2 * k + 1 : 2 * k;
    }
    for (let q = count[piece]!, end = fill[piece]!; q < end; q++) {
      const i = flat[q]!;
      if (matches[i]!(vals)) return i;
    }
    return -1;
  };
  return { find, perPiece: total / pieces };
}

// The first position whose element is not below x.
function lowerBound(xs: readonly unknown[], x: unknown, cmp: (a: unknown, b: unknown) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(xs[mid], x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBoundNum(xs: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function numericCuts(cuts: unknown[]): Float64Array | undefined {
  const out = new Float64Array(cuts.length);
  for (let k = 0; k < cuts.length; k++) {
    const x = exactInteger(cuts[k]);
    if (Number.isNaN(x)) return undefined;
    out[k] = x;
  }
  return out;
}

// An amount's or a decimal's value as a JS number when it is an integer a double holds exactly
// (|x| <= 2^53 - 1), else NaN. Through decimal.js's public API only (money.ts's rule, issue 13).
// An integer beyond that range converts to a double of at least 2^53, which is not safe: one
// conversion tells both, with no Decimal made for the bound.
export function exactInteger(v: unknown): number {
  const d = isMoney(v) ? v.amount : isDec(v) ? (v as Dec) : undefined;
  if (d === undefined || !d.isInteger()) return Number.NaN;
  const x = d.toNumber();
  return Number.isSafeInteger(x) ? x : Number.NaN;
}
