// What the commands share once the engine is loaded: a product that must load cleanly, a facts
// file (or standard input), the bundled product folders. Commands on one product reach this
// module through bin/preload.ts, after the compiled-model cache has been read.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hasErrors, renderDiagnostics } from '../dsl/diagnostics.js';
import { decideIn, loadProduct, type LoadedProduct } from '../engine/loading/load.js';
import type { Decision } from '../engine/pipeline/decision-types.js';
import { readYaml } from '../engine/tools/cases.js';
import { checkFactsSize, parseFactsJson } from '../engine/pipeline/facts.js';
import { CliError, EXIT, UsageError } from './args.js';

export function productDirs(): string[] {
  const root = resolve('products');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((d) => join('products', d))
    .filter((d) => statSync(d).isDirectory());
}

export function requirePath(path: string, what: string): void {
  if (!existsSync(path)) throw new UsageError(`no ${what} at ${path}`);
}

// A product with errors cannot decide anything: its diagnostics, and exit 2.
export function loadClean(path: string): LoadedProduct {
  requirePath(path, 'product');
  // From the compiled-model cache when the product is unchanged (engine/loading/product-cache.ts);
  // of several revisions, only the ones a command reads are compiled.
  const p = loadProduct(path, { diskCache: true, lazyCompile: true });
  if (hasErrors(p.diagnostics) || p.revisions.length === 0) {
    const text = p.diagnostics.length ? renderDiagnostics(p.diagnostics, p.sources) : 'no product revision';
    throw new CliError(`${path} has errors:\n${text}`, EXIT.usage);
  }
  return p;
}

export function newestRevision(p: LoadedProduct): LoadedProduct['revisions'][number] {
  return p.revisions[p.revisions.length - 1]!;
}

export async function readText(path: string): Promise<string> {
  if (path === '-') {
    let text = '';
    process.stdin.setEncoding('utf8');
    for await (const chunk of process.stdin) text += chunk as string;
    return text;
  }
  requirePath(path, 'file');
  if (statSync(path).isDirectory()) throw new UsageError(`${path} is a folder, not a file`);
  return readFileSync(path, 'utf8');
}

// Facts as YAML or JSON, from a file or `-` (standard input, JSON when it looks like JSON).
// A case file works too: its facts are under `facts`.
export async function readFactsFile(path: string): Promise<unknown> {
  const text = await readText(path);
  const json = path.endsWith('.json') || (path === '-' && /^\s*[{[]/.test(text));
  let data: unknown;
  try {
    data = json ? parseFactsJson(text) : readYaml(checkFactsSize(text));
  } catch (e) {
    const where = path === '-' ? 'standard input' : path;
    throw new CliError(`${where} is not ${json ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`, EXIT.usage);
  }
  if (data && typeof data === 'object' && 'expect' in data && 'facts' in data)
    return (data as { facts: unknown }).facts;
  return data;
}

export async function decideFile(
  productPath: string,
  factsPath: string,
  opts: { asOf?: string; trace?: boolean; log?: string },
): Promise<Decision> {
  const p = loadClean(productPath);
  const facts = await readFactsFile(factsPath);
  const options = { ...(opts.asOf ? { asOf: opts.asOf } : {}), ...(opts.trace === false ? { trace: false } : {}) };
  const { decision, selection } = decideIn(p, facts, options);
  if (!decision) throw new CliError(`cannot decide: ${selection.why}`, EXIT.usage);
  // --log: appended as the server appends its decisions (server/log/record.ts).
  if (opts.log !== undefined) {
    const { logDecision } = await import('../server/log/record.js');
    await logDecision(opts.log, p, facts, options, decision).catch((e: Error) =>
      Promise.reject(new CliError(e.message, EXIT.usage)),
    );
  }
  // Which edition decided and why goes to stderr: stdout stays the decision alone.
  if (p.revisions.length > 1) process.stderr.write(`revision: ${selection.why}\n`);
  return decision;
}

// A decision with invalid facts is a failure (exit 1); every other outcome is a decision made.
export function decisionExit(d: Decision): number {
  return d.outcome === 'error' ? EXIT.failed : EXIT.ok;
}
