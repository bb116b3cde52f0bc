#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it; `npm run build` rebuilds it). The commands on
// one product read the compiled-model cache before the DSL is loaded: bin/preload.ts.
// `decide` runs from its one-file build (bin/bundle.ts) when that is current: built from the
// dist/ files as they are now (same sizes, and same times or contents); otherwise, and with
// YAKKAN_BUNDLE=off, from the modules.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/bin/cli.js', import.meta.url);
const bundle = new URL('../dist/bin/bundle/', import.meta.url);

function currentBundle() {
  if (process.argv[2] !== 'decide' || /^(off|0|false|no)$/i.test(process.env.YAKKAN_BUNDLE ?? '')) return undefined;
  try {
    const { entry, files } = JSON.parse(readFileSync(new URL('inputs.json', bundle), 'utf8'));
    for (const [file, size, mtime, sha1] of files) {
      const path = fileURLToPath(new URL(file, bundle));
      const s = statSync(path);
      if (s.size !== size) return undefined;
      if (s.mtimeMs !== mtime && createHash('sha1').update(readFileSync(path)).digest('hex') !== sha1) return undefined;
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
  const one = currentBundle();
  if (one) await import(one.href);
  else (await import(cli.href)).start();
}
