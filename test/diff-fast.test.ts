// diff's per-case path (facts read once for both revisions when they declare the same facts,
// summaries compared without writing them) gives what deciding each revision on its own gives:
// the same counts, transitions, groups, causes and examples, on the real revision pairs' case
// files and generated corpora.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../dsl/diagnostics.js';
import { loadProduct, type Revision } from '../engine/loading/load.js';
import type { Compiled } from '../engine/pipeline/evaluate/index.js';
import { decideFiring } from '../engine/pipeline/evaluate/firing.js';
import { readYaml } from '../engine/tools/cases.js';
import { causes, corpusFiles, diffLines, loadSide, type Behaviour, type Group } from '../engine/tools/diff.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import { ROOT } from './helpers.js';

// The per-case comparison as it stood before: each revision decided from the raw facts.
function reference(oldC: Compiled, newC: Compiled, lines: string[]): Behaviour {
  const groups = new Map<string, Group>();
  const b: Behaviour = {
    cases: 0,
    changed: 0,
    unreadable: 0,
    unreadableExamples: [],
    transitions: {},
    inForce: {},
    groups: [],
  };
  const ids = (c: Compiled) => new Set(c.product.rules.map((r) => r.id));
  const summary = (d: ReturnType<typeof decideFiring>) => {
    const amounts: Record<string, unknown> = {};
    for (const a of d.amounts) amounts[a.name] = a.items ? [a.value, a.items] : a.value;
    return { outcome: d.outcome, deciding: [...d.deciding].sort(), amounts, items: d.items.map((i) => i.outcome) };
  };
  lines.forEach((line, index) => {
    const facts = JSON.parse(line);
    b.cases++;
    const o = decideFiring(oldC, facts);
    const n = decideFiring(newC, facts);
    const [os, ns] = [summary(o), summary(n)];
    if (JSON.stringify(os) === JSON.stringify(ns)) return;
    b.changed++;
    const t = `${os.outcome} → ${ns.outcome}`;
    b.transitions[t] = (b.transitions[t] ?? 0) + 1;
    const cs = causes(o, n, { old: ids(oldC), new: ids(newC) });
    let g = groups.get(cs.join('\n'));
    if (!g) groups.set(cs.join('\n'), (g = { causes: cs, count: 0, transitions: {}, examples: [] }));
    g.count++;
    g.transitions[t] = (g.transitions[t] ?? 0) + 1;
    if (g.examples.length < 3) g.examples.push({ index, ref: `line ${index + 1}`, old: os as never, new: ns as never });
  });
  b.groups = [...groups.values()];
  return b;
}

const comparable = (b: Behaviour) => ({
  cases: b.cases,
  changed: b.changed,
  transitions: b.transitions,
  groups: b.groups.map((g) => JSON.stringify(g)),
});

const PAIRS = [
  { id: 'overseas-ip-litigation', old: '2024-07.yk', new: 'product.yk', count: 3000 },
  { id: 'cyber', old: 'product.yk', new: 'three-plans.yk', count: 600 },
];

describe.each(PAIRS)('diff per case on $id', ({ id, old, new: nu, count }) => {
  const dir = join(ROOT, 'products', id);
  it('equals deciding each revision on its own, on the case files and a generated corpus', () => {
    const o = loadSide(join(dir, old)).compiled;
    const n = loadSide(join(dir, nu)).compiled;
    const p = loadProduct(dir);
    expect(hasErrors(p.diagnostics)).toBe(false);
    const revs = p.revisions.filter((r): r is Revision & { compiled: Compiled } => r.compiled !== undefined);
    const base = exampleFacts(dir, revs[0]!.checked.product);
    const lines = [
      ...corpusFiles(join(dir, 'cases')).map((f) =>
        JSON.stringify((readYaml(readFileSync(f, 'utf8')) as { facts: unknown }).facts),
      ),
      ...[...generate(revs, base, { seed: 3, count })].map((g) => JSON.stringify(g.facts)),
    ];
    const got = diffLines(o, n, 0, lines, 3);
    expect(got.changed).toBeGreaterThan(0);
    expect(comparable(got)).toEqual(comparable(reference(o, n, lines)));
  });
});
