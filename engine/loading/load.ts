// Loading: a product folder (or file) -> checked, compiled revisions. A `.yk` file goes through
// the DSL front end; a `.json` file is the compiled model written directly, validated by
// schemas/product.schema.json with errors that name the JSON pointer. Both then pass the same checks.
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Ajv } from 'ajv';
import { parseProduct } from '../../dsl/index.js';
import { chevrotainDeferred } from '../../dsl/chevrotain.js';
import { type Diagnostic, type Span, hasErrors, pointerSpan, spanAt } from '../../dsl/diagnostics.js';
import { MAX_EXPRESSION_DEPTH, type Model, type SpanMap } from '../../dsl/model.js';
import { emptyProduct, type Product } from '../../dsl/ir.js';
import { check, type Checked } from '../pipeline/check.js';
import { compile, decide, type Compiled, type DecideOptions } from '../pipeline/evaluate/index.js';
import { DECISION_SCHEMA_ID, type Decision } from '../pipeline/decision-types.js';
import { loadSources, projectRoot } from './sources.js';
import { newAjv } from '../pipeline/ajv.js';
import { factsShapeError } from '../pipeline/facts.js';
import { dateToDays, daysToDate } from '../pipeline/money.js';
import { isIsoDate } from '../../dsl/literals.js';
import { DECLARATION_WORDS } from '../../dsl/keywords.js';
import { cacheKey, readCached, writeCached } from './product-cache.js';
import { displayPath, productFiles } from './files.js';

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
    // `format: date` by hand: a calendar date, not just the pattern (no ajv-formats needed).
    productSchemaValidator = newAjv({ allErrors: true, strict: false, formats: { date: isIsoDate } }).compile(schema);
  }
  return productSchemaValidator;
}

export { productFiles };

