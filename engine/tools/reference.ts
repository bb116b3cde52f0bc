// The reference: the same compiled rules run through stock json-rules-engine. Its conditions
// are ours verbatim; the facts it reads are our values projected to plain JSON (amounts and
// numbers as JS numbers for its numeric operators, dates as ISO strings, durations as counts).
// Named values (formulas, table outputs, hoisted operands) are computed by yakkan and passed in
// as facts: the reference checks rule logic and operators, not arithmetic.
import { Engine } from 'json-rules-engine';
import type { Condition, Rule } from '../../dsl/ir.js';
import { forEachLeaf } from '../pipeline/check.js';
import { namedValues, type Compiled } from '../pipeline/evaluate/index.js';
import { isDec, isMoney, isDuration } from '../pipeline/money.js';
import { Fraction } from '../pipeline/operators.js';

// When a rule takes effect, as one json-rules-engine condition.
export function firingCondition(r: Rule): Condition {
  const parts: Condition[] = [];
  if (r.when) parts.push(r.when);
  if (r.kind === 'eligibility' || r.kind === 'condition' || r.kind === 'constraint') parts.push({ not: r.require! });
  if (r.unless) parts.push({ not: r.unless });
  return { all: parts };
}

export function project(v: unknown): unknown {
  if (isMoney(v)) return v.amount.toNumber();
  if (isDec(v)) return v.toNumber();
  if (v instanceof Fraction) return v.value().toNumber();
  if (isDuration(v)) return v.n;
  if (Array.isArray(v)) return v.map(project);
  return v;
}

function leafNames(c: Condition, out: Set<string>): void {
  forEachLeaf(c, (l) => {
    out.add(l.fact);
    if (typeof l.value === 'object' && !Array.isArray(l.value) && l.value !== null) out.add(l.value.fact);
  });
}

export interface ReferenceRun {
  // rule id (with #item for per-item rules) -> fired?
  fired: Map<string, boolean>;
}

export async function runReference(c: Compiled, facts: unknown, itemCount: number): Promise<ReferenceRun> {
  const fired = new Map<string, boolean>();
  const groups: { key: (id: string) => string; rules: Rule[]; item?: number }[] = [
    { key: (id) => id, rules: c.product.rules.filter((r) => !r.forEach) },
  ];
  for (let i = 0; i < itemCount; i++)
    groups.push({ key: (id) => `${id}#${i}`, rules: c.product.rules.filter((r) => r.forEach), item: i });
  for (const g of groups) {
    if (g.rules.length === 0) continue;
    const engine = new Engine([], { allowUndefinedFacts: true });
    const names = new Set<string>();
    for (const r of g.rules) {
      const cond = firingCondition(r);
      leafNames(cond, names);
      engine.addRule({ name: r.id, conditions: cond as never, event: { type: r.id } });
    }
    const values = namedValues(c, facts, [...names], g.item);
    const almanacFacts: Record<string, unknown> = {};
    for (const [k, v] of values) almanacFacts[k] = project(v);
    const result = await engine.run(almanacFacts);
    for (const r of g.rules) fired.set(g.key(r.id), false);
    for (const e of result.events) fired.set(g.key(e.type), true);
  }
  return { fired };
}
