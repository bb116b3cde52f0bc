// Revisions in force by date: each product folder holds all its editions, the `chosen by` date
// fact of the facts (or --as-of / a case's as_of) picks one, and `yakkan check` warns when the
// editions of a product disagree on how they are chosen or overlap in time.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadProduct, selectRevision } from '../engine/loading/load.js';
import { PRODUCTS, ROOT, product } from './helpers.js';

const ip = () => product(join(PRODUCTS, 'overseas-ip-litigation'));
const cyber = () => product(join(PRODUCTS, 'cyber'));
const pick = (p: ReturnType<typeof product>, facts: unknown, asOf?: string) => {
  const s = selectRevision(p, facts, asOf);
  return {
    revision: s.rev?.checked.product.revision,
    missing: s.missing,
    errors: s.errors?.map((e) => e.pointer),
    why: s.why,
  };
};

describe('choosing the revision in force', () => {
  it('overseas-ip-litigation: both editions load from the product folder, without diagnostics', () => {
    expect(ip().revisions.map((r) => [r.checked.product.revision, r.checked.product.chosenBy])).toEqual([
      ['2024-07', 'policy.start_date'],
      ['2025-06', 'policy.start_date'],
    ]);
    expect(ip().diagnostics).toEqual([]);
  });

  it('a 2024-09 policy uses the 2024-07 edition, a 2025-09 policy the current one', () => {
    expect(pick(ip(), { policy: { start_date: '2024-09-01' } }).revision).toBe('2024-07');
    expect(pick(ip(), { policy: { start_date: '2025-06-30' } }).revision).toBe('2024-07');
    expect(pick(ip(), { policy: { start_date: '2025-07-01' } }).revision).toBe('2025-06');
    expect(pick(ip(), { policy: { start_date: '2025-09-01' } }).revision).toBe('2025-06');
  });

  it('a date in no edition is an invalid fact naming it; a missing date is missing, never a default', () => {
    const out = pick(ip(), { policy: { start_date: '2026-07-01' } });
    expect(out.revision).toBeUndefined();
    expect(out.errors).toEqual(['/policy/start_date']);
    expect(out.why).toBe(
      'no revision of overseas-ip-litigation is in force on 2026-07-01 (policy.start_date): 2024-07 from 2024-07-01 until 2025-06-30; 2025-06 from 2025-07-01 until 2026-06-30',
    );
    const none = pick(ip(), { policy: {} });
    expect([none.revision, none.missing]).toEqual([undefined, ['policy.start_date']]);
    expect(none.why).toMatch(/the facts must give policy\.start_date/);
    expect(pick(ip(), { policy: { start_date: 20240901 } }).errors).toEqual(['/policy/start_date']);
  });

  it('--as-of overrides the facts date', () => {
    expect(pick(ip(), { policy: { start_date: '2024-09-01' } }, '2025-07-01').revision).toBe('2025-06');
    expect(pick(ip(), {}, '2024-12-31').revision).toBe('2024-07');
    expect(pick(ip(), {}, '2023-01-01').revision).toBeUndefined();
    expect(pick(ip(), {}, 'yesterday').why).toMatch(/not a date/);
  });

  it('cyber: chosen by the application date; seed 004 to its last month, the three-plan edition after', () => {
    expect(cyber().diagnostics).toEqual([]);
    expect(pick(cyber(), { policy: { application_date: '2021-02-15' } }).revision).toBe('2021-03');
    expect(pick(cyber(), { policy: { application_date: '2022-01-31' } }).revision).toBe('2021-03');
    expect(pick(cyber(), { policy: { application_date: '2022-02-01' } }).revision).toBe('three-plans');
    expect(pick(cyber(), { policy: { application_date: '2023-02-01' } }).errors).toEqual(['/policy/application_date']);
    expect(pick(cyber(), { policy: {} }).missing).toEqual(['policy.application_date']);
  });
});

