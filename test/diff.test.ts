// yakkan diff on two fixture editions of the NEXI product (test/fixtures/revisions): the
// structural changes we made by hand, the decisions they change, and the rendered report as a
// golden file (UPDATE_GOLDEN=1 rewrites it). The real product revisions have their own goldens.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import {
  behaviouralDiff,
  causes,
  diffExitCode,
  linkCauses,
  loadSide,
  renderText,
  sideInfo,
  structuralDiff,
  type DiffReport,
} from '../engine/tools/diff.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { ROOT } from './helpers.js';
import { golden } from './golden.js';

const FIX = join(ROOT, 'test', 'fixtures', 'revisions');
const rel = (p: string) => relative(process.cwd(), p);
const OLD = rel(join(FIX, 'old.yk'));
const NEW = rel(join(FIX, 'new.yk'));
const CASES = rel(join(FIX, 'cases'));

async function report(oldPath: string, newPath: string, cases?: string, jobs = 1): Promise<DiffReport> {
  const o = loadSide(oldPath);
  const n = loadSide(newPath);
  const r: DiffReport = {
    old: sideInfo(o),
    new: sideInfo(n),
    structural: structuralDiff(o.checked.product, n.checked.product),
  };
  if (cases) {
    r.behaviour = await behaviouralDiff(oldPath, newPath, cases, { jobs });
    linkCauses(r.behaviour, r.structural, o.checked.product, n.checked.product);
  }
  return r;
}

describe('structural diff', () => {
  it('finds each hand-made change, matched by id, with both citations', () => {
    const s = structuralDiff(loadSide(OLD).checked.product, loadSide(NEW).checked.product);
    const brief = s.map((c) => `${c.change} ${c.id}${c.field ? ` ${c.field}` : ''}`);
    expect(brief).toEqual([
      'changed product in force from',
      'changed product in force until',
      'changed product revision',
      'changed rule loss-notice-within-45-days note',
      'changed rule loss-notice-within-45-days require',
      'removed rule related-party-credit',
      'changed table buyer_cover row EM outputs',
      'changed amount payout step limit expr',
    ]);
    const limit = s.find((c) => c.id === 'amount payout step limit')!;
    expect(limit.old).toBe('policy.payment_limit');
    expect(limit.new).toBe('min(policy.payment_limit, 50,000,000円)');
    expect(limit.oldCite[0]!.quote).toBe('ただし、保険金のお支払いは支払限度額を上限とします。');
    expect(limit.newCite[0]!.quote).toBe('ただし、保険金のお支払いは支払限度額を上限とします。');
    const removed = s.find((c) => c.id === 'rule related-party-credit')!;
    expect(removed.oldCite[0]!.section).toBe('5');
    expect(removed.newCite).toEqual([]);
    const notice = s.find((c) => c.field === 'require')!;
    expect([notice.old, notice.new]).toEqual([
      'claim.notice_date ≤ loss.known_date + 45 days',
      'claim.notice_date ≤ loss.known_date + 60 days',
    ]);
  });

  it('sees no change between a revision and itself', () => {
    const p = loadSide(OLD).checked.product;
    expect(structuralDiff(p, p)).toEqual([]);
  });
});

describe('behavioural diff', () => {
  it('groups the changed cases by the rule change that caused them', async () => {
    const r = await report(OLD, NEW, CASES);
    const b = r.behaviour!;
    expect([b.cases, b.changed, b.unreadable]).toEqual([5, 4, 0]);
    const groups = Object.fromEntries(b.groups.map((g) => [g.causes.join(' + '), Object.keys(g.transitions)]));
    expect(groups).toEqual({
      'amount payout: computed differently': ['covered → covered'],
      'rule credit-not-covered-for-rating: not-fired → fired': ['covered → excluded'],
      'rule loss-notice-within-45-days: fired → not-fired': ['refused → covered'],
      'rule related-party-credit: fired → absent': ['excluded → covered'],
    });
    const em = b.groups.find((g) => g.causes[0]!.startsWith('rule credit-not-covered'))!;
    expect(em.because).toEqual(['table buyer_cover row EM (outputs) changed']);
    expect(em.examples[0]!.ref).toBe(join(CASES, '04-em-credit.yaml'));
    expect(diffExitCode(r)).toBe(1);
  });

  it('matches the golden report', async () => {
    golden(join(FIX, 'diff.golden.txt'), renderText(await report(OLD, NEW, CASES)));
  });

  it('exits 0 when no decision changed', async () => {
    const r = await report(OLD, OLD, CASES);
    expect(r.behaviour!.changed).toBe(0);
    expect(diffExitCode(r)).toBe(0);
  });

  it('reads NDJSON the same as case files, and the same with worker threads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yakkan-diff-'));
    const file = join(dir, 'cases.ndjson');
    const lines = [
      '01-related-party-credit',
      '02-political-payout',
      '03-notice-on-day-50',
      '04-em-credit',
      '05-rated-b',
    ].map((f) =>
      JSON.stringify(
        (
          yaml.load(readFileSync(join(FIX, 'cases', `${f}.yaml`), 'utf8'), { schema: yaml.CORE_SCHEMA }) as {
            facts: unknown;
          }
        ).facts,
      ),
    );
    // Repeat the corpus so several chunks go to each worker.
    writeFileSync(file, [...Array(400)].flatMap(() => lines).join('\n') + '\n{not json\n');
    const one = await behaviouralDiff(OLD, NEW, file, { jobs: 1, chunk: 97 });
    expect([one.cases, one.changed, one.unreadable]).toEqual([2000, 1600, 1]);
    expect(one.groups.map((g) => g.count)).toEqual([400, 400, 400, 400]);
    expect(one.groups[0]!.examples.map((e) => e.ref)).toEqual(['line 2', 'line 7', 'line 12']);
    if (existsSync(join(ROOT, 'dist', 'engine', 'tools', 'diff.js'))) {
      const two = await behaviouralDiff(OLD, NEW, file, { jobs: 2, chunk: 97 });
      expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    }
  });

  it('names the rule whose firing changed', () => {
    const o = loadSide(OLD).compiled;
    const n = loadSide(NEW).compiled;
    const facts = (
      yaml.load(readFileSync(join(FIX, 'cases', '01-related-party-credit.yaml'), 'utf8'), {
        schema: yaml.CORE_SCHEMA,
      }) as { facts: unknown }
    ).facts;
    expect(causes(decide(o, facts), decide(n, facts))).toEqual(['rule related-party-credit: fired → absent']);
    expect(causes(decide(o, { buyer: { rating: 'nope' } }), decide(o, facts))[0]).toMatch(/^facts invalid in old only/);
  });
});

