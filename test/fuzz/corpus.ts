// What the fuzzers start from: the bundled products (their .yk text, their compiled model as
// JSON) and sample facts for each (the example claim and a few case files), read once.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseProduct } from '../../dsl/index.js';
import { check } from '../../engine/pipeline/check.js';
import { productFiles } from '../../engine/loading/files.js';
import { readYaml } from '../../engine/tools/cases.js';
import { projectRoot } from '../../engine/loading/sources.js';

// Found from the loader's own position, so that the bundled long-run fuzzer (npm run fuzz) finds it too.
export const ROOT = projectRoot();

export interface Seed {
  // Shown in failures, e.g. products/cyber/product.yk.
  name: string;
  text: string;
  json: string;
  facts: unknown[];
}

function sampleFacts(dir: string): unknown[] {
  const out: unknown[] = [];
  const example = join(dir, 'examples', 'claim.yaml');
  if (existsSync(example)) out.push(readYaml(readFileSync(example, 'utf8')));
  const cases = join(dir, 'cases');
  if (existsSync(cases)) {
    // A spread of case files: the first, and every 15th after it.
    const files = readdirSync(cases)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    for (let i = 0; i < files.length; i += 15) {
      const c = readYaml(readFileSync(join(cases, files[i]!), 'utf8')) as { facts?: unknown };
      if (c && typeof c === 'object' && c.facts) out.push(c.facts);
    }
  }
  return out;
}

let seeds: Seed[] | undefined;

export function productSeeds(): Seed[] {
  if (seeds) return seeds;
  seeds = [];
  const products = join(ROOT, 'products');
  for (const d of readdirSync(products).sort()) {
    const dir = join(products, d);
    const files = productFiles(dir).filter((f) => f.endsWith('.yk'));
    if (files.length === 0) continue;
    const facts = sampleFacts(dir);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const { model } = parseProduct(text, 'seed.yk');
      check(model);
      seeds.push({ name: relative(ROOT, f), text, json: JSON.stringify(model.product), facts });
    }
  }
  return seeds;
}

// A product file cut down to the header, the fact declarations and a window of its other
// declarations (formulas, tables, rules, amounts): mutants of it check in a few milliseconds,
// and still reach every construct. `start` and `length` are taken modulo those declarations.
export function window(text: string, start: number, length: number): string {
  const parts: { head: string; body: string[] }[] = [];
  let header = '';
  for (const line of text.split('\n')) {
    const m = /^(fact|formula|define|table|eligibility|ineligible|cover|exclude|condition|constraint|amount)\b/.exec(
      line,
    );
    if (m) parts.push({ head: m[1]!, body: [line] });
    else if (parts.length) parts[parts.length - 1]!.body.push(line);
    else header += line + '\n';
  }
  const support = parts.filter((p) => p.head === 'fact');
  const rules = parts.filter((p) => p.head !== 'fact');
  const n = Math.max(1, rules.length);
  const from = start % n;
  const picked = rules.slice(from, from + 1 + (length % 12));
  return header + [...support, ...picked].map((p) => p.body.join('\n')).join('\n') + '\n';
}