export function modelFromJson(text: string, file: string, diagnostics: Diagnostic[]): Model | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    diagnostics.push({
      code: 'json/syntax',
      severity: 'error',
      message: (e as Error).message,
      span: pointerSpan(file, ''),
    });
    return undefined;
  }
  // Validation, the checker and the evaluator recurse once per level: as deep as a `.yk` file's
  // deepest expression may go (dsl/model.ts), and a little more for the objects around it.
  const deep = deeperThan(json, 2 * MAX_EXPRESSION_DEPTH + 64);
  if (deep !== undefined) {
    const message = `${deep || '/'} nests deeper than ${2 * MAX_EXPRESSION_DEPTH + 64} levels`;
    diagnostics.push({
      code: 'json/too-deep',
      severity: 'error',
      message,
      span: pointerSpan(file, deep),
      hint: 'split the expression into named formulas',
    });
    return undefined;
  }
  const v = productValidator();
  if (!v(json)) {
    for (const e of v.errors ?? []) {
      const ptr =
        e.keyword === 'additionalProperties'
          ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
          : e.instancePath;
      diagnostics.push({
        code: 'json/schema',
        severity: 'error',
        message: `${ptr || '/'} ${e.keyword === 'additionalProperties' ? 'is not allowed here' : (e.message ?? 'is invalid')}`,
        span: pointerSpan(file, ptr),
      });
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

// The pointer of the first value nested deeper than `limit`, found without recursion.
function deeperThan(json: unknown, limit: number): string | undefined {
  const stack: [unknown, string, number][] = [[json, '', 0]];
  while (stack.length) {
    const [v, ptr, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return ptr;
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) stack.push([x, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1]);
  }
  return undefined;
}

const cache = new Map<string, { mtime: number; rev: Revision; diagnostics: Diagnostic[] }>();

// Forget the revisions loaded in this process (the next load reads the file, or the disk cache, again).
export function forgetLoaded(): void {
  cache.clear();
}

export interface LoadOptions {
  // Use the compiled-model cache on disk (engine/loading/product-cache.ts): the CLI's commands on one product.
  diskCache?: boolean;
  // Compile a revision when its `compiled` is first read: a command deciding one claim of a
  // product with several revisions compiles only the one in force (the same closures, later).
  lazyCompile?: boolean;
}

// A revision whose closures are built now, or on first read of `compiled` (opts.lazyCompile).
function revision(file: string, source: string, checked: Checked, compilable: boolean, lazy: boolean): Revision {
  if (!lazy) return { file, source, checked, compiled: compilable ? compile(checked) : undefined };
  let compiled: Compiled | undefined | null = null;
  return {
    file,
    source,
    checked,
    get compiled() {
      if (compiled === null) compiled = compilable ? compile(checked) : undefined;
      return compiled;
    },
    set compiled(c: Compiled | undefined) {
      compiled = c;
    },
  };
}

// One product file's text, parsed (or read as JSON when the name ends in .json) and checked: what
// loading a file does, for a text that is not in a file (an editor's buffer, POST /v1/check).
export function checkText(text: string, shown: string): { model?: Model; checked: Checked; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let model: Model | undefined;
  if (shown.endsWith('.json')) model = modelFromJson(text, shown, diagnostics);
  else {
    const parsed = parseProduct(text, shown);
    model = parsed.model;
    diagnostics.push(...parsed.diagnostics);
  }
  const empty = emptyProduct(basename(shown));
  const checked = model ? check(model, loadSources()) : { product: empty, types: undefined as never, diagnostics: [] };
  diagnostics.push(...checked.diagnostics);
  return { ...(model ? { model } : {}), checked, diagnostics };
}

export function loadRevision(file: string, opts: LoadOptions = {}): { rev: Revision; diagnostics: Diagnostic[] } {
  const mtime = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtime === mtime) return hit;
  const text = readFileSync(file, 'utf8');
  const shown = displayPath(file);
  const key = opts.diskCache ? cacheKey(shown, text) : undefined;
  const stored = key ? readCached(key) : undefined;
  if (stored) {
    const { checked, diagnostics } = stored;
    const rev = revision(shown, text, checked, !hasErrors(diagnostics), opts.lazyCompile === true);
    const entry = { mtime, rev, diagnostics };
    cache.set(file, entry);
    return entry;
  }
  const { model, checked, diagnostics } = checkText(text, shown);
  // Stored before compile(), so the entry is the checked model exactly as check() left it. Never
  // when the parser was a stand-in (a file changed after the preload): its failure would be read
  // back on every later run.
  if (key && model && !chevrotainDeferred) writeCached(key, checked, diagnostics);
  const rev = revision(shown, text, checked, !!model && !hasErrors(diagnostics), opts.lazyCompile === true);
  const entry = { mtime, rev, diagnostics };
  cache.set(file, entry);
  return entry;
}

export function loadProduct(path: string, opts: LoadOptions = {}): LoadedProduct {
  const files = productFiles(path);
  const out: LoadedProduct = { path, revisions: [], diagnostics: [], sources: new Map() };
  if (files.length === 0) {
    out.diagnostics.push({
      code: 'load/not-found',
      severity: 'error',
      message: `no product at ${path}`,
      hint: 'give a product folder (products/<id>) or a .yk / .json file',
    });
    return out;
  }
  for (const f of files) {
    const { rev, diagnostics } = loadRevision(f, opts);
    out.revisions.push(rev);
    out.diagnostics.push(...diagnostics);
    out.sources.set(rev.file, rev.source);
  }
  const ids = new Set(out.revisions.map((r) => r.checked.product.id));
  if (ids.size > 1) {
    out.diagnostics.push({
      code: 'load/mixed-products',
      severity: 'error',
      message: `${path} holds more than one product (${[...ids].join(', ')})`,
      hint: 'one folder per product; several files in it are revisions of that product',
    });
  }
  // Dates as YYYY-MM-DD compare as strings; localeCompare would cost a cold start ~15 ms to set up ICU.
  out.revisions.sort((a, b) => {
    const x = a.checked.product.inForce.from ?? '';
    const y = b.checked.product.inForce.from ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
  if (ids.size === 1) checkRevisions(out);
  return out;
}

// The revision in force for these facts: the product's `chosen by` date fact, or --as-of.
// Never the clock: the same facts always select the same revision. With several revisions a
// missing date is reported as `missing` (the decision is undetermined, naming the fact) and a
// date no revision is in force on as an invalid fact (`errors`, with its JSON pointer): never a
// silent pick of the newest edition.
export interface Selection {
  rev?: Revision;
  why: string;
  missing?: string[];
  errors?: { pointer: string; message: string; expected: string }[];
}

function periodText(r: Revision): string {
  const p = r.checked.product;
  const f = p.inForce;
  return `${p.revision} ${f.from ? `from ${f.from}` : 'from the start'}${f.until ? ` until ${f.until}` : ''}`;
}

// The value at a dotted fact path (`policy.start_date`) of raw facts, or undefined.
export function factAt(facts: unknown, path: string): unknown {
  let cur: unknown = facts;
  for (const k of path.split('.'))
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

// Is this revision in force on this date (YYYY-MM-DD)? Its period includes both ends.
export function inForceOn(p: Product, date: string): boolean {
  return (!p.inForce.from || p.inForce.from <= date) && (!p.inForce.until || date <= p.inForce.until);
}

export function selectRevision(p: LoadedProduct, facts: unknown, asOf?: string): Selection {
  const usable = p.revisions.filter((r) => r.compiled);
  if (usable.length === 0) return { why: 'the product has errors; run yakkan check' };
  if (usable.length === 1 && !asOf) return { rev: usable[0]!, why: 'only revision' };
  const chosenBy = usable[usable.length - 1]!.checked.product.chosenBy;
  const id = usable[usable.length - 1]!.checked.product.id;
  const periods = usable.map(periodText).join('; ');
  let date = asOf;
  let from = '--as-of';
  if (asOf !== undefined && !isIsoDate(asOf)) return { why: `--as-of ${asOf} is not a date (YYYY-MM-DD)` };
  // Facts that are a list, a number or null choose nothing: an error, not a missing date.
  const shape = factsShapeError(facts, asOf ? undefined : chosenBy);
  if (shape) return { why: shape.message, errors: [shape] };
  const pointer = chosenBy ? `/${chosenBy.split('.').join('/')}` : '';
  if (!date && chosenBy) {
    const cur = factAt(facts, chosenBy);
    if (typeof cur === 'string' && isIsoDate(cur)) {
      date = cur;
      from = chosenBy;
    } else if (cur !== undefined && cur !== null) {
      const why = `${chosenBy} chooses the revision of ${id} and must be a date (YYYY-MM-DD), not ${JSON.stringify(cur)}`;
      return { why, errors: [{ pointer, message: why, expected: 'a date YYYY-MM-DD' }] };
    }
  }
  if (!date) {
    if (usable.length === 1) return { rev: usable[0]!, why: 'only revision' };
    if (!chosenBy)
      return { why: `${id} has several revisions (${periods}) and no \`chosen by\` date fact: use --as-of DATE` };
    return {
      why: `${id} has several revisions (${periods}): the facts must give ${chosenBy} to choose one (or use --as-of DATE)`,
      missing: [chosenBy],
    };
  }
  const inForce = usable.filter((r) => inForceOn(r.checked.product, date!));
  const rev = inForce[inForce.length - 1];
  if (!rev) {
    const why = `no revision of ${id} is in force on ${date} (${from}): ${periods}`;
    if (from === '--as-of') return { why };
    return { why, errors: [{ pointer, message: why, expected: `a date in force: ${periods}` }] };
  }
  return { rev, why: `${rev.checked.product.revision} is in force on ${date} (${from})` };
}

// The decision for these facts under the revision they choose. When the facts cannot choose one
// (the date fact is missing, or no revision is in force on it) that is itself a decision:
// `undetermined` naming the date fact, or `error` naming its pointer, never a silent refusal.
// `decision` is absent only when nothing in the facts could fix it (the product has errors,
// has no `chosen by`, or --as-of is not a date); `selection.why` then says what to do.
export function decideIn(
  p: LoadedProduct,
  facts: unknown,
  opts: DecideOptions & { asOf?: string } = {},
): { decision?: Decision; selection: Selection } {
  const selection = selectRevision(p, facts, opts.asOf);
  const rev = selection.rev;
  if (rev?.compiled)
    return { decision: decide(rev.compiled, facts, opts.trace === undefined ? {} : { trace: opts.trace }), selection };
  if (!selection.missing && !selection.errors) return { selection };
  const newest = p.revisions[p.revisions.length - 1]!.checked.product;
  // No rule ran, so the decision names no revision.
  const decision: Decision = {
    schema: DECISION_SCHEMA_ID,
    product: { id: newest.id, revision: '', source: newest.source },
    outcome: selection.errors ? 'error' : 'undetermined',
    eligibility: 'undetermined',
    deciding: [],
    missing: selection.missing ?? [],
    errors: selection.errors ?? [],
    reasons: [],
    items: [],
    lookups: [],
    amounts: [],
    formulas: [],
  };
  return { decision, selection };
}

// The first declaration after the product header.
const BODY_START = new RegExp(`^(${DECLARATION_WORDS.filter((w) => w !== 'product').join('|')})\\b`);

// Revisions of one product must agree on how they are chosen: the same `chosen by` date fact,
// an `in force from` each, and periods that do not overlap (the later edition would silently
// win the overlap). Reported at load time, so `yakkan check` shows it.
function checkRevisions(out: LoadedProduct): void {
  const revs = out.revisions.filter((r) => r.checked.product.id);
  if (revs.length < 2) return;
  const header = (r: Revision, key: 'chosenBy' | 'inForce'): Span => {
    if (r.file.endsWith('.json')) return pointerSpan(r.file, `/${key}`);
    const re = key === 'chosenBy' ? /^\s*chosen\s+by\b/ : /^\s*in\s+force\b/;
    const lines = r.source.split('\n');
    let offset = 0;
    for (let i = 0; i < lines.length; i++) {
      const m = re.exec(lines[i]!);
      if (m) {
        const col = lines[i]!.length - lines[i]!.trimStart().length;
        return spanAt(r.file, i + 1, col + 1, offset + col, lines[i]!.trim().length);
      }
      if (BODY_START.test(lines[i]!)) break;
      offset += lines[i]!.length + 1;
    }
    const p = lines.findIndex((l) => /^product\b/.test(l));
    const at = Math.max(p, 0);
    return spanAt(
      r.file,
      at + 1,
      1,
      lines.slice(0, at).reduce((n, l) => n + l.length + 1, 0),
      (lines[at] ?? '').length,
    );
  };
  const names = revs.map((r) => `${r.checked.product.revision} (${r.file})`).join(', ');
  const by = [...new Set(revs.map((r) => r.checked.product.chosenBy ?? ''))];
  if (by.length === 1 && by[0] === '') {
    out.diagnostics.push({
      code: 'load/revisions-chosen-by',
      severity: 'warning',
      span: header(revs[revs.length - 1]!, 'chosenBy'),
      message: `${out.path} has several revisions (${names}) but none says which date fact chooses between them: only --as-of can`,
      hint: 'add `chosen by <date fact>` (e.g. chosen by policy.start_date) to the header of every revision',
    });
  } else if (by.length > 1) {
    const newest = revs[revs.length - 1]!.checked.product.chosenBy ?? '';
    for (const r of revs) {
      const mine = r.checked.product.chosenBy ?? '';
      if (mine === newest) continue;
      out.diagnostics.push({
        code: 'load/revisions-chosen-by',
        severity: 'error',
        span: header(r, 'chosenBy'),
        message: `revision ${r.checked.product.revision} is ${mine ? `chosen by ${mine}` : 'not chosen by any date fact'}, but the newest revision ${revs[revs.length - 1]!.checked.product.revision} is ${newest ? `chosen by ${newest}` : 'chosen by none'}`,
        hint: `every revision of a product is chosen by the same date fact: write \`chosen by ${newest || mine}\` in each header`,
      });
    }
  }
  for (const r of revs) {
    if (!r.checked.product.inForce.from) {
      out.diagnostics.push({
        code: 'load/revisions-in-force',
        severity: 'warning',
        span: header(r, 'inForce'),
        message: `revision ${r.checked.product.revision} has no \`in force from\` date, so it cannot be told apart from the other revisions of ${out.path} by date`,
        hint: 'add `in force from YYYY-MM-DD` (and `until YYYY-MM-DD` if it ended) to its header',
      });
    }
  }
  const dated = revs.filter((r) => r.checked.product.inForce.from);
  for (let i = 1; i < dated.length; i++) {
    const a = dated[i - 1]!.checked.product;
    const b = dated[i]!.checked.product;
    if (!a.inForce.until || a.inForce.until >= b.inForce.from!) {
      out.diagnostics.push({
        code: 'load/revisions-overlap',
        severity: 'warning',
        span: header(dated[i - 1]!, 'inForce'),
        message: `revisions ${a.revision} (from ${a.inForce.from}${a.inForce.until ? ` until ${a.inForce.until}` : ', no end'}) and ${b.revision} (from ${b.inForce.from}) are both in force on ${b.inForce.from}: the later one would silently win`,
        hint: `end ${a.revision} the day before ${b.revision} starts: \`until ${daysToDate(dateToDays(b.inForce.from!) - 1)}\``,
      });
    }
  }
}
