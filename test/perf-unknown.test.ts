// unknown.ts merges Unknowns pairwise, caches merges of shared ones and sorts by merging sorted
// lists: the facts (first-appearance order) and sorted() must be what a Set union and a sort give,
// shared or not, cached or not.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Unknown, kleene, merge2, mergeUnknown } from '../engine/pipeline/evaluate/unknown.js';

const union = (lists: string[][]) => [...new Set(lists.flat())];
const fact = fc.constantFrom('a', 'b', 'c', 'premium.x1', 'premium.c', 'loss.amount', 'Z', 'é', 'a.b', '');
const facts = fc.array(fact, { minLength: 0, maxLength: 5 });

describe('Unknown merges', () => {
  it('mergeUnknown: union in order of appearance, sorted as sort() sorts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(facts, fc.boolean()), { minLength: 0, maxLength: 6 }),
        fc.boolean(),
        (us, twice) => {
          const made = us.map(([f, shared]) => (shared ? Unknown.shared(f) : new Unknown(f)));
          const vs: unknown[] = made.flatMap((u, i) => (i % 2 ? [u, 1, true] : [u]));
          for (let round = 0; round < (twice ? 2 : 1); round++) {
            const m = mergeUnknown(vs);
            const want = made.length === 1 ? made[0]!.facts : union(made.map((u) => u.facts));
            expect(m.facts).toEqual(want);
            expect(m.sorted()).toEqual(made.length === 1 ? [...want].sort() : [...new Set(want)].sort());
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('merge2 and kleene agree with mergeUnknown; shared merges come back the same', () => {
    const a = Unknown.shared(['x', 'b']);
    const b = Unknown.shared(['a', 'x']);
    const ab = merge2(a, b);
    expect(ab.facts).toEqual(['x', 'b', 'a']);
    expect(ab.sorted()).toEqual(['a', 'b', 'x']);
    expect(merge2(a, b)).toBe(ab);
    expect(merge2(a, 3)).toBe(a);
    const fresh = merge2(new Unknown(['x', 'b']), b);
    expect([fresh.facts, fresh.sorted()]).toEqual([ab.facts, ab.sorted()]);
    const k = kleene(false, [() => a, () => true, () => b], undefined);
    expect(k instanceof Unknown && [k.facts, k.sorted()]).toEqual([ab.facts, ab.sorted()]);
    expect(kleene(false, [() => a, () => false, () => b], undefined)).toBe(false);
  });

  it('Unknowns made while compiling are shared; others are not', () => {
    const inside = Unknown.sharedWhile(() => [new Unknown(['p']), new Unknown(['q'])]);
    expect(merge2(inside[0], inside[1])).toBe(merge2(inside[0], inside[1]));
    const outside = [new Unknown(['p']), new Unknown(['q'])];
    expect(merge2(outside[0], outside[1])).not.toBe(merge2(outside[0], outside[1]));
  });
});
