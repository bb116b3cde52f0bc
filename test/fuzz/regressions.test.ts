// Every reproducer under test/fuzz/regressions/ (written by `npm run fuzz`, or by hand for a kind
// of failure found before) keeps the invariant: diagnostics inside the file, or a clean product
// that compiles and decides its facts; never an exception.
import { describe, expect, it } from 'vitest';
import { readRepros, run } from './properties.js';

const repros = readRepros();

describe('fuzz regressions', () => {
  it('there are reproducers to replay', () => {
    expect(repros.length).toBeGreaterThan(0);
  });
  it.each(repros.map((r) => [r.id, r.repro] as const))('%s', (_id, repro) => {
    expect(run(repro).violations).toEqual([]);
  });
});
