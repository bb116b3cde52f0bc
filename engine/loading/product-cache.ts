// The compiled-model cache: a product file's checked model (the product JSON, the types the
// checker inferred, the diagnostics) kept on disk, so that a cold `yakkan decide` of an unchanged
// product neither parses nor checks it again. compile() still runs on every load: its closures
// cannot be stored, and it takes a few milliseconds.
//
// An entry is found by a hash of everything the checked model depends on: the file's text and the
// path it is shown under, the yakkan version and the code that parses and checks (file sizes and
// times of engine/ and dsl/, of chevrotain's and ajv's entries, of schemas/product.schema.json),
// and the seed folder the citation quotes are checked against (where
// it is, as shown in diagnostics, and each seed file's size and time; or that there is none).
// Change any of them and the entry is not found: it is rebuilt from the DSL and written anew.
//
// Where: YAKKAN_CACHE=<folder>, or node_modules/.cache/yakkan in the yakkan folder;
// YAKKAN_CACHE=off turns it off. A folder that cannot be written (read-only, full) only means
// nothing is cached: every failure here falls back to loading from the DSL, silently.
// Only the CLI's single-product commands (decide, explain, compile, schema) use it:
// loadProduct(path, { diskCache: true }). Everything else, the tests and the bench's "from DSL"
// numbers included, loads from the DSL as before.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../dsl/diagnostics.js';
import type { Expr, Product } from '../../dsl/ir.js';
import { Types, type Checked } from '../pipeline/check.js';
import type { VType } from '../pipeline/operators.js';
import { projectRoot, sourcesDirSetting } from './sources.js';
import { displayPath, productFiles } from './files.js';

const FORMAT = 'yakkan-model-cache@1';
const MAX_ENTRIES = 256;

export const cacheStats = { hits: 0, misses: 0, writes: 0, unwritable: 0, notCacheable: 0 };

export function cacheDir(): string | undefined {
  const env = process.env['YAKKAN_CACHE'];
  if (env !== undefined && /^(off|0|false|no)$/i.test(env)) return undefined;
  if (env) return resolve(env);
  return join(projectRoot(), 'node_modules', '.cache', 'yakkan');
}

let codeKey: string | undefined;

