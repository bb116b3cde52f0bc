// The fuzz properties, as fast-check arbitraries and one check each. `npm test` runs them seeded
// and bounded (test/fuzz/*.test.ts); `npm run fuzz` runs them for minutes (test/fuzz/long.ts) and
// writes each failure, shrunk by fast-check, as a reproducer that test/fuzz/regressions.test.ts replays.
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { productSeeds, window, ROOT } from './corpus.js';
import { mutateJson, mutateText, mutationsArb, type Mutation } from './mutate.js';
import { render, shapeArb, type Shape } from './generate.js';
import { runFacts, runProductFile, runDsl, type Outcome } from './harness.js';

export const REGRESSIONS = join(ROOT, 'test', 'fuzz', 'regressions');

// A failing input, as files: the product text and the facts decided with it.
export interface Repro {
  kind: string;
  // `.yk` or `.json`: the product file's extension.
  ext: '.yk' | '.json';
  text: string;
  facts: unknown[];
  seeds: boolean;
  // For mutated facts: the bundled product file that decides them (and `text` is unused).
  product?: string;
}

export interface Property<T> {
  name: string;
  arb: fc.Arbitrary<T>;
  input(x: T): Repro;
}

export function run(r: Repro): Outcome {
  if (r.product) return runFacts(r.product, r.facts);
  return r.ext === '.yk'
    ? runDsl(r.text, `fuzz${r.ext}`, r.facts, { seeds: r.seeds })
    : runProductFile(r.text, `fuzz${r.ext}`, r.facts);
}

const seedIndex = () => fc.nat(productSeeds().length - 1);

export const dslMutants: Property<[number, number, number, boolean, Mutation[]]> = {
  name: 'mutated product files',
  // One in eight mutates a whole product; the others a window of it (see corpus.ts).
  arb: fc.tuple(
    seedIndex(),
    fc.nat(1000),
    fc.nat(1000),
    fc.nat(7).map((n) => n === 0),
    mutationsArb,
  ),
  input([i, start, length, whole, ms]) {
    const s = productSeeds()[i]!;
    return {
      kind: 'dsl',
      ext: '.yk',
      text: mutateText(whole ? s.text : window(s.text, start, length), ms),
      facts: s.facts.slice(0, 2),
      seeds: true,
    };
  },
};

export const generatedPrograms: Property<Shape> = {
  name: 'generated programs',
  arb: shapeArb,
  input(shape) {
    const p = render(shape);
    return { kind: 'generated', ext: '.yk', text: p.text, facts: p.facts, seeds: false };
  },
};

export const jsonMutants: Property<[number, Mutation[]]> = {
  name: 'mutated JSON products',
  arb: fc.tuple(seedIndex(), mutationsArb),
  input([i, ms]) {
    const s = productSeeds()[i]!;
    return { kind: 'json', ext: '.json', text: mutateJson(s.json, ms), facts: s.facts.slice(0, 2), seeds: true };
  },
};

// Facts with values replaced, removed or added, decided by the unmutated product.
export const factMutants: Property<[number, number, Mutation[]]> = {
  name: 'mutated facts',
  arb: fc.tuple(seedIndex(), fc.nat(20), mutationsArb),
  input([i, k, ms]) {
    const s = productSeeds()[i]!;
    const facts = s.facts.length ? s.facts[k % s.facts.length] : {};
    const mutated = (JSON.parse(mutateJson(JSON.stringify({ facts }), ms)) as { facts?: unknown }).facts ?? null;
    return { kind: 'facts', ext: '.json', text: '', facts: [mutated], seeds: true, product: s.name };
  },
};

export const PROPERTIES = [dslMutants, generatedPrograms, jsonMutants, factMutants] as Property<unknown>[];

// The property as fast-check runs it: a failure throws with the invariant's violations.
export function asProperty<T>(p: Property<T>): fc.IPropertyWithHooks<[T]> {
  return fc.property(p.arb, (x) => {
    const o = run(p.input(x));
    if (o.violations.length) throw new Error(o.violations.join('\n'));
  });
}

// What a violation is, without the numbers in it: one reproducer per kind of failure.
export function signature(violations: string[]): string {
  return (
    violations
      .map((v) =>
        v
          .replace(/\(at .*\)|\([^)]*\/[^)]*\)/g, '')
          .replace(/\d+/g, 'N')
          .replace(/"[^"]*"/g, '"…"')
          .slice(0, 160),
      )
      .sort()[0] ?? ''
  );
}

export function writeRepro(r: Repro, violations: string[]): string {
  const id = `${r.kind}-${createHash('sha256').update(r.text).update(JSON.stringify(r.facts)).digest('hex').slice(0, 12)}`;
  mkdirSync(REGRESSIONS, { recursive: true });
  if (!r.product) writeFileSync(join(REGRESSIONS, `${id}${r.ext}`), r.text);
  const meta = {
    kind: r.kind,
    seeds: r.seeds,
    ...(r.product ? { product: r.product } : {}),
    found: violations.map((v) => v.slice(0, 300)),
    facts: r.facts,
  };
  writeFileSync(join(REGRESSIONS, `${id}.facts.json`), JSON.stringify(meta, null, 1) + '\n');
  return id;
}

// Every reproducer under test/fuzz/regressions, ready to run again.
export function readRepros(): { id: string; repro: Repro }[] {
  if (!existsSync(REGRESSIONS)) return [];
  const out: { id: string; repro: Repro }[] = [];
  for (const f of readdirSync(REGRESSIONS).sort()) {
    const m = /^(.*)\.facts\.json$/.exec(f);
    if (!m) continue;
    const id = m[1]!;
    const meta = JSON.parse(readFileSync(join(REGRESSIONS, f), 'utf8')) as {
      kind: string;
      seeds?: boolean;
      product?: string;
      facts: unknown[];
    };
    const ext = existsSync(join(REGRESSIONS, `${id}.yk`)) ? '.yk' : '.json';
    const text = meta.product ? '' : readFileSync(join(REGRESSIONS, `${id}${ext}`), 'utf8');
    const repro: Repro = { kind: meta.kind, ext, text, facts: meta.facts, seeds: meta.seeds !== false };
    if (meta.product) repro.product = meta.product;
    out.push({ id, repro });
  }
  return out;
}
