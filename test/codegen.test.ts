// The generated code (engine/pipeline/codegen/) against the reference it stands beside:
// - the generated facts reader reads what readFactSlots reads, value for value, or gives up;
// - each generated rule function gives the truth value of the rule's closures, and each generated
//   per-item rule its closures' value and whether it applies, on every element of the list;
// - the decision writer writes JSON.stringify's bytes;
// - decide (generated reader and rules) = decideByReference, byte for byte, on claims whose
//   amounts are written as pamphlets write them and on rules the kill index cannot use.
import { describe, expect, it } from 'vitest';
import { basename, join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { decide, decideByReference, type Compiled } from '../engine/pipeline/evaluate/index.js';
import { newScope } from '../engine/pipeline/evaluate/compiled.js';
import { evalItemRule, evalRule, itemsOf } from '../engine/pipeline/evaluate/outcome.js';
import { itemScope } from '../engine/pipeline/evaluate/compiled.js';
import { Unknown } from '../engine/pipeline/evaluate/unknown.js';
import { factValue, readFactSlots } from '../engine/pipeline/facts.js';
import { showValue } from '../engine/pipeline/values.js';
import { readSlots } from '../engine/pipeline/codegen/reader.js';
import { generatedRules, ITEM_NOT_APPLIES } from '../engine/pipeline/codegen/rules.js';
import { decisionJson } from '../engine/pipeline/codegen/serialize.js';
import { findCaseFiles, productDirFor, readCase } from '../engine/tools/cases.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import { loadProduct, selectRevision, type Revision } from '../engine/loading/load.js';
import { nexiCorpus } from '../bench/corpus.js';
import { rulesProductMixed, scalingCorpus } from '../bench/scaling.js';
import { PRODUCTS, product, productDirs } from './helpers.js';

type Facts = Record<string, unknown>;
const shown = (slots: unknown[]) => JSON.stringify(slots.map((_, i) => showValue(factValue(slots, i))));

// Odd values a leaf may hold: pamphlet amounts, near-misses of every accepted form, other types.
const ODD: unknown[] = [
  '9,000万円',
  '1億2,345万6,789円',
  '12,345,678円',
  '12,345,678',
  'USD 5,000',
  'JPY 5,000',
  '1.5億円',
  ' 95%',
  '95%',
  '0.95',
  '95％',
  '1,000.5',
  '12,34',
  '-5',
  '5,000,円',
  '万円',
  '',
  '1e5',
  1e21,
  -1,
  3.5,
  12,
  true,
  null,
  [],
  {},
  '2026-02-30',
  '45 days',
  '9999999999999999',
  '999999999999999',
];

function mutations(facts: Facts): Facts[] {
  const out: Facts[] = [];
  for (const [section, v] of Object.entries(facts)) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
    for (const key of Object.keys(v)) {
      for (const odd of ODD) out.push({ ...facts, [section]: { ...(v as Facts), [key]: odd } });
    }
  }
  out.push({ ...facts, unknown_section: {} }, { ...facts, applicant: 'x' });
  return out;
}

function sameReading(c: Compiled, input: unknown, failures: string[], what: string): void {
  const gen = readSlots(c.product, input);
  const ref = readFactSlots(c.product, input);
  if (JSON.stringify(gen.errors) !== JSON.stringify(ref.errors)) failures.push(`${what}: errors differ`);
  else if (!gen.errors.length && shown(gen.slots) !== shown(ref.slots))
    failures.push(`${what}: ${shown(gen.slots)} vs ${shown(ref.slots)}`);
}

const revisions = () =>
  productDirs().flatMap((dir) =>
    product(dir)
      .revisions.filter((r): r is Revision & { compiled: Compiled } => r.compiled !== undefined)
      .map((r) => ({ dir, r })),
  );

