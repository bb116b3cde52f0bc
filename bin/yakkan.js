#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it; `npm run build` rebuilds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = new URL('../dist/bin/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('yakkan: not built yet: run `npm install` (or `npm run build`) in the yakkan folder\n');
  process.exit(2);
}
// A command on one product whose files are all in the compiled-model cache never parses: read the
// entries now and tell dsl/chevrotain.ts not to load chevrotain (~25 ms of a ~200 ms cold start).
const args = process.argv.slice(2);
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (!args[i].startsWith('--')) positional.push(args[i]);
  else if ((args[i] === '--as-of' || args[i] === '--lang') && i + 1 < args.length) i++;
}
if (['decide', 'explain', 'compile', 'schema'].includes(positional[0]) && positional[1] && !args.includes('--batch')) {
  try {
    const { preloadProduct } = await import(new URL('../dist/engine/loading/product-cache.js', import.meta.url).href);
    if (preloadProduct(positional[1])) globalThis[Symbol.for('yakkan.deferDsl')] = true;
  } catch {
    // Loaded from the DSL as usual.
  }
}
await import(cli.href);
