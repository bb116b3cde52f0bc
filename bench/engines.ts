// The same compiled rules in other engines. Each rule's firing condition (engine/tools/reference.ts)
// is handed verbatim to json-rules-engine, translated to json-logic, and laid out as one row of
// a zen-engine decision table (hit policy `collect`). All three get the facts they read
// prepared in advance by yakkan (input facts, formulas, table outputs, hoisted operands): that
// favours them, since yakkan's own number includes reading and validating the raw input.
import { createRequire } from 'node:module';
import { Engine } from 'json-rules-engine';
import type { Condition, Leaf, Rule } from '../dsl/ir.js';
import { forEachLeaf } from '../engine/pipeline/check.js';
import { namedValues, type Compiled } from '../engine/pipeline/evaluate/index.js';
import { LEVELS, levelOf } from '../engine/pipeline/evaluate/compiled.js';
import { firingCondition, project } from '../engine/tools/reference.js';
import type { Decision } from '../engine/pipeline/decision-types.js';

const require = createRequire(import.meta.url);
type JsonLogic = { apply(logic: unknown, data: unknown): unknown };
const jsonLogic = require('json-logic-js') as JsonLogic;

export interface Group {
  rules: Rule[];
  names: string[];
  item: boolean;
}

// One prepared case: per group, the fact values (projected to plain JSON), one per item for
// per-item groups.
export interface Prepared {
  groups: Record<string, unknown>[][];
}

export function groupsOf(c: Compiled): Group[] {
  const mk = (rules: Rule[], item: boolean): Group => {
    const names = new Set<string>();
    for (const r of rules) {
      forEachLeaf(firingCondition(r), (l) => {
        names.add(l.fact);
        if (typeof l.value === 'object' && l.value !== null && !Array.isArray(l.value)) names.add(l.value.fact);
      });
    }
    return { rules, names: [...names], item };
  };
  const out = [
    mk(
      c.product.rules.filter((r) => !r.forEach),
      false,
    ),
  ];
  const itemRules = c.product.rules.filter((r) => r.forEach);
  if (itemRules.length) out.push(mk(itemRules, true));
  return out;
}

export function prepare(c: Compiled, gs: Group[], facts: unknown, itemCount: number): Prepared {
  return {
    groups: gs.map((g) => {
      const idx = g.item ? [...Array(itemCount).keys()] : [undefined];
      return idx.map((i) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of namedValues(c, facts, g.names, i)) o[k] = project(v);
        return o;
      });
    }),
  };
}

// Which rules yakkan decided (fired / not fired); unknown ones are left out, since the other
// engines have no third truth value.
export function yakkanFired(d: Decision): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (const r of d.reasons)
    if (r.result !== 'unknown') m.set(r.item !== undefined ? `${r.rule}#${r.item}` : r.rule, r.result === 'fired');
  return m;
}

// ladder: the engine stopped at the first level where a rule fired (per claim, and per item):
// only the rules up to that level are compared.
export function disagreements(
  yak: Map<string, boolean>,
  theirs: Set<string>,
  engine: string,
  levels?: Map<string, number>,
): string[] {
  const out: string[] = [];
  let stops: Map<string, number> | undefined;
  if (levels) {
    stops = new Map();
    for (const k of theirs) {
      const [id, item = ''] = k.split('#');
      const l = levels.get(id!)!;
      if (!(stops.get(item)! <= l)) stops.set(item, l);
    }
  }
  for (const [k, fired] of yak) {
    if (stops) {
      const [id, item = ''] = k.split('#');
      if (levels!.get(id!)! > (stops.get(item) ?? Infinity)) continue;
    }
    if (theirs.has(k) !== fired)
      out.push(`${k}: yakkan ${fired ? 'fired' : 'not-fired'}, ${engine} ${fired ? 'not-fired' : 'fired'}`);
  }
  return out;
}

// Each rule's ladder level, by id.
export function ruleLevels(gs: Group[]): Map<string, number> {
  return new Map(gs.flatMap((g) => g.rules.map((r) => [r.id, levelOf(r.kind)] as const)));
}

export interface OtherEngine {
  name: string;
  // rule ids that fire (`id#i` for per-item rules)
  run(p: Prepared): Set<string> | Promise<Set<string>>;
  // Stops at the first ladder level where a rule fires: rules of later levels are not run.
  ladder?: boolean;
  // How many calls the bench keeps in flight (the engine works off the main thread).
  inFlight?: number;
}

