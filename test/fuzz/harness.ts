// The fuzz invariant, shared by the seeded suite in `npm test` and the long runs of `npm run fuzz`:
// a product file, however broken, gives diagnostics whose spans lie inside it, or a clean model
// that compiles and decides (and explains) the sample facts. Never an exception.
import { parseProduct } from '../../dsl/index.js';
import type { Diagnostic } from '../../dsl/diagnostics.js';
import { hasErrors } from '../../dsl/diagnostics.js';
import { check } from '../../engine/pipeline/check.js';
import { compile, decide, type Compiled } from '../../engine/pipeline/evaluate/index.js';
import type { Decision } from '../../engine/pipeline/decision-types.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explain } from '../../engine/pipeline/explain.js';
import { modelFromJson } from '../../engine/loading/load.js';
import { loadSources, projectRoot, type SourceFolder } from '../../engine/loading/sources.js';

export interface Outcome {
  // What went wrong; empty when the invariant holds.
  violations: string[];
  // Did the file check clean (and so reach compile and decide)?
  clean: boolean;
}

let sources: SourceFolder | undefined | null = null;
function seedSources(): SourceFolder | undefined {
  if (sources === null) sources = loadSources();
  return sources;
}

// Every span names this file and lies inside its text (a JSON product's spans are pointers).
function spanViolations(ds: Diagnostic[], file: string, text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n').length;
  for (const d of ds) {
    const where = `${d.code} "${d.message.slice(0, 80)}"`;
    if (d.code.startsWith('internal/')) out.push(`internal error: ${where}`);
    const s = d.span;
    if (!s) {
      out.push(`no span: ${where}`);
      continue;
    }
    if (s.file !== file) out.push(`span in ${s.file}, not ${file}: ${where}`);
    if (s.pointer !== undefined) {
      if (s.pointer !== '' && !s.pointer.startsWith('/')) out.push(`bad pointer ${s.pointer}: ${where}`);
      continue;
    }
    const { start, end } = s;
    const ints = [start.line, start.column, start.offset, end.line, end.column, end.offset].every(Number.isInteger);
    if (
      !ints ||
      start.line < 1 ||
      start.line > lines ||
      start.column < 1 ||
      start.offset < 0 ||
      start.offset > text.length ||
      end.offset < start.offset ||
      end.offset > text.length + 1 ||
      end.line < start.line
    ) {
      out.push(`span outside the file (${JSON.stringify(s)}): ${where}`);
    }
  }
  return out;
}

function thrown(stage: string, e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const at = (err.stack ?? '')
    .split('\n')
    .slice(1, 4)
    .map((l) => l.trim())
    .join(' | ');
  return `${stage} threw ${err.name}: ${err.message.slice(0, 200)} (${at})`;
}

// Compile the clean product and decide each sample, traced and lean, and explain in both languages.
function exercise(checked: Parameters<typeof compile>[0], facts: unknown[], out: string[]): void {
  let compiled: Compiled;
  try {
    compiled = compile(checked);
  } catch (e) {
    out.push(thrown('compile', e));
    return;
  }
  decideAll(compiled, facts, out);
}

function decideAll(compiled: Compiled, facts: unknown[], out: string[]): void {
  for (const f of facts) {
    try {
      const d = decide(compiled, f, { trace: true });
      decide(compiled, f, { trace: false });
      explain(d, { lang: 'en' });
      explain(d, { lang: 'ja', all: true });
      out.push(...decisionViolations(d));
    } catch (e) {
      out.push(thrown('decide', e));
      return;
    }
  }
}

// A decision is one of: an error naming each bad fact by pointer, undetermined naming the facts
// it needs, or an outcome whose amounts are finite numbers.
function decisionViolations(d: Decision): string[] {
  const out: string[] = [];
  if (d.outcome === 'error') {
    if (d.errors.length === 0) out.push('outcome error without errors');
    for (const e of d.errors)
      if (typeof e.pointer !== 'string' || (e.pointer !== '' && !e.pointer.startsWith('/')))
        out.push(`error without a pointer: ${JSON.stringify(e)}`);
    return out;
  }
  if (d.outcome === 'undetermined' && d.missing.length === 0) out.push('undetermined without missing facts');
  for (const a of d.amounts) {
    const v = a.value;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !/^-?\d+(\.\d+)?$/.test(v.amount))
      out.push(`amount ${a.name} is ${v.amount}`);
  }
  return out;
}

const compiledSeeds = new Map<string, Compiled | undefined>();

// Facts decided by a product that checks clean (a bundled one), compiled once per process.
export function runFacts(productFile: string, facts: unknown[]): Outcome {
  if (!compiledSeeds.has(productFile)) {
    const text = readFileSync(join(projectRoot(), productFile), 'utf8');
    const { model, diagnostics } = parseProduct(text, productFile);
    const checked = check(model);
    compiledSeeds.set(productFile, hasErrors([...diagnostics, ...checked.diagnostics]) ? undefined : compile(checked));
  }
  const compiled = compiledSeeds.get(productFile);
  if (!compiled) return { violations: [], clean: false };
  const violations: string[] = [];
  decideAll(compiled, facts, violations);
  return { violations, clean: true };
}

// `seeds: false` checks without the seed folder: generated programs quote nothing real.
export function runDsl(text: string, file: string, facts: unknown[] = [], opts: { seeds?: boolean } = {}): Outcome {
  const violations: string[] = [];
  let diagnostics: Diagnostic[] = [];
  let checked: ReturnType<typeof check> | undefined;
  try {
    const parsed = parseProduct(text, file);
    diagnostics = parsed.diagnostics;
    checked = check(parsed.model, opts.seeds === false ? undefined : seedSources());
    diagnostics = [...diagnostics, ...checked.diagnostics];
  } catch (e) {
    return { violations: [thrown('parse/check', e)], clean: false };
  }
  violations.push(...spanViolations(diagnostics, file, text));
  const clean = !hasErrors(diagnostics);
  if (clean) exercise(checked, facts, violations);
  return { violations, clean };
}

export function runJsonProduct(text: string, file: string, facts: unknown[] = []): Outcome {
  const violations: string[] = [];
  const diagnostics: Diagnostic[] = [];
  let checked: ReturnType<typeof check> | undefined;
  try {
    const model = modelFromJson(text, file, diagnostics);
    if (model) {
      checked = check(model, seedSources());
      diagnostics.push(...checked.diagnostics);
    }
  } catch (e) {
    return { violations: [thrown('load/check', e)], clean: false };
  }
  violations.push(...spanViolations(diagnostics, file, text));
  const clean = checked !== undefined && !hasErrors(diagnostics);
  if (clean) exercise(checked!, facts, violations);
  return { violations, clean };
}

export function runProductFile(text: string, file: string, facts: unknown[] = []): Outcome {
  return file.endsWith('.json') ? runJsonProduct(text, file, facts) : runDsl(text, file, facts);
}
