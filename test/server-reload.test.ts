// Products reload when their files change: the new version is swapped in whole; a broken edit
// keeps the last good version serving and GET /v1/products/{id} says why; a request that began
// before a reload is decided to its end with the revision set it began with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.js';
import { openLog, type DecisionLog } from '../server/log/store.js';
import { readYaml } from '../engine/tools/cases.js';
import { ROOT } from './helpers.js';

// Named here, made by the first beforeAll: a run that skips every test of this file leaves nothing.
const dir = join(tmpdir(), `yakkan-reload-test-${process.pid}-${Date.now()}`);
beforeAll(() => {
  mkdirSync(dir, { recursive: true });
});
const product = join(dir, 'nexi-ip-license');
const file = join(product, 'product.yk');
const original = readFileSync(join(ROOT, 'products', 'nexi-ip-license', 'product.yk'), 'utf8');
const capped = original.replace(/^ {2}limit policy\.payment_limit$/m, '  limit min(policy.payment_limit, 5,000万円)');
// A 1.5億円 loss: 90% is 1.35億円, paid up to the 9,000万円 limit (or the 5,000万円 cap, once edited).
const FACTS = (
  readYaml(
    readFileSync(join(ROOT, 'products', 'nexi-ip-license', 'cases', '04-payout-capped-by-limit.yaml'), 'utf8'),
  ) as { facts: object }
).facts;

let app: FastifyInstance;
let base: string;
let log: DecisionLog;

interface Detail {
  status: string;
  hash: string;
  problem: { detail: string; text: string; diagnostics: { code: string }[] } | null;
}

const detail = async (): Promise<Detail> =>
  (await fetch(`${base}/v1/products/nexi-ip-license`)).json() as Promise<Detail>;

async function payout(): Promise<string> {
  const r = await fetch(`${base}/v1/products/nexi-ip-license/decide?trace=false`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(FACTS),
  });
  expect(r.status).toBe(200);
  const d = (await r.json()) as { amounts: { name: string; value: { amount: string } }[] };
  return d.amounts.find((a) => a.name === 'payout')!.value.amount;
}

// The watcher reloads a little after the change: wait until the product says so.
async function until(test: (d: Detail) => boolean): Promise<Detail> {
  for (let i = 0; i < 200; i++) {
    const d = await detail();
    if (test(d)) return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the product did not reload: ${JSON.stringify(await detail())}`);
}

beforeAll(async () => {
  cpSync(join(ROOT, 'products', 'nexi-ip-license', 'product.yk'), file, { recursive: true });
  log = await openLog(join(dir, 'log.sqlite'), { flushMs: 10 });
  app = await buildApp({ products: [product], log });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reloading products', () => {
  it('picks up an edit, a broken edit keeps the last good version (and says why), a fix serves again', async () => {
    const first = await detail();
    expect(first).toMatchObject({ status: 'ok', problem: null });
    expect(await payout()).toBe('90000000');

    writeFileSync(file, capped);
    const second = await until((d) => d.hash !== first.hash);
    expect(second.status).toBe('ok');
    expect(await payout()).toBe('50000000');

    writeFileSync(file, capped.replace('when buyer.related_party and', 'when buyer.related_pary and'));
    const broken = await until((d) => d.status === 'stale');
    expect(broken.hash).toBe(second.hash);
    expect(broken.problem!.detail).toMatch(/last good version is served/);
    expect(broken.problem!.diagnostics.map((x) => x.code)).toContain('check/unknown-name');
    expect(broken.problem!.text).toMatch(/unknown name buyer\.related_pary/);
    expect(await payout()).toBe('50000000');
    const products = (await (await fetch(`${base}/v1/products`)).json()) as { products: { status: string }[] };
    expect(products.products[0]!.status).toBe('stale');
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
      /^yakkan_product_ok\{product="nexi-ip-license"\} 0$/m,
    );

    writeFileSync(file, original);
    const fixed = await until((d) => d.status === 'ok');
    expect(fixed.hash).toBe(first.hash);
    expect(await payout()).toBe('90000000');
  });

  it('a batch that began before a reload is decided to its end by the revision set it began with', async () => {
    const before = await detail();
    const lines: string[] = [];
    const req = request(`${base}/v1/products/nexi-ip-license/batch?trace=false`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'x-request-id': 'across-reload' },
    });
    const done = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          lines.push(...text.trimEnd().split('\n'));
          resolve();
        });
      });
      req.on('error', reject);
    });
    await new Promise<void>((r) => req.write(`${JSON.stringify(FACTS)}\n`, () => r()));
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(file, capped);
    app.yakkan.products.reload(product);
    const after = await detail();
    expect(after.hash).not.toBe(before.hash);
    req.end(`${JSON.stringify(FACTS)}\n`);
    await done;
    const payouts = lines.map(
      (l) =>
        (
          JSON.parse(l) as { decision: { amounts: { name: string; value: { amount: string } }[] } }
        ).decision.amounts.find((a) => a.name === 'payout')!.value.amount,
    );
    expect(payouts).toEqual(['90000000', '90000000']);
    // A new request sees the new version.
    expect(await payout()).toBe('50000000');
    await log.flush();
    const hashes = [];
    for await (const e of log.entries({})) if (e.requestId.startsWith('across-reload#')) hashes.push(e.productHash);
    expect(hashes).toEqual([before.hash, before.hash]);
    writeFileSync(file, original);
    app.yakkan.products.reload(product);
  });
});

describe('a product that does not check at start', () => {
  it('is listed as unavailable with its diagnostics, answers 503, and serves once an edit fixes it', async () => {
    const broken = join(dir, 'broken', 'nexi-ip-license');
    const brokenFile = join(broken, 'product.yk');
    cpSync(file, brokenFile, { recursive: true });
    writeFileSync(brokenFile, original.replace('when buyer.related_party and', 'when buyer.related_pary and'));
    const other = await buildApp({ products: [broken, join(ROOT, 'products', 'cyber')] });
    try {
      await other.listen({ port: 0, host: '127.0.0.1' });
      const at = `http://127.0.0.1:${(other.server.address() as { port: number }).port}`;
      expect(other.yakkan.products.unavailable().map((e) => e.id)).toEqual(['nexi-ip-license']);
      const d = (await (await fetch(`${at}/v1/products/nexi-ip-license`)).json()) as Detail;
      expect(d.status).toBe('unavailable');
      expect(d.problem!.detail).toMatch(/cannot decide/);
      expect(d.problem!.text).toMatch(/unknown name buyer\.related_pary/);
      const r = await fetch(`${at}/v1/products/nexi-ip-license/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(FACTS),
      });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { type: string }).type).toBe('urn:yakkan:problem:product-unavailable');
      expect((await fetch(`${at}/v1/products/cyber`)).status).toBe(200);
      writeFileSync(brokenFile, original);
      for (let i = 0; i < 200 && other.yakkan.products.unavailable().length; i++)
        await new Promise((w) => setTimeout(w, 50));
      const fixed = await fetch(`${at}/v1/products/nexi-ip-license/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(FACTS),
      });
      expect(fixed.status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