// ---------------------------------------------------------------- json-rules-engine
// Default: every rule evaluated on every call, as json-rules-engine runs a rule set out of the box.
// At its best (`ladder: true`): one priority per ladder level (constraints first, cover last) and
// engine.stop() once a rule fires, so it stops at the deciding level as yakkan does; facts are
// flat ids, read without a path, and the path resolver is a plain property read.
export function jsonRulesEngine(gs: Group[], ladder = false): OtherEngine {
  const engines = gs.map((g) => {
    const e = new Engine([], {
      allowUndefinedFacts: true,
      ...(ladder ? { pathResolver: (v: object, p: string) => (v as Record<string, unknown>)[p] } : {}),
    });
    for (const r of g.rules) {
      e.addRule({
        name: r.id,
        conditions: firingCondition(r) as never,
        event: { type: r.id },
        ...(ladder
          ? {
              priority: LEVELS.length - levelOf(r.kind),
              onSuccess: () => {
                e.stop();
              },
            }
          : {}),
      });
    }
    return e;
  });
  return {
    name: ladder ? 'json-rules-engine, ladder priorities + stop()' : 'json-rules-engine, default',
    ladder,
    async run(p) {
      const fired = new Set<string>();
      for (let g = 0; g < gs.length; g++) {
        const rows = p.groups[g]!;
        for (let i = 0; i < rows.length; i++) {
          const res = await engines[g]!.run(rows[i]!);
          for (const ev of res.events) fired.add(gs[g]!.item ? `${ev.type}#${i}` : ev.type);
        }
      }
      return fired;
    },
  };
}

// ---------------------------------------------------------------- json-logic
const varName = (fact: string) => fact.replace(/\./g, ':'); // json-logic reads `.` as nesting

export function toJsonLogic(c: Condition): unknown {
  if ('all' in c) return c.all.length ? { and: c.all.map(toJsonLogic) } : true;
  if ('any' in c) return c.any.length ? { or: c.any.map(toJsonLogic) } : false;
  if ('not' in c) return { '!': toJsonLogic(c.not) };
  const l = c as Leaf;
  const left = { var: varName(l.fact) };
  const right =
    typeof l.value === 'object' && l.value !== null && !Array.isArray(l.value)
      ? { var: varName(l.value.fact) }
      : l.value;
  switch (l.operator) {
    case 'equal':
      return { '===': [left, right] };
    case 'notEqual':
      return { '!==': [left, right] };
    case 'in':
      return { in: [left, right] };
    case 'notIn':
      return { '!': { in: [left, right] } };
    case 'contains':
      return { in: [right, left] };
    case 'doesNotContain':
      return { '!': { in: [right, left] } };
    case 'lessThan':
      return { '<': [left, right] };
    case 'lessThanInclusive':
      return { '<=': [left, right] };
    case 'greaterThan':
      return { '>': [left, right] };
    case 'greaterThanInclusive':
      return { '>=': [left, right] };
    default:
      throw new Error(`json-logic: no translation for ${l.operator}`);
  }
}

export function jsonLogicEngine(gs: Group[]): OtherEngine {
  const logic = gs.map((g) => g.rules.map((r) => ({ id: r.id, logic: toJsonLogic(firingCondition(r)) })));
  const keys = gs.map((g) => g.names.map((n) => [n, varName(n)] as const));
  return {
    name: 'json-logic-js',
    run(p) {
      const fired = new Set<string>();
      for (let g = 0; g < gs.length; g++) {
        const rows = p.groups[g]!;
        for (let i = 0; i < rows.length; i++) {
          const data: Record<string, unknown> = {};
          for (const [n, v] of keys[g]!) data[v] = rows[i]![n] ?? null;
          for (const r of logic[g]!) if (jsonLogic.apply(r.logic, data)) fired.add(gs[g]!.item ? `${r.id}#${i}` : r.id);
        }
      }
      return fired;
    },
  };
}

// ---------------------------------------------------------------- zen-engine
const ISO = /^\d{4}-\d{2}-\d{2}$/;
const HHMM = /^(\d{2}):(\d{2})$/;
// zen compares numbers, not ISO strings: dates become day numbers and times of day minutes.
const zenValue = (v: unknown): unknown =>
  typeof v === 'string' && ISO.test(v)
    ? Date.parse(v + 'T00:00:00Z') / 86400000
    : typeof v === 'string' && HHMM.test(v)
      ? Number(v.slice(0, 2)) * 60 + Number(v.slice(3))
      : Array.isArray(v)
        ? v.map(zenValue)
        : v;
