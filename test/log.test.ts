// The decision log on both stores (SQLite, and PostgreSQL started by the test itself): the same
// behaviour from the same tests. Appends in batches, reads back by filter, keeps each product
// snapshot once, migrates once, refuses a newer schema, and `verifyLog` re-decides entries byte
// for byte (10,000 of them, and a tampered one is caught at its first differing byte).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { decideIn, loadProduct, type LoadedProduct } from '../engine/loading/load.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import { loadSide } from '../engine/tools/diff.js';
import { openLog, type DecisionLog, type DecideRequest } from '../server/log/store.js';
import { entryFor, exportCorpus, verifyLog } from '../server/log/replay.js';
import { snapshotOf } from '../server/log/snapshot.js';
import { LATEST } from '../server/log/migrations.js';
import { startPostgres, type Postgres } from './helpers/postgres.js';
import { ROOT } from './helpers.js';

const NEXI = relative(process.cwd(), join(ROOT, 'products', 'nexi-ip-license'));
const LITIGATION = relative(process.cwd(), join(ROOT, 'products', 'overseas-ip-litigation'));

// n decisions of a product's generated corpus, appended as the server would append them.
function logCorpus(
  log: DecisionLog,
  path: string,
  n: number,
  options: DecideRequest = {},
): { product: LoadedProduct; json: string[] } {
  const product = loadProduct(path);
  const snapshot = snapshotOf(product);
  const revs = product.revisions.filter((r) => r.compiled) as Parameters<typeof generate>[0];
  const base = exampleFacts(path, loadSide(path).checked.product);
  const json: string[] = [];
  for (const g of generate(revs, base, { seed: 3, count: n })) {
    const raw = JSON.stringify(g.facts);
    const { decision } = decideIn(product, g.facts, options);
    if (!decision) continue;
    const text = JSON.stringify(decision);
    json.push(text);
    log.append(entryFor(snapshot, `test-${json.length}`, raw, options, decision, text));
  }
  return { product, json };
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

let pg: Postgres | { skip: string } | undefined;
// Named here, made by the first beforeAll: a run that skips every test of this file leaves nothing.
const dir = join(tmpdir(), `yakkan-log-test-${process.pid}-${Date.now()}`);
beforeAll(() => {
  mkdirSync(dir, { recursive: true });
});
let pgDb = 0;

beforeAll(async () => {
  pg = await startPostgres();
  if ('skip' in pg) console.warn(`log.test.ts: PostgreSQL tests skipped: ${pg.skip}`);
}, 120_000);

afterAll(() => {
  if (pg && 'stop' in pg) pg.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

// A fresh, empty log per test: a new SQLite file, or a new PostgreSQL database.
async function fresh(store: string, settings: Parameters<typeof openLog>[1] = {}): Promise<DecisionLog> {
  if (store === 'sqlite') return openLog(join(dir, `log-${++pgDb}.sqlite`), settings);
  const url = (pg as Postgres).url;
  const admin = await openLogAdmin(url);
  const name = `yakkan_test_${++pgDb}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return openLog(url.replace(/\/postgres$/, `/${name}`), settings);
}

async function openLogAdmin(url: string) {
  const pgmod = await import('pg');
  const c = new pgmod.default.Client({ connectionString: url });
  await c.connect();
  return c;
}

describe.each(['sqlite', 'postgres'])('the decision log on %s', (store) => {
  const skip = () => store === 'postgres' && (!pg || 'skip' in pg);

  it('appends in batches and reads every entry back, in order, by filter', async (ctx) => {
    if (skip()) return ctx.skip();
    const log = await fresh(store, { batchSize: 7, flushMs: 5 });
    const { json } = logCorpus(log, NEXI, 40);
    await log.flush();
    expect(log.stats()).toMatchObject({ appended: json.length, written: json.length, pending: 0 });
    expect(log.stats().batches).toBeGreaterThanOrEqual(Math.ceil(json.length / 7));
    const entries = await all(log.entries({}));
    expect(entries.map((e) => e.decision)).toEqual(json);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => a - b));
    const e = entries[0]!;
    expect(e).toMatchObject({
      product: 'nexi-ip-license',
      revision: '2017-04',
      requestId: 'test-1',
      engine: expect.stringMatching(/^yakkan /),
    });
    expect(await log.entry(e.id)).toEqual(e);
    expect(await log.entry(999_999)).toBeUndefined();
    const snapshot = await log.snapshot(e.productHash);
    expect(snapshot?.files.map((f) => f.name)).toEqual(['product.yk']);
    expect(snapshot?.hash).toBe(snapshotOf(loadProduct(NEXI)).hash);
    // Filters: outcome, request id, a limit, and dates (every entry was logged today, UTC).
    const outcomes = entries.map((x) => x.outcome);
    const some = outcomes[0]!;
    expect((await all(log.entries({ outcome: some }))).length).toBe(outcomes.filter((o) => o === some).length);
    expect((await all(log.entries({ requestId: 'test-3' }))).map((x) => x.requestId)).toEqual(['test-3']);
    expect(await all(log.entries({}, 5))).toHaveLength(5);
    const today = e.time.slice(0, 10);
    expect(await all(log.entries({ since: today, until: today }))).toHaveLength(entries.length);
    expect(await all(log.entries({ until: '2000-01-01' }))).toHaveLength(0);
    expect(await all(log.entries({ product: 'cyber' }))).toHaveLength(0);
    expect(await all(log.entries({ since: e.time, until: e.time }))).toEqual(entries.filter((x) => x.time === e.time));
    await log.close();
  });

  it('keeps each product snapshot once, whatever the number of decisions', async (ctx) => {
    if (skip()) return ctx.skip();
    const log = await fresh(store, { batchSize: 10 });
    logCorpus(log, NEXI, 30);
    logCorpus(log, LITIGATION, 30);
    await log.flush();
    const hashes = new Set((await all(log.entries({}))).map((e) => e.productHash));
    expect(hashes.size).toBe(2);
    for (const h of hashes) expect((await log.snapshot(h))?.hash).toBe(h);
    expect((await log.snapshot(snapshotOf(loadProduct(LITIGATION)).hash))?.files.map((f) => f.name)).toEqual([
      '2024-07.yk',
      'product.yk',
    ]);
    await log.close();
  });

  it('verify re-decides with the logged snapshot and reports the first byte that differs', async (ctx) => {
    if (skip()) return ctx.skip();
    const log = await fresh(store);
    logCorpus(log, LITIGATION, 60, { trace: false });
    logCorpus(log, LITIGATION, 20, { asOf: '2025-08-01' });
    await log.flush();
    const ok = await verifyLog(log, {});
    expect(ok).toMatchObject({ checked: 80, identical: 80, differences: [], failures: [], otherEngine: 0 });
    // Tamper with one logged decision: the replay finds it, at the byte that changed.
    const victim = (await all(log.entries({}, 3)))[2]!;
    const tampered = victim.decision.replace('"eligibility":"', '"eligibility":"X');
    const at = victim.decision.indexOf('"eligibility":"') + '"eligibility":"'.length;
    await rawUpdate(store, log, victim.id, tampered);
    const bad = await verifyLog(log, {});
    expect(bad.differences).toEqual([expect.objectContaining({ id: victim.id, at })]);
    expect(bad.identical).toBe(79);
    await log.close();
  });

  it('migrates once, records the version, and refuses a log from a newer yakkan', async (ctx) => {
    if (skip()) return ctx.skip();
    const log = await fresh(store);
    expect(await log.version()).toBe(LATEST);
    const target =
      store === 'sqlite' ? log.target : (pg as Postgres).url.replace(/\/postgres$/, `/yakkan_test_${pgDb}`);
    await log.close();
    const again = await openLog(target);
    expect(await again.version()).toBe(LATEST);
    await rawExec(
      store,
      again,
      `INSERT INTO yakkan_migrations (version, name, applied)
       VALUES (${LATEST + 1}, 'future', ${store === 'sqlite' ? "'x'" : 'now()'})`,
    );
    await again.close();
    await expect(openLog(target)).rejects.toThrow(/newer than this yakkan knows/);
  });

  it('exports the logged facts as a corpus that yakkan diff reads', async (ctx) => {
    if (skip()) return ctx.skip();
    const log = await fresh(store);
    logCorpus(log, NEXI, 12);
    await log.flush();
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    expect(await exportCorpus(log, {}, out, 10)).toBe(10);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { case: string; facts: object });
    expect(lines).toHaveLength(10);
    expect(lines[0]!.case).toMatch(/^log #\d+ \d{4}-\d\d-\d\dT/);
    expect(typeof lines[0]!.facts).toBe('object');
    await log.close();
  });
});

// The tests reach under the store's interface only to tamper with it.
async function rawExec(store: string, log: DecisionLog, sql: string, params: unknown[] = []): Promise<void> {
  const inner = log as unknown as {
    db?: { prepare(s: string): { run(...p: unknown[]): void } };
    pool?: { query(s: string, p: unknown[]): Promise<unknown> };
  };
  if (store === 'sqlite') inner.db!.prepare(sql).run(...params);
  else
    await inner.pool!.query(
      sql.replace(
        /\?/g,
        (() => {
          let i = 0;
          return () => `$${++i}`;
        })(),
      ),
      params,
    );
}

async function rawUpdate(store: string, log: DecisionLog, id: number, decision: string): Promise<void> {
  await rawExec(store, log, 'UPDATE yakkan_decisions SET decision = ? WHERE id = ?', [decision, id]);
}

// Through the CLI, as an auditor would run it (dist/ is built by `npm test` before vitest runs).
describe('yakkan log on a log of 10,000 decisions', () => {
  const file = join(dir, 'ten-thousand.sqlite');
  const yakkan = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'bin', 'yakkan.js'), 'log', ...args, '--log', file], {
      encoding: 'utf8',
      cwd: ROOT,
      maxBuffer: 1 << 28,
    });

  beforeAll(async () => {
    const log = await openLog(file);
    // Mostly lean decisions (what a claims system asks for), every tenth with the full trace.
    const a = logCorpus(log, LITIGATION, 4500, { trace: false }).json.length;
    const b = logCorpus(log, NEXI, 4500, { trace: false }).json.length;
    const c = logCorpus(log, NEXI, 10_000 - a - b).json.length;
    expect(a + b + c).toBe(10_000);
    await log.close();
  }, 180_000);

  it('verify re-decides every entry: all 10,000 byte-identical, exit 0', () => {
    const r = yakkan('verify');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('10000 decisions re-decided: 10000 identical, 0 differ, 0 could not be decided\n');
    expect(r.status).toBe(0);
  }, 180_000);

  it('list, show and export, with filters', () => {
    const list = yakkan('list', '--product', 'nexi-ip-license', '--limit', '3');
    expect(list.status).toBe(0);
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    expect(list.stdout).toMatch(/^\s+\d+ {2}\d{4}-\d\d-\d\dT\S+ {2}nexi-ip-license@2017-04 {2}\S+/);
    const show = yakkan('show', '1');
    expect(show.status).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      id: 1,
      product: 'overseas-ip-litigation',
      options: { trace: false },
      decision: { schema: 'yakkan/decision@1' },
    });
    const exported = yakkan('export', '--facts', '--outcome', 'covered', '--limit', '5');
    expect(exported.status).toBe(0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { case: string });
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(l.case).toMatch(/ covered$/);
    expect(yakkan('show', '99999999').status).toBe(1);
    expect(yakkan('list', '--since', '2026-13-01').status).toBe(2);
    expect(yakkan('frobnicate').status).toBe(2);
  }, 60_000);
});

describe('decide --log, batch --log, diff --from-log', () => {
  it("append the CLI's decisions as the server does; they verify; diff replays them", async () => {
    const file = join(dir, 'cli.sqlite');
    const claim = join(ROOT, 'products', 'nexi-ip-license', 'examples', 'claim.yaml');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'yakkan.js'), ...args], { encoding: 'utf8', cwd: ROOT });
    expect(run('decide', NEXI, claim, '--log', file).status).toBe(0);
    const ndjson = join(dir, 'batch.ndjson');
    const { writeFileSync } = await import('node:fs');
    const corpus = [
      ...generate(
        loadProduct(NEXI).revisions as Parameters<typeof generate>[0],
        exampleFacts(NEXI, loadSide(NEXI).checked.product),
        { seed: 1, count: 40 },
      ),
    ];
    writeFileSync(ndjson, `${corpus.map((g) => JSON.stringify(g.facts)).join('\n')}\n\nnot json\n{}\n`);
    const b = run('batch', NEXI, ndjson, '--log', file, '--no-trace', '--workers', '1');
    expect(b.stdout.trim().split('\n')).toHaveLength(43);
    const log = await openLog(file);
    const entries = await all(log.entries({}));
    expect(entries).toHaveLength(1 + 41);
    expect(entries[0]!.requestId).toMatch(/^cli:/);
    expect(entries[1]!).toMatchObject({ requestId: expect.stringMatching(/^batch:.*#1$/), options: { trace: false } });
    expect(entries[41]!.requestId).toMatch(/#43$/);
    expect(await verifyLog(log, {})).toMatchObject({ checked: 42, identical: 42, differences: [], failures: [] });
    await log.close();
    // The logged claims as the corpus of a revision diff, grouped as with --cases.
    const old = join(ROOT, 'test', 'fixtures', 'revisions', 'old.yk');
    const d = run(
      'diff',
      old,
      join(ROOT, 'test', 'fixtures', 'revisions', 'new.yk'),
      '--from-log',
      '--log',
      file,
      '--format',
      'json',
    );
    expect(d.stderr).toMatch(/^diff: 42 logged decisions of nexi-ip-license$/m);
    const report = JSON.parse(d.stdout) as {
      behaviour: { cases: number; changed: number; groups: { examples: { ref: string }[] }[] };
    };
    expect(report.behaviour.cases).toBe(42);
    expect(report.behaviour.changed).toBeGreaterThan(0);
    expect(d.status).toBe(1);
    expect(report.behaviour.groups[0]!.examples[0]!.ref).toMatch(/^line \d+ \(log #\d+ \d{4}-/);
    const none = run('diff', old, old, '--from-log', '--log', file, '--outcome', 'covered', '--until', '2000-01-01');
    expect(none.stderr).toMatch(/^diff: 0 logged decisions/m);
    expect(run('diff', old, old, '--from-log', '--cases', dir, '--log', file).status).toBe(2);
  }, 60_000);
});