describe('the decision names the revision it used (CLI)', () => {
  const cli = join(ROOT, 'bin', 'yakkan.js');
  const built = existsSync(join(ROOT, 'dist', 'bin', 'cli.js'));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, encoding: 'utf8' });
  const dir = 'products/overseas-ip-litigation';
  it.runIf(built)('decide and explain by the facts date, or by --as-of', () => {
    const old = JSON.parse(run('decide', dir, `${dir}/cases/86-2024-09-policy-previous-edition.yaml`).stdout) as {
      product: { revision: string };
      outcome: string;
    };
    expect([old.product.revision, old.outcome]).toEqual(['2024-07', 'covered']);
    const cur = JSON.parse(
      run('decide', dir, `${dir}/cases/86-2024-09-policy-previous-edition.yaml`, '--as-of', '2025-07-01').stdout,
    ) as { product: { revision: string }; outcome: string };
    expect([cur.product.revision, cur.outcome]).toEqual(['2025-06', 'ineligible']);
    expect(run('explain', dir, `${dir}/cases/87-2025-09-policy-current-edition.yaml`, '--lang', 'en').stdout).toMatch(
      /^[^\n]*\(revision 2025-06\)\n/,
    );
    const none = run('decide', dir, `${dir}/cases/91-start-date-in-no-edition-error.yaml`);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(
      /no revision of overseas-ip-litigation is in force on 2026-07-01 \(policy\.start_date\)/,
    );
    // Still a decision on stdout: invalid facts with the pointer, not a bare failure.
    const bad = JSON.parse(none.stdout) as { outcome: string; errors: { pointer: string }[] };
    expect([bad.outcome, bad.errors.map((e) => e.pointer)]).toEqual(['error', ['/policy/start_date']]);
    const missing = run('explain', dir, `${dir}/cases/83-missing-start-date.yaml`, '--lang', 'en');
    expect(missing.status).toBe(0);
    expect(missing.stdout).toMatch(
      /no revision chosen[\s\S]*Facts needed:\n {2}- policy\.start_date — needed for choosing the revision/,
    );
  });
});

describe('revisions of one product must agree (yakkan check)', () => {
  const fix = join(ROOT, 'test', 'fixtures', 'revisions');
  const folder = (edit: (old: string, nu: string) => [string, string]) => {
    const d = mkdtempSync(join(tmpdir(), 'yakkan-revisions-'));
    const [o, n] = edit(readFileSync(join(fix, 'old.yk'), 'utf8'), readFileSync(join(fix, 'new.yk'), 'utf8'));
    writeFileSync(join(d, 'old.yk'), o);
    writeFileSync(join(d, 'new.yk'), n);
    return loadProduct(d).diagnostics.map((x) => ({
      code: x.code,
      severity: x.severity,
      message: x.message,
      hint: x.hint,
      line: x.span?.start.line,
    }));
  };

  it('the fixture editions agree', () => {
    expect(folder((o, n) => [o, n])).toEqual([]);
  });

  it('overlapping in-force periods: a warning with the until date to write', () => {
    const ds = folder((o, n) => [o.replace(' until 2019-03-31', ''), n]);
    expect(ds).toEqual([
      expect.objectContaining({
        code: 'load/revisions-overlap',
        severity: 'warning',
        hint: 'end 2017-04 the day before 2019-04 starts: `until 2019-03-31`',
        line: 9,
      }),
    ]);
    expect(folder((o, n) => [o.replace('until 2019-03-31', 'until 2019-04-01'), n]).map((d) => d.code)).toEqual([
      'load/revisions-overlap',
    ]);
  });

  it('different `chosen by` facts: an error on the revision that differs', () => {
    const ds = folder((o, n) => [o.replace('chosen by policy.start_date', 'chosen by loss.known_date'), n]);
    expect(ds.map((d) => [d.code, d.severity, d.line])).toEqual([['load/revisions-chosen-by', 'error', 10]]);
    expect(ds[0]!.message).toBe(
      'revision 2017-04 is chosen by loss.known_date, but the newest revision 2019-04 is chosen by policy.start_date',
    );
    expect(ds[0]!.hint).toMatch(/chosen by policy\.start_date/);
  });

  it('no `chosen by` anywhere, or no in-force date: warnings', () => {
    const strip = (s: string) => s.replace(/\n\s*chosen by policy\.start_date/, '');
    expect(folder((o, n) => [strip(o), strip(n)]).map((d) => [d.code, d.severity])).toEqual([
      ['load/revisions-chosen-by', 'warning'],
    ]);
    expect(folder((o, n) => [o, n.replace(/\n\s*in force from 2019-04-01/, '')]).map((d) => d.code)).toContain(
      'load/revisions-in-force',
    );
  });
});
