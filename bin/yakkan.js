#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it; `npm run build` rebuilds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = new URL('../dist/bin/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('yakkan: not built yet: run `npm install` (or `npm run build`) in the yakkan folder\n');
  process.exit(2);
}
await import(cli.href);