describe('generated code = the reference it stands beside', () => {
  it('the generated reader reads every case file and its mutations as readFactSlots does', () => {
    const failures: string[] = [];
    let n = 0;
    for (const file of findCaseFiles([PRODUCTS])) {
      const { c } = readCase(file);
      if (!c) continue;
      const rev = selectRevision(product(productDirFor(file)), c.facts, c.as_of).rev;
      if (!rev?.compiled) continue;
      for (const m of [c.facts as Facts, ...mutations(c.facts as Facts).filter((_, i) => i % 13 === n % 13)]) {
        sameReading(rev.compiled, m, failures, `${basename(file)} #${n++}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(n).toBeGreaterThan(3000);
  });

  it('each generated rule function gives its closures’ truth value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yakkan-codegen-'));
    writeFileSync(join(dir, 'mixed.yk'), rulesProductMixed(300));
    const mixed = loadProduct(join(dir, 'mixed.yk')).revisions[0]!.compiled!;
    const sets: [Compiled, unknown[]][] = [
      [mixed, scalingCorpus(400)],
      ...revisions().map(({ dir: d, r }): [Compiled, unknown[]] => [
        r.compiled,
        [...generate([r], exampleFacts(d, r.checked.product), { seed: 7, count: 150 })].map((g) => g.facts),
      ]),
    ];
    const failures: string[] = [];
    let generated = 0;
    for (const [c, corpus] of sets) {
      const fns = generatedRules(c).fns;
      generated += fns.filter(Boolean).length;
      for (const facts of corpus) {
        const { slots, errors } = readFactSlots(c.product, facts);
        if (errors.length) continue;
        const s = newScope(slots, false, c.itemList);
        fns.forEach((fn, i) => {
          if (!fn) return;
          const want = evalRule(c.claimRules[i]!, s);
          const got = fn(slots, new Array(slots.length));
          if (got !== (want instanceof Unknown ? 2 : want ? 1 : 0))
            failures.push(`${c.product.id} ${c.claimRules[i]!.rule.id}: ${got}`);
        });
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(generated).toBeGreaterThan(300);
  });

  it('each generated per-item rule gives its closures’ value and applies as they do, item by item', () => {
    const failures: string[] = [];
    let generated = 0;
    let compared = 0;
    for (const { dir, r } of revisions()) {
      const c = r.compiled;
      if (c.itemRules.length === 0) continue;
      const fns = generatedRules(c).items;
      generated += fns.filter(Boolean).length;
      // Generated claims, and the same with each item's fields one at a time left out or odd.
      const claims = [...generate([r], exampleFacts(dir, r.checked.product), { seed: 13, count: 120 })].map(
        (g) => g.facts as Facts,
      );
      const list = c.itemList!.split('.');
      const variants = claims.flatMap((f, n) => {
        const items = (f[list[0]!] as Facts | undefined)?.[list[1]!];
        if (!Array.isArray(items) || items.length === 0 || !items[0] || typeof items[0] !== 'object') return [f];
        const first = items[0] as Facts;
        const keys = Object.keys(first);
        const key = keys[n % keys.length]!;
        const { [key]: _gone, ...without } = first;
        const odd = { ...first, [key]: ODD[n % ODD.length] };
        const withItems = (x: Facts) => ({
          ...f,
          [list[0]!]: { ...(f[list[0]!] as Facts), [list[1]!]: [x, ...items.slice(1)] },
        });
        return [f, withItems(without), withItems(odd)];
      });
      for (const facts of variants) {
        const { slots, errors } = readFactSlots(c.product, facts);
        if (errors.length) continue;
        const items = itemsOf(c, slots);
        if (!items) continue;
        const s = newScope(slots, false, c.itemList);
        items.forEach((it, i) => {
          const is = itemScope(s, it, i, c.itemList!);
          fns.forEach((fn, k) => {
            if (!fn) return;
            const want = evalItemRule(is, c.itemRules[k]!, k, i, false);
            const got = fn(slots, new Array(slots.length), it);
            compared++;
            const ok =
              got === 2
                ? want.fires instanceof Unknown
                : !(want.fires instanceof Unknown) &&
                  (got === 1) === want.fires &&
                  (got !== ITEM_NOT_APPLIES) === want.applies;
            if (!ok) failures.push(`${c.product.id} ${c.itemRules[k]!.rule.id} item ${i}: ${got}`);
          });
        });
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(generated).toBeGreaterThan(150);
    expect(compared).toBeGreaterThan(20_000);
  });

  it('the decision writer writes what JSON.stringify writes, on every case file and generated claim, both modes', () => {
    const failures: string[] = [];
    let n = 0;
    const check = (c: Compiled, facts: unknown, what: string) => {
      for (const trace of [false, true]) {
        const d = decide(c, facts, { trace });
        // Twice: the first decision of a revision is also checked inside the writer.
        for (const _ of [0, 1]) if (decisionJson(c, d) !== JSON.stringify(d)) failures.push(`${what} trace ${trace}`);
        n++;
      }
    };
    for (const file of findCaseFiles([PRODUCTS])) {
      const { c } = readCase(file);
      const rev = c && selectRevision(product(productDirFor(file)), c.facts, c.as_of).rev;
      if (c && rev?.compiled) check(rev.compiled, c.facts, basename(file));
    }
    for (const { dir, r } of revisions()) {
      for (const g of generate([r], exampleFacts(dir, r.checked.product), { seed: 9, count: 40 }))
        check(r.compiled, g.facts, g.why);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(n).toBeGreaterThan(1500);
  });

  it('decide = decideByReference on pamphlet amounts and on rules the index cannot use', () => {
    const nexi = product(join(PRODUCTS, 'nexi-ip-license')).revisions.at(-1)!.compiled!;
    const dir = mkdtempSync(join(tmpdir(), 'yakkan-codegen-'));
    writeFileSync(join(dir, 'mixed.yk'), rulesProductMixed(300));
    const mixed = loadProduct(join(dir, 'mixed.yk')).revisions[0]!.compiled!;
    const failures: string[] = [];
    for (const [c, corpus] of [
      [nexi, nexiCorpus(3000, 11, 0.5)],
      [mixed, scalingCorpus(500)],
    ] as const) {
      corpus.forEach((facts, i) => {
        for (const trace of [false, true]) {
          const a = JSON.stringify(decide(c, facts, { trace }));
          const b = JSON.stringify(decideByReference(c, facts, { trace }));
          if (a !== b) failures.push(`${c.product.id} #${i} trace ${trace}`);
        }
      });
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
