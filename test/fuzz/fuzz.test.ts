// The fuzz properties, seeded and bounded: a few thousand cases in all, the same ones every run.
// Longer runs with fresh seeds: npm run fuzz -- --minutes N (test/fuzz/long.ts).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  asProperty,
  dslMutants,
  factMutants,
  generatedPrograms,
  jsonMutants,
  run,
  type Property,
} from './properties.js';

const SEED = 20240701;

function holds<T>(p: Property<T>, numRuns: number): void {
  fc.assert(asProperty(p), { seed: SEED, numRuns });
}

// Bounded by the number of cases, not by time; the timeout only leaves room for a loaded machine.
const ROOM = 240_000;

describe('fuzz: never a throw, never a span outside the file', () => {
  it('mutated product files', () => holds(dslMutants, 800), ROOM);
  it('generated programs', () => holds(generatedPrograms, 600), ROOM);
  it('mutated JSON products', () => holds(jsonMutants, 300), ROOM);
  it('mutated facts', () => holds(factMutants, 800), ROOM);
  it('reaches clean products too, so compile and decide are exercised', () => {
    let clean = 0;
    fc.assert(
      fc.property(generatedPrograms.arb, (s) => {
        if (run(generatedPrograms.input(s)).clean) clean++;
      }),
      { seed: SEED, numRuns: 200 },
    );
    expect(clean).toBeGreaterThan(10);
  });
});
