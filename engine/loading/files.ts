// Which files make a product, and how a file is named in diagnostics. Kept apart from load.ts
// (which re-exports productFiles) so the compiled-model cache can find a product's entries
// without importing the DSL front end (engine/loading/product-cache.ts preloadProduct).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export function productFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.yk') || (f.endsWith('.json') && !f.endsWith('.compiled.json')))
    .sort()
    .map((f) => join(path, f));
}

// Relative to the working directory when inside it, else as given.
export function displayPath(file: string): string {
  const r = relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
}
