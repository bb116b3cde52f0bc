// Decision tables: each output is a named value; one lookup per decision, recorded in `lookups`.
import type { Literal, Table } from '../../../dsl/ir.js';
import { exprText } from '../../../dsl/print.js';
import { comparator, searchSorted, isOrdered, type VType } from '../operators.js';
import { literalValue, showValue } from '../values.js';
import { cellMatcher } from '../check.js';
import type { ShownValue } from '../decision-types.js';
import type { Scope } from './compiled.js';
import { Unknown, isUnknown, mergeUnknown } from './unknown.js';
import type { Compiler } from './compile.js';

interface Hit {
  outputs: unknown[];
  // 1-based row, 0 for the else row.
  row: number;
}

export function compileTable(t: Table, cx: Compiler): void {
  const inputs = t.inputs.map(cx.expr);
  const inTypes = t.inputs.map(cx.typeOf);
  const rows = t.rows.map((r) => ({
    match: r.cells.map((cell, j) => cellMatcher(cell, inTypes[j]!)),
    outputs: r.outputs.map(literalValue),
  }));
  const otherwise = t.otherwise?.map(literalValue);
  const find = tableFinder(
    t,
    inTypes,
    rows.map((r) => r.match),
  );
  // What a lookup shows, per row (and for the else row), computed once.
  const inputTexts = t.inputs.map((e) => exprText(e));
  const shownOutputs = (outs: unknown[]) => t.outputs.map((o, k) => [o.name, showValue(outs[k])] as const);
  const rowShown = rows.map((r) => shownOutputs(r.outputs));
  const elseShown = otherwise ? shownOutputs(otherwise) : [];
  const rowCite = t.rows.map((r) => [...(r.cite ?? []), ...t.cite]);
  const memoKey = `@table:${t.name}`;
  const noRow = new Unknown([`(no row of table ${t.name} matches)`]);
  const lookup = (s: Scope): Hit | Unknown | undefined => {
    if (s.memo.has(memoKey)) return s.memo.get(memoKey) as Hit | Unknown | undefined;
    const vals: unknown[] = new Array(inputs.length);
    let anyUnknown = false;
    for (let j = 0; j < inputs.length; j++) if ((vals[j] = inputs[j]!(s)) instanceof Unknown) anyUnknown = true;
    if (anyUnknown) {
      const u = mergeUnknown(vals);
      s.memo.set(memoKey, u);
      return u;
    }
    const i = find(vals);
    const hit: Hit | undefined =
      i >= 0 ? { outputs: rows[i]!.outputs, row: i + 1 } : otherwise ? { outputs: otherwise, row: 0 } : undefined;
    const shown = hit ? (hit.row === 0 ? elseShown : rowShown[hit.row - 1]!) : [];
    const outputs: Record<string, ShownValue> = {};
    for (const [k, v] of shown) outputs[k] = v;
    const row = hit ? (hit.row === 0 ? ('else' as const) : hit.row) : null;
    const shownInputs = inputTexts.map((text, j) => ({ text, value: showValue(vals[j]) }));
    const cite = hit && hit.row > 0 ? rowCite[hit.row - 1]! : t.cite;
    s.lookups.push(
      t.label
        ? { table: t.name, label: t.label, row, inputs: shownInputs, outputs, cite }
        : { table: t.name, row, inputs: shownInputs, outputs, cite },
    );
    s.memo.set(memoKey, hit);
    return hit;
  };
  t.outputs.forEach((o, k) => {
    cx.named.set(`${t.name}.${o.name}`, (s) => {
      const hit = lookup(s);
      if (hit === undefined) return noRow;
      return isUnknown(hit) ? hit : hit.outputs[k];
    });
  });
}

// The first row (0-based) whose cells all match the input values, or -1. Rows are indexed by the
// first column whose cells are all lists of discrete values (or `-`): a lookup visits only the
// rows of its value. Within those, when one column holds disjoint ranges and the others are `-`,
// a binary search over the ranges finds the one row that can match (disjoint: at most one
// matches, so it is also the first).
function tableFinder(t: Table, inTypes: VType[], match: ((v: unknown) => boolean)[][]): (vals: unknown[]) => number {
  const n = t.rows.length;
  const scan =
    (cands: number[]) =>
    (vals: unknown[]): number => {
      for (const i of cands) {
        const m = match[i]!;
        let ok = true;
        for (let j = 0; j < m.length; j++)
          if (!m[j]!(vals[j])) {
            ok = false;
            break;
          }
        if (ok) return i;
      }
      return -1;
    };
  const discrete = (k: VType['kind']) => k === 'enum' || k === 'text' || k === 'symbol' || k === 'boolean';
  const key = t.inputs.findIndex(
    (_, j) => discrete(inTypes[j]!.kind) && t.rows.every((r) => 'in' in r.cells[j]! || 'any' in r.cells[j]!),
  );
  const group = (cands: number[]): ((vals: unknown[]) => number) => ranges(t, inTypes, cands, key) ?? scan(cands);
  if (key < 0) return group(Array.from({ length: n }, (_, i) => i));
  const byValue = new Map<unknown, number[]>();
  const anyRows: number[] = [];
  t.rows.forEach((r, i) => {
    const cell = r.cells[key]!;
    if ('any' in cell) anyRows.push(i);
    else
      for (const l of (cell as { in: Literal[] }).in) {
        const v = literalValue(l);
        const list = byValue.get(v) ?? [];
        if (list[list.length - 1] !== i) list.push(i);
        byValue.set(v, list);
      }
  });
  const finders = new Map<unknown, (vals: unknown[]) => number>();
  for (const [v, list] of byValue) finders.set(v, group([...new Set([...list, ...anyRows])].sort((a, b) => a - b)));
  const rest = group(anyRows);
  return (vals) => {
    const v = vals[key];
    // Keys compare by identity (strings, booleans), as the cell matchers do.
    return (finders.get(v) ?? rest)(vals);
  };
}

function ranges(t: Table, inTypes: VType[], cands: number[], key: number): ((vals: unknown[]) => number) | undefined {
  if (cands.length < 4) return undefined;
  const col = t.inputs.findIndex((_, j) => j !== key && cands.every((i) => 'range' in t.rows[i]!.cells[j]!));
  if (col < 0) return undefined;
  if (!cands.every((i) => t.rows[i]!.cells.every((c, j) => j === key || j === col || 'any' in c))) return undefined;
  if (!isOrdered(inTypes[col]!)) return undefined;
  const cmp = comparator(inTypes[col]!);
  const rs = cands
    .map((i) => {
      const [lo, hi] = (t.rows[i]!.cells[col] as { range: [Literal, Literal] }).range.map(literalValue);
      return { i, lo, hi };
    })
    .filter((r) => cmp(r.lo, r.hi) <= 0);
  rs.sort((a, b) => cmp(a.lo, b.lo));
  for (let k = 1; k < rs.length; k++) if (cmp(rs[k - 1]!.hi, rs[k]!.lo) >= 0) return undefined;
  const los = rs.map((r) => r.lo);
  const his = rs.map((r) => r.hi);
  const idx = rs.map((r) => r.i);
  return (vals) => {
    const v = vals[col];
    if (v === undefined) return -1;
    // The last range starting at or below v.
    const at = searchSorted(los, v, cmp, true) - 1;
    return at >= 0 && cmp(v, his[at]) <= 0 ? idx[at]! : -1;
  };
}
