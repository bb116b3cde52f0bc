// Loading: a product folder (or file) -> checked, compiled revisions. A `.yk` file goes through
// the DSL front end; a `.json` file is the compiled model written directly, validated by
// schemas/product.schema.json with errors that name the JSON pointer. Both then pass the same checks.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { parseProduct } from '../dsl/index.js';
import { type Diagnostic, hasErrors, pointerSpan } from '../dsl/diagnostics.js';
import type { Model, SpanMap } from '../dsl/model.js';
import type { Product } from '../dsl/ir.js';
import { check, type Checked } from './check.js';
import { compile, type Compiled } from './evaluate.js';
import { loadSources, projectRoot } from './sources.js';

export interface Revision {
  file: string;
  source: string;
  checked: Checked;
  compiled: Compiled | undefined;
}

export interface LoadedProduct {
  path: string;
  revisions: Revision[];
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

let productSchemaValidator: ReturnType<Ajv['compile']> | undefined;

function productValidator(): ReturnType<Ajv['compile']> {
  if (!productSchemaValidator) {
    const schema = JSON.parse(readFileSync(join(projectRoot(), 'schemas', 'product.schema.json'), 'utf8')) as object;
    productSchemaValidator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return productSchemaValidator;
}

export function productFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.yk') || (f.endsWith('.json') && !f.endsWith('.compiled.json')))
    .sort()
    .map((f) => join(path, f));
}

function displayPath(file: string): string {
  const r = relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
}

export function modelFromJson(text: string, file: string, diagnostics: Diagnostic[]): Model | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    diagnostics.push({ code: 'json/syntax', severity: 'error', message: (e as Error).message, span: pointerSpan(file, '') });
    return undefined;
  }
  const v = productValidator();
  if (!v(json)) {
    for (const e of v.errors ?? []) {
      const ptr = e.keyword === 'additionalProperties' ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}` : e.instancePath;
      diagnostics.push({ code: 'json/schema', severity: 'error', message: `${ptr || '/'} ${e.keyword === 'additionalProperties' ? 'is not allowed here' : e.message ?? 'is invalid'}`, span: pointerSpan(file, ptr) });
    }
    return undefined;
  }
  const spans: SpanMap = new WeakMap();
  const walk = (o: unknown, ptr: string): void => {
    if (o === null || typeof o !== 'object') return;
    spans.set(o, pointerSpan(file, ptr));
    if (Array.isArray(o)) o.forEach((x, i) => walk(x, `${ptr}/${i}`));
    else for (const [k, x] of Object.entries(o)) walk(x, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(json, '');
  return { product: json as Product, spans };
}

const cache = new Map<string, { mtime: number; rev: Revision; diagnostics: Diagnostic[] }>();

export function loadRevision(file: string): { rev: Revision; diagnostics: Diagnostic[] } {
  const mtime = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtime === mtime) return hit;
  const text = readFileSync(file, 'utf8');
  const shown = displayPath(file);
  const diagnostics: Diagnostic[] = [];
  let model: Model | undefined;
  if (file.endsWith('.json')) model = modelFromJson(text, shown, diagnostics);
  else {
    const parsed = parseProduct(text, shown);
    model = parsed.model;
    diagnostics.push(...parsed.diagnostics);
  }
  const empty: Product = { schema: 'yakkan/product@1', id: basename(file), name: {}, revision: '', inForce: {}, currency: 'JPY', source: '', facts: [], formulas: [], tables: [], rules: [], amounts: [], derived: [] };
  const checked = model ? check(model, loadSources()) : { product: empty, types: undefined as never, diagnostics: [] };
  diagnostics.push(...checked.diagnostics);
  const rev: Revision = { file: shown, source: text, checked, compiled: model && !hasErrors(diagnostics) ? compile(checked) : undefined };
  const entry = { mtime, rev, diagnostics };
  cache.set(file, entry);
  return entry;
}

export function loadProduct(path: string): LoadedProduct {
  const files = productFiles(path);
  const out: LoadedProduct = { path, revisions: [], diagnostics: [], sources: new Map() };
  if (files.length === 0) {
    out.diagnostics.push({ code: 'load/not-found', severity: 'error', message: `no product at ${path}`, hint: 'give a product folder (products/<id>) or a .yk / .json file' });
    return out;
  }
  for (const f of files) {
    const { rev, diagnostics } = loadRevision(f);
    out.revisions.push(rev);
    out.diagnostics.push(...diagnostics);
    out.sources.set(rev.file, rev.source);
  }
  const ids = new Set(out.revisions.map((r) => r.checked.product.id));
  if (ids.size > 1) {
    out.diagnostics.push({ code: 'load/mixed-products', severity: 'error', message: `${path} holds more than one product (${[...ids].join(', ')})`, hint: 'one folder per product; several files in it are revisions of that product' });
  }
  out.revisions.sort((a, b) => (a.checked.product.inForce.from ?? '').localeCompare(b.checked.product.inForce.from ?? ''));
  return out;
}

// The revision in force for these facts: the product's `chosen by` date fact, or --as-of.
// Never the clock: the same facts always select the same revision.
export function selectRevision(p: LoadedProduct, facts: unknown, asOf?: string): { rev?: Revision; why: string } {
  const usable = p.revisions.filter((r) => r.compiled);
  if (usable.length === 0) return { why: 'the product has errors; run yakkan check' };
  if (usable.length === 1 && !asOf) return { rev: usable[0]!, why: 'only revision' };
  const chosenBy = usable[usable.length - 1]!.checked.product.chosenBy;
  let date = asOf;
  let from = '--as-of';
  if (!date && chosenBy) {
    let cur: unknown = facts;
    for (const k of chosenBy.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
    if (typeof cur === 'string') {
      date = cur;
      from = chosenBy;
    }
  }
  if (!date) {
    if (usable.length === 1) return { rev: usable[0]!, why: 'only revision' };
    return { why: `several revisions: the facts must give ${chosenBy ?? 'a date'} (or use --as-of)` };
  }
  const inForce = usable.filter((r) => {
    const f = r.checked.product.inForce;
    return (!f.from || f.from <= date!) && (!f.until || date! <= f.until);
  });
  const rev = inForce[inForce.length - 1];
  if (!rev) return { why: `no revision is in force on ${date} (${from})` };
  return { rev, why: `in force on ${date} (${from})` };
}
