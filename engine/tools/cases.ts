// Case files: scenarios as data. Each file is validated by schemas/case.schema.json, run through
// the product revision its facts select, and compared field by field. A failure names the file,
// the case, the field, and expected vs actual.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import yaml from 'js-yaml';
import type { Ajv } from 'ajv';
import { newAjv } from '../pipeline/ajv.js';
import { parseMoney, parsePlainNumber, parsePercent } from '../../dsl/literals.js';
import { decideIn, loadProduct, type LoadedProduct } from '../loading/load.js';
import { projectRoot } from '../loading/sources.js';
import type { Decision, ShownValue } from '../pipeline/decision-types.js';
import { dec } from '../pipeline/money.js';

export interface CaseFile {
  file: string;
  product: string;
  case: string;
  as_of?: string;
  facts: Record<string, unknown>;
  expect: {
    outcome?: string;
    eligibility?: string;
    deciding?: string[];
    missing?: string[];
    errors?: string[];
    revision?: string;
    amounts?: Record<string, string | boolean | null>;
    items?: { outcome?: string; deciding?: string[]; missing?: string[]; amounts?: Record<string, string | null> }[];
  };
}

export interface Mismatch {
  field: string;
  expected: unknown;
  actual: unknown;
}

export interface CaseResult {
  file: string;
  case: string;
  product: string;
  ok: boolean;
  mismatches: Mismatch[];
  decision?: Decision;
  error?: string;
}

let caseValidator: ReturnType<Ajv['compile']> | undefined;

// YAML's core schema keeps 2026-02-01 a string (the default schema would make it a Date).
export function readYaml(text: string): unknown {
  return yaml.load(text, { schema: yaml.CORE_SCHEMA });
}