// The version and the code that turns text into a checked model: a rebuilt engine is a new key.
function codeFingerprint(): string {
  if (codeKey !== undefined) return codeKey;
  const parts: string[] = [FORMAT];
  try {
    parts.push(
      (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '',
    );
  } catch {
    parts.push('?');
  }
  // The parser and the JSON Schema of .json products come from outside engine/ and dsl/.
  const require = createRequire(import.meta.url);
  for (const file of [
    () => require.resolve('chevrotain'),
    () => require.resolve('ajv'),
    () => join(projectRoot(), 'schemas', 'product.schema.json'),
  ]) {
    try {
      const f = file();
      const s = statSync(f);
      parts.push(`${f}:${s.size}:${s.mtimeMs}`);
    } catch {
      parts.push('?');
    }
  }
  // The code itself: every module of engine/ and dsl/ (this file sits in engine/loading/).
  const base = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  const walk = (rel: string): void => {
    for (const f of readdirSync(join(base, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = `${rel}/${f.name}`;
      if (f.isDirectory()) walk(r);
      // Declaration files change no behaviour, and are half the files to stat.
      else if (/\.[cm]?[jt]s$/.test(f.name) && !f.name.endsWith('.d.ts')) {
        const s = statSync(join(base, r));
        parts.push(`${r}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  for (const d of ['engine', 'dsl']) walk(d);
  codeKey = parts.join('\n');
  return codeKey;
}

// The seed folder as the citation check sees it (engine/loading/sources.ts loadSources).
function seedsFingerprint(): string {
  const { dir } = sourcesDirSetting();
  if (!existsSync(dir)) return 'seeds: none';
  const parts = [`seeds: ${relative(process.cwd(), dir) || '.'}`];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.txt')) continue;
    const s = statSync(join(dir, f));
    parts.push(`${f}:${s.size}:${s.mtimeMs}`);
  }
  return parts.join('\n');
}

export function cacheKey(shown: string, text: string): string {
  return createHash('sha256')
    .update(codeFingerprint())
    .update('\0')
    .update(seedsFingerprint())
    .update('\0')
    .update(shown)
    .update('\0')
    .update(text)
    .digest('hex');
}

interface Entry {
  format: string;
  key: string;
  product: Product;
  names: [string, VType][];
  itemFields: [string, [string, VType][]][];
  // [n, type]: the n-th object of the product, in the order walkObjects visits them, is an
  // expression of this type (Types.exprs is keyed by the expression objects themselves).
  exprs: [number, VType][];
  diagnostics: Diagnostic[];
  checkedDiagnostics: number;
}

// Every object (and array) under root, depth first, keys in Object.keys order: the same order
// for a product and for JSON.parse(JSON.stringify(product)).
function walkObjects(root: unknown, visit: (o: object, n: number) => void): void {
  let n = 0;
  const go = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    visit(x, n++);
    if (Array.isArray(x)) for (const y of x) go(y);
    else for (const k of Object.keys(x)) go((x as Record<string, unknown>)[k]);
  };
  go(root);
}

// Is b (parsed back from JSON) exactly a? Plain objects and arrays, same keys, same values.
// Loosely (for diagnostics, which are only read): a key whose value is undefined may be missing.
function sameData(a: unknown, b: unknown, loose = false): boolean {
  if (a === null || typeof a !== 'object') {
    if (typeof a === 'number') return typeof b === 'number' && Object.is(a, b) && Number.isFinite(a);
    return (
      a === b && typeof a !== 'undefined' && typeof a !== 'function' && typeof a !== 'bigint' && typeof a !== 'symbol'
    );
  }
  if (b === null || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i], loose)) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => !loose || (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    if (!sameData((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!], loose)) return false;
  }
  return true;
}

function readEntry(key: string): Entry | undefined {
  const dir = cacheDir();
  if (!dir) return undefined;
  try {
    const e = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Entry;
    return e.format === FORMAT && e.key === key ? e : undefined;
  } catch {
    return undefined;
  }
}

// Entries read ahead by preloadProduct, by key.
const preloaded = new Map<string, Entry>();

// Read the entries of every file of a product ahead of loading it; true when all are there.
// bin/yakkan.js calls this before importing the CLI: when it is true, the DSL front end is never
// needed, and chevrotain is not loaded at all (dsl/chevrotain.ts, DEFER_DSL).
export function preloadProduct(path: string): boolean {
  if (!cacheDir()) return false;
  try {
    const files = productFiles(path);
    if (files.length === 0) return false;
    for (const f of files) {
      const key = cacheKey(displayPath(f), readFileSync(f, 'utf8'));
      const e = readEntry(key);
      if (!e) return false;
      preloaded.set(key, e);
    }
    return true;
  } catch {
    return false;
  }
}

export function readCached(key: string): { checked: Checked; diagnostics: Diagnostic[] } | undefined {
  const e = preloaded.get(key) ?? readEntry(key);
  preloaded.delete(key);
  if (!e) {
    if (cacheDir()) cacheStats.misses++;
    return undefined;
  }
  const types = new Types();
  for (const [k, v] of e.names) types.names.set(k, v);
  for (const [k, fields] of e.itemFields) types.itemFields.set(k, new Map(fields));
  const at = new Map(e.exprs);
  walkObjects(e.product, (o, n) => {
    const t = at.get(n);
    if (t) types.exprs.set(o as Expr, t);
  });
  cacheStats.hits++;
  const checked: Checked = {
    product: e.product,
    types,
    diagnostics: e.diagnostics.slice(e.diagnostics.length - e.checkedDiagnostics),
  };
  return { checked, diagnostics: e.diagnostics };
}

export function writeCached(key: string, checked: Checked, diagnostics: Diagnostic[]): void {
  const dir = cacheDir();
  if (!dir) return;
  const exprs: [number, VType][] = [];
  walkObjects(checked.product, (o, n) => {
    const t = checked.types.exprs.get(o as Expr);
    if (t) exprs.push([n, t]);
  });
  const entry: Entry = {
    format: FORMAT,
    key,
    product: checked.product,
    names: [...checked.types.names],
    itemFields: [...checked.types.itemFields].map(([k, m]) => [k, [...m]]),
    exprs,
    diagnostics,
    checkedDiagnostics: checked.diagnostics.length,
  };
  let text: string;
  try {
    text = JSON.stringify(entry);
    // Only what comes back exactly: a value JSON cannot hold (undefined, a class instance, NaN)
    // would make a cached load differ from a load from the DSL.
    const back = JSON.parse(text) as Entry;
    const { diagnostics: d1, ...rest1 } = entry;
    const { diagnostics: d2, ...rest2 } = back;
    if (!sameData(rest1, rest2) || !sameData(d1, d2, true)) {
      cacheStats.notCacheable++;
      return;
    }
  } catch {
    cacheStats.notCacheable++;
    return;
  }
  try {
    mkdirSync(dir, { recursive: true });
    // Write then rename: a reader never sees half an entry, and parallel writers are harmless.
    const tmp = join(dir, `${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, `${key}.json`));
    cacheStats.writes++;
    prune(dir);
  } catch {
    cacheStats.unwritable++;
  }
}

// Keep the folder small: past MAX_ENTRIES, the least recently written half goes.
function prune(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.tmp'));
  if (files.length <= MAX_ENTRIES) return;
  const byAge = files
    .map((f) => {
      try {
        return { f, t: statSync(join(dir, f)).mtimeMs };
      } catch {
        return { f, t: 0 };
      }
    })
    .sort((a, b) => a.t - b.t);
  for (const { f } of byAge.slice(0, files.length - MAX_ENTRIES / 2)) {
    try {
      unlinkSync(join(dir, f));
    } catch {
      // another process removed it first
    }
  }
}
