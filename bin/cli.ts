// The yakkan command line. Exit codes: 0 ok, 1 a check or a case failed (or, for decide, the
// facts were invalid), 2 usage error.
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decideIn, loadProduct, type LoadedProduct } from '../engine/loading/load.js';
import { explain, type Lang } from '../engine/pipeline/explain.js';
import { findCaseFiles, runCase, formatFailure, readYaml } from '../engine/tools/cases.js';
import { factsSchema } from '../engine/pipeline/facts.js';
import { loadSources, sourcesDirSetting } from '../engine/loading/sources.js';
import { renderDiagnostics, hasErrors } from '../dsl/diagnostics.js';
import { formatSource } from '../dsl/format.js';
import { canonicalJson } from '../engine/pipeline/json.js';
import type { Command } from './args.js';

const USAGE = `yakkan — explainable decisions from insurance pamphlets

usage:
  yakkan check <product...>                 check products (all under products/ when none given)
  yakkan compile <product>                  print the compiled product JSON
  yakkan decide <product> <facts.yaml|json> [--as-of DATE]
                                            print the decision JSON
  yakkan decide --batch <product> <facts.ndjson> [--workers N]
                                            one decision per line, on all cores
  yakkan explain <product> <facts> [--lang ja|en] [--all] [--as-of DATE]
                                            explain the decision for people
  yakkan test [paths...] [--quiet] [--coverage]
                                            run case files (default: products/); --coverage
                                            then reports what they exercised (yakkan coverage)
  yakkan sources --json [products...]       every citation as one JSON array
  yakkan schema <product>                   the JSON Schema of the product's facts
  yakkan fmt <file.yk> [--write|--check]    format a product file

A <product> is a folder (products/nexi-ip-license) or one .yk / .json file.`;

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      const next = argv[i + 1];
      if (v !== undefined) flags.set(k!, v);
      else if (['as-of', 'lang'].includes(k!) && next !== undefined) {
        flags.set(k!, next);
        i++;
      } else flags.set(k!, true);
    } else positional.push(a);
  }
  return { positional, flags };
}

function fail(msg: string, code = 2): never {
  process.stderr.write(`yakkan: ${msg}\n`);
  process.exit(code);
}

function productDirs(): string[] {
  const root = resolve('products');
  if (!existsSync(root)) return [];
  return readdirSync(root).sort().map((d) => join('products', d)).filter((d) => statSync(d).isDirectory());
}

function load(path: string | undefined): LoadedProduct {
  if (!path) fail('name a product, e.g. products/nexi-ip-license');
  // From the compiled-model cache when the product is unchanged (engine/loading/product-cache.ts).
  const p = loadProduct(path, { diskCache: true });
  if (hasErrors(p.diagnostics)) {
    process.stderr.write(renderDiagnostics(p.diagnostics, p.sources) + '\n');
    process.exit(1);
  }
  return p;
}

function readFacts(path: string | undefined): unknown {
  if (!path) fail('name a facts file (YAML or JSON)');
  if (!existsSync(path)) fail(`no facts file at ${path}`);
  const text = readFileSync(path, 'utf8');
  try {
    const data = path.endsWith('.json') ? JSON.parse(text) : readYaml(text);
    // A case file can be used as a facts file: its facts are under `facts`.
    if (data && typeof data === 'object' && 'expect' in data && 'facts' in data) return (data as { facts: unknown }).facts;
    return data;
  } catch (e) {
    fail(`${path}: ${(e as Error).message.split('\n')[0]}`, 1);
  }
}

function decideFor(a: Args) {
  const p = load(a.positional[1]);
  const facts = readFacts(a.positional[2]);
  const asOf = a.flags.get('as-of');
  const { decision, selection } = decideIn(p, facts, typeof asOf === 'string' ? { asOf } : {});
  if (!decision) fail(`cannot decide: ${selection.why}`, 1);
  // Which edition decided and why goes to stderr: stdout stays the decision alone.
  if (p.revisions.length > 1) process.stderr.write(`revision: ${selection.why}\n`);
  return decision;
}

