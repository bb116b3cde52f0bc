// Decision tables: each output is a named value; one lookup per decision, recorded in `lookups`.
import type { Literal, Table } from '../../../dsl/ir.js';
import { exprText } from '../../../dsl/print.js';
import type { VType } from '../operators.js';
import { orderedIndex, type RowMatcher } from './table-index.js';
import { literalValue, showValue } from '../values.js';
import { cellMatcher } from '../check.js';
import type { ShownValue } from '../decision-types.js';
import type { Scope } from './compiled.js';
import { Unknown, isUnknown, mergeUnknown } from './unknown.js';
import { shownRaw } from './shown.js';
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
  // Inputs that are plain facts show from the slot (digits, before any conversion), shared with
  // the checks that show the same fact.
  const inputSlots = t.inputs.map((e) => ('ref' in e ? cx.plainSlot(e.ref) : undefined));
  const inputHow = inputSlots.map((k) => {
    const ty = k === undefined ? undefined : cx.product.facts[k]!.type;
    return ty?.kind === 'money' ? ty.currency : ty?.kind === 'integer' ? 0 : undefined;
  });
  // Each row's outputs record, made once and shared by the lookups that hit the row (decisions
  // already share shown literals and cite arrays).
  const outputsRecord = (outs: unknown[]) => {
    const o: Record<string, ShownValue> = {};
    t.outputs.forEach((x, k) => {
      o[x.name] = showValue(outs[k]);
    });
    return o;
  };
  const rowOutputs = rows.map((r) => outputsRecord(r.outputs));
  const elseOutputs = otherwise ? outputsRecord(otherwise) : {};
  const rowCite = t.rows.map((r) => [...(r.cite ?? []), ...t.cite]);
  const memoKey = `@table:${t.name}`;
  const noRow = new Unknown([`(no row of table ${t.name} matches)`]);
  const lookup = (s: Scope): Hit | Unknown | undefined => {
    if (s.memo.has(memoKey)) return s.memo.get(memoKey) as Hit | Unknown | undefined;
    const vals: unknown[] = new Array(inputs.length);
    const shownIn: ShownValue[] = new Array(inputs.length);
    for (let j = 0; j < inputs.length; j++) {
      const k = inputSlots[j];
      if (k !== undefined && s.slots[k] !== undefined) shownIn[j] = shownRaw(s, k, inputHow[j]);
    }
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
    const outputs = hit ? (hit.row === 0 ? elseOutputs : rowOutputs[hit.row - 1]!) : {};
    const row = hit ? (hit.row === 0 ? ('else' as const) : hit.row) : null;
    const shownInputs = inputTexts.map((text, j) => ({
      text,
      value: inputSlots[j] !== undefined ? shownIn[j]! : showValue(vals[j]),
    }));
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
// rows of its value. Within those, an ordered column's index (table-index.ts) narrows them to the
// rows whose cell there can match, in row order, so the first of them that matches is the first
// row (hit unique or first alike).
export function tableFinder(
  t: Table,
  inTypes: VType[],
  match: ((v: unknown) => boolean)[][],
): (vals: unknown[]) => number {
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
  const group = (cands: number[]): ((vals: unknown[]) => number) =>
    indexed(t, inTypes, match, cands, key) ?? scan(cands);
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

// The candidates indexed on the ordered column whose pieces hold the fewest rows, each row then
// tested on the columns neither the key (by value) nor the index settles; undefined: scan.
function indexed(
  t: Table,
  inTypes: VType[],
  match: ((v: unknown) => boolean)[][],
  cands: number[],
  key: number,
): ((vals: unknown[]) => number) | undefined {
  let best: { find: (vals: unknown[]) => number; perPiece: number } | undefined;
  const cells = (j: number, i: number) => t.rows[i]!.cells[j]!;
  for (let col = 0; col < t.inputs.length; col++) {
    if (col === key) continue;
    const rest = t.inputs.map((_, j) => j).filter((j) => j !== key && j !== col);
    const matches: RowMatcher[] = [];
    for (const i of cands) {
      const m = rest.filter((j) => !('any' in t.rows[i]!.cells[j]!)).map((j) => [j, match[i]![j]!] as const);
      matches[i] =
        m.length === 0
          ? () => true
          : (vals) => {
              for (let k = 0; k < m.length; k++) if (!m[k]![1](vals[m[k]![0]])) return false;
              return true;
            };
    }
    const ix = orderedIndex(cells, cands, col, inTypes[col]!, matches);
    if (ix !== undefined && (best === undefined || ix.perPiece < best.perPiece)) best = ix;
  }
  return best?.find;
}
