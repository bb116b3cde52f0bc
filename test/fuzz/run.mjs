// `npm run fuzz`: builds the long-run fuzzer (test/fuzz/long.ts, TypeScript like the rest of the
// tests) with esbuild into node_modules/.cache, then runs it with this process's arguments.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'node_modules', '.cache', 'yakkan-fuzz', 'long.mjs');
await build({
  entryPoints: [join(root, 'test', 'fuzz', 'long.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await import(pathToFileURL(out).href);
