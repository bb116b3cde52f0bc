// Coverage over every product in products/: the done-criterion is that every rule of every
// encoded product fires in some case, or is listed. This pins the list of rules no case fires.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { coverage, renderCoverage, unexercisedRules } from '../engine/tools/coverage.js';
import { PRODUCTS, ROOT } from './helpers.js';

describe('coverage of every product', () => {
  const r = coverage([relative(process.cwd(), PRODUCTS) || PRODUCTS]);
  const never = Object.fromEntries(
    unexercisedRules(r)
      .filter((x) => x.rules.length > 0)
      .map((x) => [`${x.product.replace(/^.*products\//, '')}@${x.revision}`, x.rules]),
  );

  it('runs every case of every product', () => {
    expect(r.products.length).toBeGreaterThanOrEqual(16);
    expect(r.products.flatMap((p) => p.failed)).toEqual([]);
    for (const p of r.products)
      for (const c of p.revisions) expect(c.cases, `${p.dir}@${c.revision}`).toBeGreaterThan(0);
  });

  it('lists exactly the rules no case fires', () => {
    expect(never).toEqual({
      // The limits are facts restricted by `one of` to 1,000万円-10億円 / 100万円-5億円 (or table
      // values within them): a value outside is an invalid fact before the constraint can fail.
      'cyber@2021-03': ['constraint liability-limit-range', 'constraint cost-limit-range'],
      'cyber@three-plans': ['constraint liability-limit-range', 'constraint cost-limit-range'],
      // "it never fails for a valid value" (the rule's note): every user type is a target.
      'personal-accident@seed-003': ['eligibility all-user-types'],
    });
    // The three-plan edition carries 99 rules of 2021-03 word for word; they fire in its cases.
    const carried = unexercisedRules(r).find((x) => x.revision === 'three-plans')!.elsewhere;
    expect(carried.length).toBe(99);
    expect(carried.every((x) => x.endsWith(' (in 2021-03)'))).toBe(true);
  });

  it('the three-plan edition: every rule it adds or changes fires; the rest fire in the 2021-03 edition', () => {
    const cyber = r.products.find((p) => p.dir.endsWith('cyber'))!;
    const [old, nu] = cyber.revisions;
    expect([old!.revision, nu!.revision]).toEqual(['2021-03', 'three-plans']);
    const fired = (c: typeof old) => new Set(c!.rules.filter((x) => x.hits > 0).map((x) => x.id));
    expect(
      [...fired(nu)]
        .filter((id) => ['apology-cyber-bipd', 'economy-liability-territory-japan', 'economy-no-costs'].includes(id))
        .sort(),
    ).toEqual(['apology-cyber-bipd', 'economy-liability-territory-japan', 'economy-no-costs']);
    const unfired = nu!.rules
      .filter((x) => x.hits === 0)
      .map((x) => x.id)
      .filter((id) => !id.endsWith('-limit-range'));
    expect(unfired.filter((id) => !fired(old).has(id))).toEqual([]);
  });

  it('ends the report with the list', () => {
    const text = renderCoverage(r);
    expect(text).toMatch(
      /\nrules: \d+ of \d+ rules of \d+ product revisions fired in some case \(99 of them in the cases of another edition that has them word for word\); no case fires these 5:\n/,
    );
    expect(text).toContain('\n  products/personal-accident@seed-003: eligibility all-user-types\n');
  });
});

describe('yakkan test --coverage', () => {
  const cli = join(ROOT, 'bin', 'yakkan.js');
  const built = existsSync(join(ROOT, 'dist', 'bin', 'cli.js'));
  it.runIf(built)('runs the cases, then prints the coverage report; yakkan coverage prints the same report', () => {
    const fix = 'test/fixtures/revisions';
    const t = spawnSync(process.execPath, [cli, 'test', fix, '--coverage', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    expect(t.status).toBe(0);
    const [head, report] = t.stdout.split('\ncoverage:\n\n');
    expect(head).toBe('\n5 passed, 0 failed\n');
    const c = spawnSync(process.execPath, [cli, 'coverage', fix], { cwd: ROOT, encoding: 'utf8' });
    expect(report).toBe(c.stdout);
    expect(report).toContain(
      '\nrules: 11 of 47 rules of 2 product revisions fired in some case (5 of them in the cases of another edition that has them word for word); no case fires these 36:\n',
    );
  });
});
