// A decision grows linearly with a claim's items, by what applies to each item: the full trace
// gives an item the reasons of the rules that apply to it, not one per rule (cyber has 91 item
// rules; one reason for each of them for every item made 53 KB an item).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readYaml } from '../engine/tools/cases.js';
import { decideIn } from '../engine/loading/load.js';
import { ROOT, product } from './helpers.js';

const dir = join(ROOT, 'products', 'cyber');
const example = readYaml(readFileSync(join(dir, 'examples', 'claim.yaml'), 'utf8')) as { claim: { items: object[] } };
const withItems = (n: number) => {
  const facts = structuredClone(example);
  const items = example.claim.items;
  facts.claim.items = Array.from({ length: n }, (_, i) => ({ ...items[i % items.length] }));
  return facts;
};
const size = (n: number, trace: boolean) =>
  JSON.stringify(decideIn(product(dir), withItems(n), { trace }).decision).length;

describe('decision size', () => {
  it('grows linearly with the items, a few kilobytes each', () => {
    for (const trace of [true, false]) {
      const [a, b] = [size(50, trace), size(200, trace)];
      const perItem = (b - a) / 150;
      expect(perItem).toBeLessThan(trace ? 12_000 : 2_000);
      // 4× the items, at most 4× the bytes (the claim-level part does not grow).
      expect(b / a).toBeLessThan(4);
    }
  });
});
