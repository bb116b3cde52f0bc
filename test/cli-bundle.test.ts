// `yakkan decide` from its one-file build (bin/bundle.ts, dist/bin/bundle/) says exactly what it
// says from the modules, and is not used once a file it was built from changes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliBundle } from '../bin/bundle.js';
import { ROOT } from './helpers.js';

const built = existsSync(join(ROOT, 'dist', 'bin', 'decide-main.js'));
const tmp = mkdtempSync(join(tmpdir(), 'yakkan-bundle-test-'));
const trace = join(tmp, 'loaded.txt');

describe.runIf(built)('yakkan decide from its bundle', () => {
  // Built into a folder of its own (dist/bin/bundle may be in use by other tests meanwhile), in
  // the project, where its packages resolve.
  const dir = join(ROOT, 'dist', 'bin', `bundle.test-${process.pid}`);
  const inputs = join(dir, 'inputs.json');
  beforeAll(async () => {
    expect(await buildCliBundle(ROOT, dir)).toBe(dir);
    // A hook that notes every module loaded from the bundle's folder.
    writeFileSync(
      join(tmp, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function load(u, c, next) { if (u.startsWith(${JSON.stringify(pathToFileURL(dir).href)})) appendFileSync(${JSON.stringify(trace)}, u + '\\n'); return next(u, c); }`,
    );
    writeFileSync(
      join(tmp, 'register.mjs'),
      `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(tmp, 'hooks.mjs')).href)});`,
    );
  }, 60_000);
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string>) => {
    rmSync(trace, { force: true });
    const r = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(join(tmp, 'register.mjs')).href, join(ROOT, 'bin', 'yakkan.js'), ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, YAKKAN_CACHE: join(tmp, 'cache'), YAKKAN_BUNDLE: dir, ...env },
      },
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, bundled: existsSync(trace) };
  };

  it.each(
    [
      ['decide', 'products/cyber', 'products/cyber/examples/claim.yaml'],
      ['decide', 'products/nexi-ip-license', 'products/nexi-ip-license/examples/claim.yaml', '--no-trace'],
      ['decide', 'products/overseas-ip-litigation', 'products/overseas-ip-litigation/examples/claim.yaml'],
      ['decide', 'products/nexi-ip-license', 'no-such-file.yaml'],
      ['decide', '--help'],
    ].map((a) => [a.join(' '), a] as const),
  )('the same output: %s', (_name, args) => {
    const modules = run(args, { YAKKAN_BUNDLE: 'off' });
    expect(modules.bundled).toBe(false);
    for (const k of [0, 1]) {
      // The first writes the cache entries, the second reads them.
      const one = run(args, {});
      expect(one.bundled, `run ${k}`).toBe(true);
      expect({ ...one, bundled: false }).toEqual(modules);
    }
  });

  it('is not used once a file it was built from differs', () => {
    const saved = readFileSync(inputs, 'utf8');
    try {
      const data = JSON.parse(saved) as { files: [string, number, number, string][] };
      data.files[0]![1] += 1;
      writeFileSync(inputs, JSON.stringify(data));
      const args = ['decide', 'products/nexi-ip-license', 'products/nexi-ip-license/examples/claim.yaml'];
      expect(run(args, {}).bundled).toBe(false);
      data.files[0]![1] -= 1;
      data.files[0]![2] -= 1000;
      data.files[0]![3] = '0'.repeat(40);
      writeFileSync(inputs, JSON.stringify(data));
      expect(run(args, {}).bundled).toBe(false);
    } finally {
      writeFileSync(inputs, saved);
    }
  });
});
