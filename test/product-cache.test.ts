// The compiled-model cache (engine/loading/product-cache.ts): a product loaded from it is the product
// loaded from the DSL (same model, same diagnostics, byte-identical decisions on every case
// file), and an entry is not used once the text, the seeds or the shown path change.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { forgetLoaded, loadProduct, type LoadedProduct } from '../engine/loading/load.js';
import { cacheStats } from '../engine/loading/product-cache.js';
import { findCaseFiles, readCase } from '../engine/tools/cases.js';
import { decide } from '../engine/pipeline/evaluate/index.js';
import { canonicalJson } from '../engine/pipeline/json.js';
import { renderDiagnostics } from '../dsl/diagnostics.js';
import { ROOT, productDirs } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'yakkan-cache-test-'));
const saved = { cache: process.env['YAKKAN_CACHE'], sources: process.env['YAKKAN_SOURCES'] };
process.env['YAKKAN_CACHE'] = join(tmp, 'cache');
afterAll(() => {
  for (const [k, v] of [
    ['YAKKAN_CACHE', saved.cache],
    ['YAKKAN_SOURCES', saved.sources],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(tmp, { recursive: true, force: true });
});

function load(path: string, diskCache: boolean): LoadedProduct {
  forgetLoaded();
  return loadProduct(path, { diskCache });
}

function same(a: LoadedProduct, b: LoadedProduct): void {
  expect(renderDiagnostics(b.diagnostics, b.sources)).toBe(renderDiagnostics(a.diagnostics, a.sources));
  expect(b.revisions.map((r) => r.file)).toEqual(a.revisions.map((r) => r.file));
  a.revisions.forEach((ra, i) => {
    const rb = b.revisions[i]!;
    expect(canonicalJson(rb.checked.product)).toBe(canonicalJson(ra.checked.product));
    expect(!!rb.compiled).toBe(!!ra.compiled);
  });
}

describe('compiled-model cache', () => {
  const products = productDirs().map((d) => relative(process.cwd(), d));

  it.each(products)('%s: a cached load decides every case byte for byte as a load from the DSL', (dir) => {
    const fresh = load(dir, false);
    const before = { ...cacheStats };
    load(dir, true); // writes
    const cached = load(dir, true);
    expect(cacheStats.hits - before.hits).toBe(fresh.revisions.length);
    expect(cacheStats.notCacheable).toBe(before.notCacheable);
    same(fresh, cached);
    const cases = findCaseFiles([join(dir, 'cases')]);
    for (const f of cases) {
      const c = readCase(f).c;
      if (!c) continue;
      fresh.revisions.forEach((r, i) => {
        if (!r.compiled) return;
        const a = JSON.stringify(decide(r.compiled, c.facts));
        const b = JSON.stringify(decide(cached.revisions[i]!.compiled!, c.facts));
        expect(b, `${f} on ${r.file}`).toBe(a);
      });
    }
  });

  it('keeps the diagnostics of products with errors', () => {
    process.env['YAKKAN_SOURCES'] = join(ROOT, 'test', 'fixtures', 'seeds');
    const dir = join(ROOT, 'test', 'golden', 'diagnostics');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yk'))) {
      const path = relative(process.cwd(), join(dir, f));
      const fresh = load(path, false);
      load(path, true);
      const hits = cacheStats.hits;
      const cached = load(path, true);
      expect(cacheStats.hits, f).toBe(hits + 1);
      same(fresh, cached);
    }
    process.env['YAKKAN_SOURCES'] = saved.sources ?? '';
    if (saved.sources === undefined) delete process.env['YAKKAN_SOURCES'];
  });

  it('is not used once the text or the seeds change, and a folder that cannot be written is no error', () => {
    const dir = join(tmp, 'p');
    mkdirSync(dir);
    const file = join(dir, 'product.yk');
    const text = readFileSync(join(ROOT, 'test', 'golden', 'diagnostics', 'table-gaps.yk'), 'utf8');
    writeFileSync(file, text);
    process.env['YAKKAN_SOURCES'] = join(ROOT, 'test', 'fixtures', 'seeds');
    const first = load(file, true);
    let hits = cacheStats.hits;
    expect(load(file, true).diagnostics).toEqual(first.diagnostics);
    expect(cacheStats.hits).toBe(hits + 1);
    // Another text: a miss, and the new diagnostics.
    writeFileSync(file, text.replace('row retail | < 5,000万円 => true', 'row retail | any => true'));
    hits = cacheStats.hits;
    const changed = load(file, true);
    expect(cacheStats.hits).toBe(hits);
    expect(changed.diagnostics.map((d) => d.code)).not.toEqual(first.diagnostics.map((d) => d.code));
    expect(load(file, false).diagnostics).toEqual(changed.diagnostics);
    // Another seed folder (here: none): a miss, and no quote check.
    process.env['YAKKAN_SOURCES'] = join(tmp, 'no-seeds');
    hits = cacheStats.hits;
    const noSeeds = load(file, true);
    expect(cacheStats.hits).toBe(hits);
    expect(renderDiagnostics(noSeeds.diagnostics, noSeeds.sources)).toBe(
      renderDiagnostics(load(file, false).diagnostics, noSeeds.sources),
    );
    // A cache folder that cannot be created (under a file): loads as usual, nothing written.
    writeFileSync(join(tmp, 'a-file'), '');
    process.env['YAKKAN_CACHE'] = join(tmp, 'a-file', 'cache');
    const unwritable = cacheStats.unwritable;
    expect(load(file, true).diagnostics).toEqual(load(file, false).diagnostics);
    expect(cacheStats.unwritable).toBe(unwritable + 1);
    // Off: neither read nor written.
    process.env['YAKKAN_CACHE'] = 'off';
    const s = { ...cacheStats };
    load(file, true);
    expect(cacheStats).toEqual(s);
    process.env['YAKKAN_CACHE'] = join(tmp, 'cache');
    if (saved.sources === undefined) delete process.env['YAKKAN_SOURCES'];
    else process.env['YAKKAN_SOURCES'] = saved.sources;
  });

  it('the CLI: the same bytes from the DSL, writing the entry, and reading it; chevrotain not loaded on a hit', () => {
    // A resolve hook that notes every module whose URL names chevrotain.
    const trace = join(tmp, 'resolved.txt');
    writeFileSync(
      join(tmp, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('node_modules/chevrotain')) appendFileSync(${JSON.stringify(trace)}, r.url + '\\n'); return r; }`,
    );
    writeFileSync(
      join(tmp, 'register.mjs'),
      `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(tmp, 'hooks.mjs')).href)});`,
    );
    const cli = join(ROOT, 'bin', 'yakkan.js');
    const cache = join(tmp, 'cli-cache');
    const run = (env: Record<string, string>) => {
      rmSync(trace, { force: true });
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          pathToFileURL(join(tmp, 'register.mjs')).href,
          cli,
          'decide',
          '--as-of',
          '2025-01-01',
          'products/nexi-ip-license',
          'products/nexi-ip-license/examples/claim.yaml',
        ],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, YAKKAN_SOURCES: join(tmp, 'no-seeds'), ...env } },
      );
      expect(r.stderr).toBe('');
      return { out: r.stdout, chevrotain: existsSync(trace) };
    };
    const dsl = run({ YAKKAN_CACHE: 'off' });
    expect(dsl.chevrotain).toBe(true);
    const miss = run({ YAKKAN_CACHE: cache });
    expect(miss.chevrotain).toBe(true);
    expect(readdirSync(cache).length).toBe(1);
    const hit = run({ YAKKAN_CACHE: cache });
    expect(hit.chevrotain).toBe(false);
    expect(miss.out).toBe(dsl.out);
    expect(hit.out).toBe(dsl.out);
    expect(JSON.parse(hit.out).outcome).toBeTruthy();
  });

  it('a product file that changed after the preload: the stand-in parser fails, and nothing is written', () => {
    // As bin/preload.ts leaves things when every entry was there and then a file changed.
    const cache = join(tmp, 'changed-cache');
    const script = `globalThis[Symbol.for('yakkan.deferDsl')] = true;
const { loadProduct } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'engine', 'loading', 'load.js')).href)});
const p = loadProduct('products/nexi-ip-license', { diskCache: true });
console.log(JSON.stringify(p.diagnostics.map((d) => d.code)));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, YAKKAN_CACHE: cache },
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toContain('internal/parse');
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
  });

  it('lazyCompile: the same closures decide the same, built when first read', () => {
    forgetLoaded();
    const dir = productDirs().find((d) => d.endsWith('cyber'))!;
    const eager = loadProduct(dir, { diskCache: true });
    forgetLoaded();
    const lazy = loadProduct(dir, { diskCache: true, lazyCompile: true });
    forgetLoaded();
    expect(lazy.revisions.map((r) => r.file)).toEqual(eager.revisions.map((r) => r.file));
    for (const file of findCaseFiles([dir]).slice(0, 40)) {
      const { c } = readCase(file);
      if (!c) continue;
      for (const [i, rev] of lazy.revisions.entries()) {
        const a = decide(eager.revisions[i]!.compiled!, c.facts);
        expect(canonicalJson(decide(rev.compiled!, c.facts))).toBe(canonicalJson(a));
      }
    }
    expect(lazy.revisions[0]!.compiled).toBe(lazy.revisions[0]!.compiled);
  });
});
