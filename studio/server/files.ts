// A served product's files as the studio reads and writes them. Writing is the one thing in
// yakkan that changes a product on disk from the network, so the target is pinned down before
// anything is written: a plain `.yk` name (no folder, no dot file), directly inside the folder of
// a product this server serves, and still inside it once symbolic links are resolved.
import { existsSync, readFileSync, readdirSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { readYaml } from '../../engine/tools/cases.js';
import { productFiles } from '../../engine/loading/files.js';
import { fail } from '../../server/problem.js';
import type { ProductEntry } from '../../server/products.js';

export const YK_NAME = /^[\w][\w.-]*\.yk$/;
export const CASE_NAME = /^[\w][\w.-]*\.ya?ml$/;

// The folder a product lives in; a product served from one file is its own folder's only file.
export function productFolder(entry: ProductEntry): string {
  return statSync(entry.path).isFile() ? dirname(entry.path) : entry.path;
}

export interface ProductFile {
  name: string;
  text: string;
}

export function readProductFiles(entry: ProductEntry): ProductFile[] {
  return productFiles(entry.path).map((f) => ({ name: basename(f), text: readFileSync(f, 'utf8') }));
}

// The example claim beside the product (examples/claim.yaml), to fill the claim form with.
export function exampleFacts(entry: ProductEntry): unknown {
  const file = join(productFolder(entry), 'examples', 'claim.yaml');
  if (!existsSync(file)) return null;
  try {
    return readYaml(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// Where `name` may be written for this product, or a problem saying why not.
export function writableTarget(entry: ProductEntry, name: string, pattern: RegExp, sub = ''): string {
  if (!pattern.test(name)) {
    fail('invalid-request', 400, `${JSON.stringify(name)} is not a file name the studio writes (${pattern.source})`);
  }
  const single = statSync(entry.path).isFile();
  if (single && sub === '' && name !== basename(entry.path)) {
    fail('invalid-request', 403, `${entry.id} is served from one file, ${basename(entry.path)}: only it can be saved`);
  }
  const folder = realpathSync(productFolder(entry));
  const dir = sub ? join(folder, sub) : folder;
  const target = join(dir, name);
  const real = existsSync(target) ? realpathSync(target) : join(existsSync(dir) ? realpathSync(dir) : dir, name);
  const rel = relative(folder, real);
  if (isAbsolute(rel) || dirname(rel) !== (sub || '.')) {
    fail('invalid-request', 403, `${name} resolves outside the folder of product ${entry.id}`);
  }
  return real;
}

// Written whole or not at all: a reader (the product watcher) never sees half a file.
export function writeAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

// The cases folder beside a product's files; none for a product served from one file.
export function caseFolder(entry: ProductEntry): string | undefined {
  return statSync(entry.path).isFile() ? undefined : join(entry.path, 'cases');
}

export function caseFiles(entry: ProductEntry): string[] {
  const dir = caseFolder(entry);
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => CASE_NAME.test(f))
    .sort()
    .map((f) => join(dir, f));
}
