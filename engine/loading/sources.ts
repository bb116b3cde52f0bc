// Where the pamphlets are, and whether a quote is in them. The pamphlets are not part of the
// project: the folder comes from configuration, and without one the quote check is skipped
// (and says so), so a fresh clone anywhere still checks and tests everything else.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceFolder } from '../pipeline/quotes.js';
import type { Citation, Product } from '../../dsl/ir.js';

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

export interface CitationRow extends Citation {
  product: string;
  revision: string;
  // What cites: a rule id, `fact:<name>`, `table:<name>/row <n>`, `amount:<name>/step <n> <kind>`, ...
  rule: string;
}

// Every citation of a revision, in the order `yakkan sources` prints them (and GET /v1/products/{id}).
export function productCitations(prod: Product): CitationRow[] {
  const out: CitationRow[] = [];
  const add = (rule: string, cs: Citation[] | undefined) => {
    for (const { source, section, quote } of cs ?? []) {
      out.push({ product: prod.id, revision: prod.revision, rule, source, section, quote });
    }
  };
  for (const f of prod.facts) add(`fact:${f.name}`, (f as { cite?: Citation[] }).cite);
  for (const x of prod.rules) add(x.id, x.cite);
  for (const x of prod.formulas) add(`${x.kind}:${x.name}`, x.cite);
  for (const t of prod.tables) {
    add(`table:${t.name}`, t.cite);
    t.rows.forEach((row, i) => add(`table:${t.name}/row ${i + 1}`, row.cite));
  }
  for (const x of prod.amounts) {
    add(`amount:${x.name}`, x.cite);
    x.steps.forEach((s, i) => add(`amount:${x.name}/step ${i + 1} ${s.step}`, s.cite));
  }
  return out;
}
