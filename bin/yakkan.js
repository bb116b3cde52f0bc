#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it; `npm run build` rebuilds it). The commands on
// one product read the compiled-model cache before the DSL is loaded: bin/preload.ts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/bin/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('yakkan: not built yet: run `npm install` (or `npm run build`) in the yakkan folder\n');
  process.exitCode = 2;
} else {
  await import(cli.href);
}
