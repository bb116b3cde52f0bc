// Same product revision + same facts = byte-identical decision, also across fresh compiles;
// a product compiled to JSON loads back and decides the same.
import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseProduct } from '../dsl/index.js';
import { check } from '../engine/pipeline/check.js';
import { compile, decide } from '../engine/pipeline/evaluate/index.js';
import { loadProduct } from '../engine/loading/load.js';
import { readYaml } from '../engine/tools/cases.js';
import { canonicalJson } from '../engine/pipeline/json.js';
import { renderDiagnostics } from '../dsl/diagnostics.js';
import { ROOT } from './helpers.js';

const NEXI = join(ROOT, 'products', 'nexi-ip-license');
const facts = readYaml(readFileSync(join(NEXI, 'examples', 'claim.yaml'), 'utf8'));

function freshDecision(): string {
  const src = readFileSync(join(NEXI, 'product.yk'), 'utf8');
  const { model } = parseProduct(src, 'product.yk');
  return canonicalJson(decide(compile(check(model)), facts));
}

describe('determinism', () => {
  it('two fresh compiles give byte-identical decisions', () => {
    expect(freshDecision()).toBe(freshDecision());
  });
  it('the compiled JSON is the same twice', () => {
    const src = readFileSync(join(NEXI, 'product.yk'), 'utf8');
    expect(canonicalJson(parseProduct(src, 'p.yk').model.product)).toBe(
      canonicalJson(parseProduct(src, 'p.yk').model.product),
    );
  });
});

describe('a product written as JSON', () => {
  const src = readFileSync(join(NEXI, 'product.yk'), 'utf8');
  const json = canonicalJson(parseProduct(src, 'product.yk').model.product);
  const dir = mkdtempSync(join(tmpdir(), 'yakkan-json-'));
  it('loads and decides like the DSL', () => {
    const file = join(dir, 'nexi.json');
    writeFileSync(file, json);
    const p = loadProduct(file);
    expect(renderDiagnostics(p.diagnostics, p.sources)).toBe('0 errors, 0 warnings');
    expect(canonicalJson(decide(p.revisions[0]!.compiled!, facts))).toBe(freshDecision());
  });
  it('reports schema errors by JSON pointer', () => {
    const broken = JSON.parse(json) as { rules: { kind: string }[] };
    broken.rules[2]!.kind = 'exclusion';
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    const p = loadProduct(file);
    expect(p.diagnostics.some((d) => d.span?.pointer === '/rules/2/kind')).toBe(true);
  });
  it('checks names in JSON conditions too', () => {
    const broken = JSON.parse(json) as { rules: { when?: { fact?: string; all?: { fact: string }[] } }[] };
    const r = broken.rules.find((x) => x.when?.all);
    r!.when!.all![0]!.fact = 'loss.riks';
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify(broken));
    const p = loadProduct(file);
    const text = renderDiagnostics(p.diagnostics, p.sources);
    expect(text).toContain('unknown name loss.riks');
    expect(text).toContain('did you mean loss.risk?');
  });
});
