#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it; `npm run build` rebuilds it). The commands on
// one product read the compiled-model cache before the DSL is loaded: bin/preload.ts.
// `decide` runs from its one-file build (bin/bundle.ts) when that is current: built from the
// dist/ files as they are now (same sizes, and same times or contents); otherwise, and with
// YAKKAN_BUNDLE=off, from the modules.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = new URL('../dist/bin/cli.js', import.meta.url);
const setting = process.env.YAKKAN_BUNDLE ?? '';
const off = /^(off|0|false|no)$/i.test(setting);

async function currentBundle() {
  if (process.argv[2] !== 'decide' || off) return undefined;
  // YAKKAN_BUNDLE=<folder>: a build made elsewhere (the tests').
  const bundle = setting ? pathToFileURL(`${resolve(setting)}/`) : new URL('../dist/bin/bundle/', import.meta.url);
  try {
    const { entry, files } = JSON.parse(readFileSync(new URL('inputs.json', bundle), 'utf8'));
    for (const [file, size, mtime, sha1] of files) {
      const path = fileURLToPath(new URL(file, bundle));
      const s = statSync(path);
      if (s.size !== size) return undefined;
      if (s.mtimeMs === mtime) continue;
      // node:crypto only now: it costs a cold start ~7 ms to load.
      const { createHash } = await import('node:crypto');
      if (createHash('sha1').update(readFileSync(path)).digest('hex') !== sha1) return undefined;
    }
    return new URL(entry, bundle);
  } catch {
    return undefined;
  }
}

if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('yakkan: not built yet: run `npm install` (or `npm run build`) in the yakkan folder\n');
  process.exitCode = 2;
} else {
  const one = await currentBundle();
  if (one) await import(one.href);
  else (await import(cli.href)).start();
}