function main(argv: string[]): void {
  const a = parseArgs(argv);
  const cmd = a.positional[0];
  switch (cmd) {
    case 'check': {
      const paths = a.positional.length > 1 ? a.positional.slice(1) : productDirs();
      let errors = false;
      const sources = loadSources();
      if (!sources) process.stderr.write(`note: no seed folder at ${sourcesDirSetting().dir}: quotes are not checked (set YAKKAN_SOURCES)\n`);
      for (const path of paths) {
        const p = loadProduct(path);
        const text = renderDiagnostics(p.diagnostics, p.sources);
        const revs = p.revisions.map((r) => `${r.checked.product.id}@${r.checked.product.revision}`).join(', ');
        process.stdout.write(`${path}: ${revs || '(nothing loaded)'} — ${text.split('\n').pop()}\n`);
        if (p.diagnostics.length) process.stdout.write(text + '\n\n');
        if (hasErrors(p.diagnostics)) errors = true;
      }
      process.exit(errors ? 1 : 0);
      break;
    }
    case 'compile': {
      const p = load(a.positional[1]);
      const rev = p.revisions[p.revisions.length - 1]!;
      process.stdout.write(canonicalJson(rev.checked.product) + '\n');
      break;
    }
    case 'decide': {
      // `decide --batch facts.ndjson` is the streaming, multi-core form: bin/commands/batch.ts.
      if (a.flags.has('batch')) {
        const rest = argv.slice(1).filter((x) => x !== '--batch');
        import('./commands/batch.js').then(async (m: { run(argv: string[]): Promise<number> }) => {
          process.exitCode = await m.run(rest);
        });
        break;
      }
      const d = decideFor(a);
      process.stdout.write(canonicalJson(d) + '\n');
      process.exit(d.outcome === 'error' ? 1 : 0);
      break;
    }
    case 'explain': {
      const d = decideFor(a);
      const lang = a.flags.get('lang');
      if (lang !== undefined && lang !== 'ja' && lang !== 'en') fail('--lang is ja or en');
      process.stdout.write(explain(d, { lang: (lang as Lang) ?? 'ja', all: a.flags.has('all') }));
      process.exit(d.outcome === 'error' ? 1 : 0);
      break;
    }
    case 'test': {
      const paths = a.positional.length > 1 ? a.positional.slice(1) : ['products'];
      const files = findCaseFiles(paths);
      if (files.length === 0) fail('no case files found', 1);
      let passed = 0;
      let failed = 0;
      const report = (r: ReturnType<typeof runCase>) => {
        if (r.ok) {
          passed++;
          if (!a.flags.has('quiet')) process.stdout.write(`ok   ${r.file} — ${r.case}\n`);
        } else {
          failed++;
          process.stdout.write(formatFailure(r) + '\n');
        }
      };
      if (a.flags.has('coverage')) {
        // The same runs, folded into the coverage report (yakkan coverage prints only the report).
        import('../engine/tools/coverage.js').then((m) => {
          const cov = m.coverage(paths, report);
          process.stdout.write(`\n${passed} passed, ${failed} failed\n\ncoverage:\n\n${m.renderCoverage(cov)}`);
          process.exit(failed ? 1 : 0);
        });
        break;
      }
      for (const f of files) report(runCase(f));
      process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
      process.exit(failed ? 1 : 0);
      break;
    }
    case 'sources': {
      const paths = a.positional.length > 1 ? a.positional.slice(1) : productDirs();
      const out: { product: string; revision: string; rule: string; source: string; section: string; quote: string }[] = [];
      for (const path of paths) {
        const p = loadProduct(path);
        for (const r of p.revisions) {
          const prod = r.checked.product;
          const add = (rule: string, cs: { source: string; section: string; quote: string }[] | undefined) => {
            for (const c of cs ?? []) {
              out.push({ product: prod.id, revision: prod.revision, rule, source: c.source, section: c.section, quote: c.quote });
            }
          };
          for (const f of prod.facts) add(`fact:${f.name}`, (f as { cite?: never[] }).cite);
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
        }
      }
      process.stdout.write(a.flags.has('json') ? JSON.stringify(out) + '\n' : out.map((c) => `${c.product}@${c.revision} ${c.rule} ${c.source} §${c.section} 「${c.quote}」`).join('\n') + '\n');
      break;
    }
    case 'schema': {
      const p = load(a.positional[1]);
      process.stdout.write(JSON.stringify(factsSchema(p.revisions[p.revisions.length - 1]!.checked.product), null, 2) + '\n');
      break;
    }
    case 'fmt': {
      const file = a.positional[1];
      if (!file || !file.endsWith('.yk')) fail('fmt takes a .yk file');
      const src = readFileSync(file, 'utf8');
      const out = formatSource(src);
      if (a.flags.has('check')) {
        if (out !== src) {
          process.stdout.write(`${file} is not formatted (run yakkan fmt ${file} --write)\n`);
          process.exit(1);
        }
      } else if (a.flags.has('write')) {
        if (out !== src) {
          // Write through a temp file so an interrupted run never leaves half a product.
          const tmp = `${file}.fmt.tmp`;
          import('node:fs').then((fs) => {
            fs.writeFileSync(tmp, out);
            fs.renameSync(tmp, file);
          });
        }
      } else process.stdout.write(out);
      break;
    }
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(USAGE + extraUsage() + '\n');
      break;
    default: {
      // Commands kept in their own modules: bin/commands/<name>.ts is `yakkan <name>`.
      const mod = new URL(`./commands/${cmd}.js`, import.meta.url);
      if (!/^[a-z-]+$/.test(cmd) || !existsSync(mod)) fail(`unknown command ${cmd}\n\n${USAGE}${extraUsage()}`);
      import(mod.href).then(async (m: { command?: Command; run?(argv: string[]): Promise<number> | number }) => {
        process.exitCode = await (m.command ? m.command.run(argv.slice(1)) : m.run!(argv.slice(1)));
      });
    }
  }
}

function extraUsage(): string {
  const dir = new URL('./commands/', import.meta.url);
  if (!existsSync(dir)) return '';
  const names = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));
  return names.length ? `\n\nmore commands: ${names.join(', ')} (yakkan <command> --help)` : '';
}

main(process.argv.slice(2));