describe('yakkan diff on the command line', () => {
  const cli = join(ROOT, 'bin', 'yakkan.js');
  const built = existsSync(join(ROOT, 'dist', 'bin', 'commands', 'diff.js'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, 'diff', ...args], { cwd: ROOT, encoding: 'utf8' });
  it.runIf(built)('exits 0 when nothing changed, 1 when decisions changed, 2 on usage errors', () => {
    expect(run(OLD, OLD, '--cases', CASES).status).toBe(0);
    const changed = run(OLD, NEW, '--cases', CASES, '--json');
    expect(changed.status).toBe(1);
    expect((JSON.parse(changed.stdout) as DiffReport).behaviour!.changed).toBe(4);
    expect(run(OLD).status).toBe(2);
    expect(run(OLD, 'no/such/file.yk').status).toBe(2);
    expect(run(OLD, NEW, '--cases', 'no/such/folder').status).toBe(2);
  });
});

// The real editions: both revisions sit in the product folder (chosen by their `chosen by` date
// fact) and their report is checked in as products/<id>/revisions.diff.txt, the output of
//   node bin/yakkan.js diff <old> <new> --cases products/<id>/cases
// Regenerate after changing either edition or the cases: UPDATE_GOLDEN=1 npx vitest run test/diff.test.ts
const REAL = [
  { id: 'overseas-ip-litigation', old: '2024-07.yk', new: 'product.yk' },
  { id: 'cyber', old: 'product.yk', new: 'three-plans.yk' },
];
describe.each(REAL)('real revisions of $id', ({ id, old, new: nu }) => {
  const dir = rel(join(ROOT, 'products', id));
  it(`matches products/${id}/revisions.diff.txt`, async () => {
    const r = await report(join(dir, old), join(dir, nu), join(dir, 'cases'));
    golden(join(dir, 'revisions.diff.txt'), renderText(r));
  });
});

describe('the three-plan cyber revision', () => {
  const dir = rel(join(ROOT, 'products', 'cyber'));
  const file = join(dir, 'three-plans.yk');
  // The product's example claim, with its plan, accident and items replaced.
  const example = () =>
    yaml.load(readFileSync(join(dir, 'examples', 'claim.yaml'), 'utf8'), { schema: yaml.CORE_SCHEMA }) as Record<
      string,
      Record<string, unknown>
    >;
  const claim = (plan: string, type: string, location: string, items: object[]) => {
    const f = example();
    // The example applies in 2021 (seed 004's months); the three-plan edition takes applications from 2022-02.
    const policy = { ...f['policy'], plan, application_date: '2022-02-15' };
    return { ...f, policy, accident: { ...f['accident'], type, location }, claim: { ...f['claim'], items } };
  };
  const item = (category: string, extra: object = {}) => ({
    category,
    amount: '1000000',
    approved: true,
    incurred_date: '2021-09-20',
    victims_persons: 0,
    victims_corporations: 0,
    ...extra,
  });
  it('economy: liability in Japan only, no costs; apology to cyber-attack victims capped at 100,000円 each', () => {
    const c = loadSide(file).compiled;
    const items = (facts: object) => decide(c, facts).items.map((i) => `${i.outcome} ${i.deciding.join(',')}`);
    expect(items(claim('economy', 'leak', 'abroad', [item('damages')]))).toEqual([
      'excluded economy-liability-territory-japan',
    ]);
    const standardAbroad = ['excluded standard-territory-japan'];
    expect(items(claim('standard', 'leak', 'abroad', [item('damages')]))).toEqual(standardAbroad);
    expect(items(claim('economy', 'leak', 'japan', [item('investigation')]))).toEqual(['excluded economy-no-costs']);
    expect(items(claim('standard', 'leak', 'abroad', [item('investigation')]))).toEqual(standardAbroad);
    expect(items(claim('premium', 'leak', 'abroad', [item('investigation')]))).toEqual(['covered costs-common']);
    const d = decide(
      c,
      claim('standard', 'cyber_bipd', 'japan', [
        item('apology', { victims_persons: 2, victims_corporations: 1, amount: '500000' }),
      ]),
    );
    expect(d.items.map((i) => i.outcome)).toEqual(['covered']);
    // 3 victims x 100,000円 = 300,000円, less the 10万円 cost deductible of the example's policy
    expect(d.amounts.find((a) => a.name === 'cost_payout')!.items![0]).toEqual({ amount: '200000', currency: 'JPY' });
  });
});
