// Where the pamphlets are, and whether a quote is in them. The pamphlets are not part of the
// project: the folder comes from configuration, and without one the quote check is skipped
// (and says so), so a fresh clone anywhere still checks and tests everything else.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceFolder } from '../pipeline/quotes.js';

export { findQuote, type QuoteResult, type SourceFolder } from '../pipeline/quotes.js';

// The project root: the folder holding package.json above this module (src or dist).
export function projectRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

// YAKKAN_SOURCES, else "sources" in yakkan.config.json, else ../shared/seeds beside the project.
export function sourcesDirSetting(): { dir: string; from: string } {
  if (process.env['YAKKAN_SOURCES']) return { dir: resolve(process.env['YAKKAN_SOURCES']), from: 'YAKKAN_SOURCES' };
  const root = projectRoot();
  const cfg = join(root, 'yakkan.config.json');
  if (existsSync(cfg)) {
    const j = JSON.parse(readFileSync(cfg, 'utf8')) as { sources?: string };
    if (j.sources) return { dir: resolve(root, j.sources), from: 'yakkan.config.json' };
  }
  return { dir: resolve(root, '../shared/seeds'), from: 'default' };
}

let cached: SourceFolder | null | undefined;

export function loadSources(): SourceFolder | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const { dir } = sourcesDirSetting();
  if (!existsSync(dir)) {
    cached = null;
    return undefined;
  }
  const files = new Map<string, string>();
  for (const f of readdirSync(dir)) if (f.endsWith('.txt')) files.set(f, readFileSync(join(dir, f), 'utf8'));
  cached = { dir, shown: relative(process.cwd(), dir) || '.', files };
  return cached;
}
