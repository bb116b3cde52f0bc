// The Node side of language/host.ts: the seed folder yakkan check uses (YAKKAN_SOURCES,
// yakkan.config.json, else ../shared/seeds), or a folder named on the command line.
// Not part of the browser bundle: only the language server and the bench import it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadSources } from '../engine/loading/sources.js';
import type { SourceFolder, SourceHost } from './host.js';

export function nodeHost(dir?: string): SourceHost {
  if (!dir) return { seeds: () => loadSources() };
  const abs = resolve(dir);
  let folder: SourceFolder | undefined;
  if (existsSync(abs)) {
    const files = new Map<string, string>();
    for (const f of readdirSync(abs)) if (f.endsWith('.txt')) files.set(f, readFileSync(join(abs, f), 'utf8'));
    folder = { dir: abs, shown: relative(process.cwd(), abs) || '.', files };
  }
  return { seeds: () => folder };
}