export function readCase(file: string): { c?: CaseFile; error?: string } {
  let data: unknown;
  try {
    data = readYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    return { error: `YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  caseValidator ??= newAjv({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(join(projectRoot(), 'schemas', 'case.schema.json'), 'utf8')) as object,
  );
  if (!caseValidator(data)) {
    const e = caseValidator.errors![0]!;
    const where =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
        : e.instancePath || '/';
    const pin =
      where === '/revision'
        ? ' (expect.revision checks the revision used; as_of: DATE chooses the revision in force on DATE)'
        : '';
    return {
      error: `case file ${where}: ${e.keyword === 'additionalProperties' ? `is not a case-file field${pin}` : e.message}`,
    };
  }
  return { c: { ...(data as Omit<CaseFile, 'file'>), file } };
}

export function findCaseFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (!existsSync(p)) return;
    if (statSync(p).isFile()) {
      if (/\.ya?ml$/.test(p)) out.push(p);
      return;
    }
    for (const f of readdirSync(p).sort()) {
      const full = join(p, f);
      if (statSync(full).isDirectory()) {
        if (f === 'node_modules' || f === 'examples') continue;
        walk(full);
      } else if (/\.ya?ml$/.test(f) && (p.endsWith('cases') || p.includes(`${'cases'}/`))) out.push(full);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

// The product a case belongs to: the product folder above its cases folder.
export function productDirFor(caseFile: string): string {
  let d = dirname(caseFile);
  while (d !== dirname(d)) {
    if (readdirSync(d).some((f) => f.endsWith('.yk') || (f.endsWith('.json') && f !== 'package.json'))) return d;
    d = dirname(d);
  }
  return dirname(dirname(caseFile));
}

function sameValue(expected: string | boolean | null, actual: ShownValue | undefined): boolean {
  if (expected === null) return actual === null;
  if (actual === undefined || actual === null) return false;
  if (typeof expected === 'boolean') return actual === expected;
  if (typeof actual === 'object' && !Array.isArray(actual) && 'amount' in actual) {
    const m = parseMoney(expected);
    if (m && m.currency !== actual.currency) return false;
    const n = m?.amount ?? parsePlainNumber(expected);
    return n !== undefined && dec(n).eq(dec(actual.amount));
  }
  if (typeof actual === 'string') {
    const a = parsePlainNumber(actual);
    const e = parsePlainNumber(expected) ?? parsePercent(expected);
    if (a !== undefined && e !== undefined) return dec(a).eq(dec(e));
    return actual === expected;
  }
  return String(actual) === String(expected);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

export function compareDecision(c: CaseFile, d: Decision): Mismatch[] {
  const m: Mismatch[] = [];
  const e = c.expect;
  if (e.outcome !== undefined && e.outcome !== d.outcome)
    m.push({ field: 'outcome', expected: e.outcome, actual: d.outcome });
  if (e.eligibility !== undefined && e.eligibility !== d.eligibility)
    m.push({ field: 'eligibility', expected: e.eligibility, actual: d.eligibility });
  if (e.revision !== undefined && e.revision !== d.product.revision)
    m.push({ field: 'revision', expected: e.revision, actual: d.product.revision });
  if (e.deciding && !sameSet(e.deciding, d.deciding))
    m.push({ field: 'deciding', expected: e.deciding, actual: d.deciding });
  if (e.missing && !sameSet(e.missing, d.missing)) m.push({ field: 'missing', expected: e.missing, actual: d.missing });
  if (
    e.errors &&
    !sameSet(
      e.errors,
      d.errors.map((x) => x.pointer),
    )
  )
    m.push({ field: 'errors', expected: e.errors, actual: d.errors.map((x) => `${x.pointer} (${x.message})`) });
  for (const [name, want] of Object.entries(e.amounts ?? {})) {
    const a = d.amounts.find((x) => x.name === name);
    const f = d.formulas.find((x) => x.name === name);
    const got = a ? a.value : f ? f.value : undefined;
    if (a === undefined && f === undefined)
      m.push({ field: `amounts.${name}`, expected: want, actual: '(no such amount or formula)' });
    else if (!sameValue(want, got)) m.push({ field: `amounts.${name}`, expected: want, actual: got ?? null });
  }
  (e.items ?? []).forEach((want, i) => {
    const got = d.items[i];
    if (!got) {
      m.push({ field: `items[${i}]`, expected: want, actual: '(no such item)' });
      return;
    }
    if (want.outcome !== undefined && want.outcome !== got.outcome)
      m.push({ field: `items[${i}].outcome`, expected: want.outcome, actual: got.outcome });
    if (want.deciding && !sameSet(want.deciding, got.deciding))
      m.push({ field: `items[${i}].deciding`, expected: want.deciding, actual: got.deciding });
    if (want.missing && !sameSet(want.missing, got.missing))
      m.push({ field: `items[${i}].missing`, expected: want.missing, actual: got.missing });
    for (const [name, wantV] of Object.entries(want.amounts ?? {})) {
      const a = d.amounts.find((x) => x.name === name);
      const v = a?.items?.[i];
      if (!sameValue(wantV, v)) m.push({ field: `items[${i}].amounts.${name}`, expected: wantV, actual: v ?? null });
    }
  });
  return m;
}

const products = new Map<string, LoadedProduct>();

export function runCase(file: string): CaseResult {
  const shown = relative(process.cwd(), file);
  const { c, error } = readCase(file);
  if (!c) return { file: shown, case: '', product: '', ok: false, mismatches: [], error };
  const dir = productDirFor(file);
  let p = products.get(dir);
  if (!p) {
    p = loadProduct(dir);
    products.set(dir, p);
  }
  const { decision: d, selection } = decideIn(p, c.facts, c.as_of === undefined ? {} : { asOf: c.as_of });
  const failed = (error: string): CaseResult => ({
    file: shown,
    case: c.case,
    product: c.product,
    ok: false,
    mismatches: [],
    error,
  });
  if (!d) return failed(`cannot decide: ${selection.why}`);
  if (selection.rev && selection.rev.checked.product.id !== c.product)
    return failed(`case names product ${c.product}, but ${dir} holds ${selection.rev.checked.product.id}`);
  const mismatches = compareDecision(c, d);
  // A case whose facts choose no revision fails with the reason alone, beside the mismatches.
  const why = mismatches.length && !selection.rev ? `cannot decide: ${selection.why}` : undefined;
  return {
    file: shown,
    case: c.case,
    product: c.product,
    ok: mismatches.length === 0,
    mismatches,
    decision: d,
    ...(why ? { error: why } : {}),
  };
}

export function formatFailure(r: CaseResult): string {
  const head = `FAIL ${r.file} — ${r.case || '(unreadable case)'}`;
  if (r.error) return `${head}\n  ${r.error}`;
  return [
    head,
    ...r.mismatches.map((m) => `  ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`),
  ].join('\n');
}
