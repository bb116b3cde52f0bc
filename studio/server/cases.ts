// The product's case files decided by the version the server serves now (not a cache of an
// earlier load: the studio saves and reruns), and a new case written from a decision the user
// has seen and confirmed, with that decision as its expectation.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import yaml from 'js-yaml';
import {
  type CaseFile,
  compareDecision,
  decideIn,
  type Decision,
  type LoadedProduct,
  type Mismatch,
  readCase,
  type ShownValue,
} from '../../engine/index.js';
import { fail } from '../../server/problem.js';
import type { ProductEntry } from '../../server/products.js';
import { CASE_NAME, caseFiles, caseFolder, writableTarget, writeAtomically } from './files.js';

type Expect = CaseFile['expect'];

export interface CaseRun {
  file: string;
  case: string;
  ok: boolean;
  error?: string;
  mismatches: Mismatch[];
  // The expectation, and the same fields as this decision gives them, to show side by side.
  expected?: Expect;
  actual?: Expect;
  facts?: unknown;
  as_of?: string;
}

export function runCaseFile(product: LoadedProduct, file: string): CaseRun {
  const name = basename(file);
  const { c, error } = readCase(file);
  if (!c) return { file: name, case: '', ok: false, mismatches: [], ...(error ? { error } : {}) };
  const base = { file: name, case: c.case, expected: c.expect, facts: c.facts, ...(c.as_of ? { as_of: c.as_of } : {}) };
  const { decision, selection } = decideIn(product, c.facts, c.as_of === undefined ? {} : { asOf: c.as_of });
  if (!decision) return { ...base, ok: false, mismatches: [], error: `cannot decide: ${selection.why}` };
  const mismatches = compareDecision(c, decision);
  return { ...base, ok: mismatches.length === 0, mismatches, actual: expectOf(decision, product.revisions.length > 1) };
}

// A product's cases take seconds (cyber's 262: about two): the server answers other requests
// in between, and its event-loop guard does not mistake the run for overload.
const SLICE_MS = 50;

export async function runCases(entry: ProductEntry, product: LoadedProduct): Promise<CaseRun[]> {
  const runs: CaseRun[] = [];
  let since = performance.now();
  for (const f of caseFiles(entry)) {
    runs.push(runCaseFile(product, f));
    if (performance.now() - since > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
  return runs;
}

function expectedValue(v: ShownValue | undefined): string | boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v)) return null;
  return v.amount;
}

// What a case file would expect for this decision to pass (compareDecision reads it back).
export function expectOf(d: Decision, pinRevision: boolean): Expect {
  const e: Expect = { outcome: d.outcome, eligibility: d.eligibility };
  if (pinRevision && d.product.revision) e.revision = d.product.revision;
  e.deciding = [...d.deciding];
  if (d.missing.length) e.missing = [...d.missing];
  if (d.errors.length) e.errors = d.errors.map((x) => x.pointer);
  if (d.amounts.length) e.amounts = Object.fromEntries(d.amounts.map((a) => [a.name, expectedValue(a.value)]));
  if (d.items.length) {
    e.items = d.items.map((it) => ({
      outcome: it.outcome,
      deciding: [...it.deciding],
      ...(it.missing.length ? { missing: [...it.missing] } : {}),
    }));
  }
  return e;
}

export interface NewCase {
  file: string;
  title: string;
  facts: Record<string, unknown>;
  as_of?: string;
  expect: Expect;
}

export function caseText(product: string, n: NewCase): string {
  const doc = { product, case: n.title, ...(n.as_of ? { as_of: n.as_of } : {}), facts: n.facts, expect: n.expect };
  return `# Saved from yakkan studio: the decision shown there, confirmed as the expected one.\n${yaml.dump(doc, {
    lineWidth: 120,
    noRefs: true,
  })}`;
}

// Writes the case (never over another file), checks it against the case schema by reading it
// back, and runs it. A file the schema refuses is removed again and reported.
export function writeCase(entry: ProductEntry, product: LoadedProduct, n: NewCase): CaseRun {
  if (!CASE_NAME.test(n.file))
    fail('invalid-request', 400, `${JSON.stringify(n.file)} is not a case file name (${CASE_NAME.source})`);
  if (caseFolder(entry) === undefined)
    fail('invalid-request', 403, `${entry.id} is served from one file: it has no cases folder`);
  const target = writableTarget(entry, n.file, CASE_NAME, 'cases');
  if (existsSync(target)) fail('invalid-request', 409, `cases/${n.file} exists already: choose another name`);
  mkdirSync(dirname(target), { recursive: true });
  writeAtomically(target, caseText(entry.id, n));
  const { error } = readCase(target);
  if (error) {
    rmSync(target);
    fail('invalid-request', 400, `not written: ${error}`);
  }
  return runCaseFile(product, target);
}