const zenField = (fact: string) => 'f_' + fact.replace(/[^A-Za-z0-9]/g, (ch) => `_${ch.charCodeAt(0).toString(16)}_`);
// Numeric literals are JSON strings in the model (exact decimals); zen does not coerce them.
const NUM = /^-?\d+(\.\d+)?$/;
const zenLit = (v: unknown): string => (typeof v === 'string' && NUM.test(v) ? v : JSON.stringify(zenValue(v)));

export function toZen(c: Condition): string {
  if ('all' in c) return c.all.length ? `(${c.all.map(toZen).join(' and ')})` : 'true';
  if ('any' in c) return c.any.length ? `(${c.any.map(toZen).join(' or ')})` : 'false';
  if ('not' in c) return `not (${toZen(c.not)})`;
  const l = c as Leaf;
  const a = zenField(l.fact);
  const isRef = typeof l.value === 'object' && l.value !== null && !Array.isArray(l.value);
  const b = isRef ? zenField((l.value as { fact: string }).fact) : zenLit(l.value);
  // A missing value is null in zen, and comparing null with a number is an error there.
  const guard = isRef ? `${a} != null and ${b} != null` : `${a} != null`;
  const test = ((): string => {
    switch (l.operator) {
      case 'equal':
        return `${a} == ${b}`;
      case 'notEqual':
        return `${a} != ${b}`;
      case 'in':
        return `${a} in ${b}`;
      case 'notIn':
        return `not (${a} in ${b})`;
      case 'contains':
        return `contains(${a}, ${b})`;
      case 'doesNotContain':
        return `not contains(${a}, ${b})`;
      case 'lessThan':
        return `${a} < ${b}`;
      case 'lessThanInclusive':
        return `${a} <= ${b}`;
      case 'greaterThan':
        return `${a} > ${b}`;
      case 'greaterThanInclusive':
        return `${a} >= ${b}`;
      default:
        throw new Error(`zen: no translation for ${l.operator}`);
    }
  })();
  return `(${guard} and ${test})`;
}

export interface ZenModule {
  ZenEngine: new () => { createDecision(content: object): { evaluate(ctx: unknown): Promise<{ result: unknown }> } };
}

export function zenDecisionTable(rules: Rule[]): object {
  return {
    nodes: [
      { id: 'in', type: 'inputNode', name: 'Request', position: { x: 0, y: 0 } },
      {
        id: 'rules',
        type: 'decisionTableNode',
        name: 'rules',
        position: { x: 200, y: 0 },
        content: {
          hitPolicy: 'collect',
          inputs: [{ id: 'when', name: 'fires when' }],
          outputs: [{ id: 'rule', name: 'rule', field: 'rule' }],
          rules: rules.map((r, i) => ({ _id: `r${i}`, when: toZen(firingCondition(r)), rule: JSON.stringify(r.id) })),
        },
      },
      { id: 'out', type: 'outputNode', name: 'Response', position: { x: 400, y: 0 } },
    ],
    edges: [
      { id: 'e1', sourceId: 'in', targetId: 'rules', type: 'edge' },
      { id: 'e2', sourceId: 'rules', targetId: 'out', type: 'edge' },
    ],
  };
}

// inFlight: the bench keeps that many evaluations under way at once (zen evaluates off the main
// thread), instead of awaiting each before the next.
export function zenEngine(zen: ZenModule, gs: Group[], inFlight = 1): OtherEngine {
  const engine = new zen.ZenEngine();
  const decisions = gs.map((g) => engine.createDecision(zenDecisionTable(g.rules)));
  const keys = gs.map((g) => g.names.map((n) => [n, zenField(n)] as const));
  return {
    name: inFlight > 1 ? `zen-engine, ${inFlight} calls in flight` : 'zen-engine, sequential',
    inFlight,
    async run(p) {
      const fired = new Set<string>();
      for (let g = 0; g < gs.length; g++) {
        const rows = p.groups[g]!;
        for (let i = 0; i < rows.length; i++) {
          const ctx: Record<string, unknown> = {};
          for (const [n, v] of keys[g]!) {
            const x = rows[i]![n];
            if (x !== undefined) ctx[v] = zenValue(x);
          }
          const res = await decisions[g]!.evaluate(ctx);
          for (const o of res.result as { rule: string }[]) fired.add(gs[g]!.item ? `${o.rule}#${i}` : o.rule);
        }
      }
      return fired;
    },
  };
}

export async function loadZen(): Promise<ZenModule | string> {
  try {
    return (await import('@gorules/zen-engine')) as unknown as ZenModule;
  } catch (e) {
    return `@gorules/zen-engine did not load: ${(e as Error).message.split('\n')[0]}`;
  }
}
