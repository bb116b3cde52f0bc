// The studio's server side (studio/server/), through Fastify's inject on a temporary copy of two
// products: files, saving (inside the product folder only, from this machine or with the token,
// a product with errors not activated), try-outs with and without the editor's draft, case files
// run and written, edition diffs, and the page's own security headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.js';
import { studioPlugin, type StudioOptions } from '../studio/index.js';
import { readYaml } from '../engine/tools/cases.js';
import { PRODUCTS } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'yakkan-studio-test-'));
const CYBER = join(dir, 'cyber');
const NEXI = join(dir, 'nexi-ip-license');
const assets = join(dir, 'assets');

async function studio(o: StudioOptions = {}, token?: string): Promise<FastifyInstance> {
  // Saving reloads cyber and the cases run for seconds: not an overload to shed in a test.
  const app = await buildApp({
    products: [CYBER, NEXI],
    watch: false,
    limits: { maxEventLoopDelay: 600_000 },
    ...(token ? { token } : {}),
  });
  await app.register(studioPlugin, { assets, ...o });
  await app.ready();
  return app;
}

const caseFacts = (file: string) =>
  (readYaml(readFileSync(join(CYBER, 'cases', file), 'utf8')) as { facts: object }).facts;

beforeAll(() => {
  for (const p of [CYBER, NEXI]) cpSync(join(PRODUCTS, p.slice(dir.length + 1)), p, { recursive: true });
  mkdirSync(assets);
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>studio</title>');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the studio plugin', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await studio();
  });
  afterAll(() => app.close());

  it('serves the page with a content security policy, and / leads to it', async () => {
    const page = await app.inject({ url: '/studio/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect((await app.inject({ url: '/' })).headers.location).toBe('/studio/');
    const missing = await app.inject({ url: '/studio/app.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toMatch(/the studio is not built .*npm run build/);
    expect((await app.inject({ url: '/studio/secret.txt' })).statusCode).toBe(404);
  });

  it("gives a product's files, its example claim, and the pamphlets", async () => {
    const files = (await app.inject({ url: '/studio/api/products/cyber/files' })).json();
    expect(files.files.map((f: { name: string }) => f.name)).toEqual(['product.yk', 'three-plans.yk']);
    expect(files.example).toMatchObject({ policy: { plan: 'premium' } });
    const unknown = await app.inject({ url: '/studio/api/products/cybr/files' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toMatch(/did you mean cyber/);
    const session = (await app.inject({ url: '/studio/api/session' })).json();
    expect(session.saving).toEqual({ allowed: true });
    const seeds = (await app.inject({ url: '/studio/api/seeds' })).json();
    if (session.sources.configured) expect(Object.keys(seeds.files)).toContain('004_8026ce946188311d.txt');
    else expect(seeds.files).toBeNull();
  });

  it('saves a file: checked, activated only without errors, the last good version served meanwhile', async () => {
    const good = readFileSync(join(NEXI, 'product.yk'), 'utf8');
    const typo = good.replace('when buyer.related_party and', 'when buyer.related_partyy and');
    const bad = await app.inject({
      method: 'PUT',
      url: '/studio/api/products/nexi-ip-license/files/product.yk',
      payload: { source: typo },
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ saved: 'product.yk', activated: false, check: { ok: false, errors: 1 } });
    expect(bad.json().check.text).toMatch(/did you mean buyer.related_party/);
    expect(readFileSync(join(NEXI, 'product.yk'), 'utf8')).toBe(typo);
    expect((await app.inject({ url: '/v1/products/nexi-ip-license' })).json().status).toBe('stale');
    const back = await app.inject({
      method: 'PUT',
      url: '/studio/api/products/nexi-ip-license/files/product.yk',
      payload: { source: good },
    });
    expect(back.json()).toMatchObject({ activated: true, check: { ok: true } });
    expect((await app.inject({ url: '/v1/products/nexi-ip-license' })).json().status).toBe('ok');
  });

  it("writes nothing outside the product's own files", async () => {
    const put = (name: string) =>
      app.inject({
        method: 'PUT',
        url: `/studio/api/products/cyber/files/${encodeURIComponent(name)}`,
        payload: { source: 'x' },
      });
    for (const name of ['../nexi-ip-license/product.yk', '.hidden.yk', 'product.json', 'a/b.yk']) {
      expect((await put(name)).statusCode, name).toBe(400);
    }
    expect((await put('new-edition.yk')).statusCode).toBe(404);
    writeFileSync(join(dir, 'outside.yk'), 'outside');
    symlinkSync(join(dir, 'outside.yk'), join(CYBER, 'link.yk'));
    try {
      const r = await put('link.yk');
      expect(r.statusCode).toBe(403);
      expect(r.json().detail).toMatch(/outside the folder of product cyber/);
      expect(readFileSync(join(dir, 'outside.yk'), 'utf8')).toBe('outside');
    } finally {
      rmSync(join(CYBER, 'link.yk'));
    }
  });

  it('refuses saving from another machine without a token, not with one', async () => {
    const source = readFileSync(join(NEXI, 'product.yk'), 'utf8');
    const remote = {
      method: 'PUT' as const,
      url: '/studio/api/products/nexi-ip-license/files/product.yk',
      payload: { source },
      remoteAddress: '10.1.2.3',
    };
    const r = await app.inject(remote);
    expect(r.statusCode).toBe(403);
    expect(r.json().detail).toMatch(/needs the server's token/);
    expect((await app.inject({ url: '/studio/api/session', remoteAddress: '10.1.2.3' })).json().saving.allowed).toBe(
      false,
    );
    const token = 'a-token-of-sixteen-chars';
    const guarded = await studio({ tokenRequired: true }, token);
    try {
      expect((await guarded.inject(remote)).statusCode).toBe(401);
      expect((await guarded.inject({ url: '/studio/' })).statusCode).toBe(200);
      const ok = await guarded.inject({ ...remote, headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it("tries a claim with the saved rules, with the editor's draft when it checks, and says which", async () => {
    const facts = caseFacts('001-standard-leak-damages-covered.yaml');
    const saved = (
      await app.inject({ method: 'POST', url: '/studio/api/products/cyber/try', payload: { facts } })
    ).json();
    expect(saved).toMatchObject({
      used: 'saved',
      decision: { outcome: 'covered' },
      expect: { outcome: 'covered', revision: '2021-03' },
    });
    expect(saved.explanation.ja).toMatch(/てん補します/);
    expect(saved.explanation.en).toMatch(/covered/);
    const source = readFileSync(join(CYBER, 'product.yk'), 'utf8');
    const edited = source.replace('  require applicant.chuokai_member\n', '  require not applicant.chuokai_member\n');
    expect(edited).not.toBe(source);
    const draft = (
      await app.inject({
        method: 'POST',
        url: '/studio/api/products/cyber/try',
        payload: { facts, draft: { file: 'product.yk', source: edited } },
      })
    ).json();
    expect(draft).toMatchObject({ used: 'draft', decision: { outcome: 'ineligible' } });
    const broken = (
      await app.inject({
        method: 'POST',
        url: '/studio/api/products/cyber/try',
        payload: {
          facts,
          draft: {
            file: 'product.yk',
            source: source.replace('require applicant.chuokai_member', 'require applicant.nope'),
          },
        },
      })
    ).json();
    expect(broken).toMatchObject({ used: 'saved', decision: { outcome: 'covered' } });
    expect(broken.note).toMatch(/has 1 error: decided with the saved version/);
    const invalid = (
      await app.inject({
        method: 'POST',
        url: '/studio/api/products/cyber/try',
        payload: { facts: { ...facts, applicant: { revenue: 'lots' } } },
      })
    ).json();
    expect(invalid.decision.errors.map((e: { pointer: string }) => e.pointer)).toContain('/applicant/revenue');
  });

  it('runs the case files, writes a confirmed one that passes, and never over another', async () => {
    const before = (await app.inject({ url: '/studio/api/products/cyber/cases' })).json();
    const count = readdirSync(join(CYBER, 'cases')).length;
    expect(before).toMatchObject({ passed: count, failed: 0 });
    const facts = caseFacts('001-standard-leak-damages-covered.yaml');
    const tried = (
      await app.inject({ method: 'POST', url: '/studio/api/products/cyber/try', payload: { facts } })
    ).json();
    const body = { file: '900-studio.yaml', title: 'スタジオで保存', facts, expect: tried.expect };
    const made = await app.inject({ method: 'POST', url: '/studio/api/products/cyber/cases', payload: body });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({ file: '900-studio.yaml', ok: true, case: 'スタジオで保存' });
    expect(readFileSync(join(CYBER, 'cases', '900-studio.yaml'), 'utf8')).toMatch(/^product: cyber$/m);
    expect(
      (await app.inject({ method: 'POST', url: '/studio/api/products/cyber/cases', payload: body })).statusCode,
    ).toBe(409);
    const bad = await app.inject({
      method: 'POST',
      url: '/studio/api/products/cyber/cases',
      payload: { ...body, file: '../x.yaml' },
    });
    expect(bad.statusCode).toBe(400);
    const wrong = await app.inject({
      method: 'POST',
      url: '/studio/api/products/cyber/cases',
      payload: { ...body, file: '901-bad.yaml', expect: { outcome: 'maybe' } },
    });
    expect(wrong.statusCode).toBe(400);
    expect(readdirSync(join(CYBER, 'cases'))).not.toContain('901-bad.yaml');
    const after = (await app.inject({ url: '/studio/api/products/cyber/cases' })).json();
    expect(after).toMatchObject({ passed: count + 1, failed: 0 });
  });

  it('shows a failing case with expected against actual', async () => {
    const file = join(NEXI, 'cases', '999-wrong.yaml');
    const text = readFileSync(join(NEXI, 'cases', '02-paid-credit-default-ef.yaml'), 'utf8');
    writeFileSync(file, text.replace(/^( {2}outcome: )\S+$/m, '$1refused'));
    try {
      const runs = (await app.inject({ url: '/studio/api/products/nexi-ip-license/cases' })).json();
      const wrong = runs.cases.find((c: { file: string }) => c.file === '999-wrong.yaml');
      expect(wrong).toMatchObject({
        ok: false,
        mismatches: [{ field: 'outcome', expected: 'refused' }],
        expected: { outcome: 'refused' },
      });
      expect(wrong.actual.outcome).toBe(wrong.mismatches[0].actual);
    } finally {
      rmSync(file);
    }
  });

  it('compares two editions: the rule changes and what they change for the cases', async () => {
    const r = await app.inject({ url: '/studio/api/products/cyber/diff?old=product.yk&new=three-plans.yk' });
    expect(r.statusCode).toBe(200);
    const { report, text } = r.json();
    expect(report.structural.length).toBeGreaterThan(0);
    expect(report.behaviour.cases).toBe(readdirSync(join(CYBER, 'cases')).length);
    expect(text).toMatch(/^old: .*product\.yk/);
    expect((await app.inject({ url: '/studio/api/products/cyber/diff?old=product.yk&new=nope.yk' })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ url: '/studio/api/products/cyber/diff?old=../x.yk&new=product.yk' })).statusCode).toBe(
      400,
    );
  });
});
