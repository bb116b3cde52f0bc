// An NDJSON line read straight from its text (codegen/reader.ts lineReader, batch.ts) gives what
// parsing it and deciding the parsed facts gives: the same slots, and byte for byte the same
// output line in both modes; on anything it is unsure of it steps aside.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nexiCorpus } from '../bench/corpus.js';
import { lineReader, readSlots } from '../engine/pipeline/codegen/reader.js';
import { batchLine, type DecideFacts, decisionText } from '../engine/tools/batch.js';
import { readYaml } from '../engine/tools/cases.js';
import { corpusFiles } from '../engine/tools/diff.js';
import { parseFactsLine } from '../engine/tools/ndjson.js';
import { exampleFacts, generate } from '../engine/tools/generate.js';
import { product, productDirs } from './helpers.js';

// Variations of a facts line: layout JSON allows, and what JSON.parse, the repeated-key check
// or the reader refuse or read differently.
function mutations(line: string): string[] {
  const facts = JSON.parse(line) as Record<string, Record<string, unknown>>;
  const [k1] = Object.keys(facts);
  const inner = k1 ? Object.keys(facts[k1] ?? {})[0] : undefined;
  const out = [
    JSON.stringify(facts, null, 2).replace(/\n/g, ' '),
    ` \t${line}\r`,
    line.replace(/:/g, ' : ').replace(/,/g, ' ,\t'),
    `${line} x`,
    `${line}}`,
    line.slice(0, -1),
    `[${line}]`,
    '{}',
    '{ }',
    '{"":1}',
    line.replace(/"(\d+)"/, '$1'),
    line.replace(/true/, 'null'),
    line.replace(/true/, '"true"'),
    line.replace(/false/, '0'),
    line.replace(/"(\d{4}-\d\d-\d\d)"/, '"$1\\u0030"'),
    line.replace(/"(\d{4}-\d\d-\d\d)"/, '"\\"$1"'),
    line.replace(/"(\d{4}-\d\d-\d\d)"/, '"$1\t"'),
    line.replace(/:(\d+)/, ':$1.0'),
    line.replace(/:(\d+)/, ':$1e0'),
    line.replace(/:(\d+)/, ':-$1'),
    line.replace(/:(\d+)/, ':0$1'),
    line.replace(/:(\d+)/, ':$1.'),
    line.replace(/:(\d+)/, ':1e400'),
    line.replace(/:(\d+)/, ':-0'),
    line.replace(/:(\d+)/, ':[$1]'),
    line.replace(/:(\d+)/, ':{}'),
  ];
  // A fact given twice, both times valid; a text with a raw control character.
  out.push(line.replace(/("[\w.]+":("[^"]*"|true|false|-?\d+))/, '$1,$1'));
  out.push(line.replace(/":"([^"]*)"/, '":"$1\t"'));
  if (k1) {
    out.push(line.replace(`{"${k1}":`, `{"${k1}":{},"${k1}":`));
    out.push(line.replace(`"${k1}":`, `"${k1}x":`));
    out.push(line.replace(`{"${k1}":`, `{"${k1}":null,"${k1}":`));
    out.push(`${line.slice(0, -1)},"${k1}":{}}`);
    if (inner) {
      out.push(line.replace(`"${inner}":`, `"${inner}":0,"${inner}":`));
      out.push(line.replace(`"${inner}":`, `"${inner}":null,"zz${inner}":`));
    }
  }
  return out;
}

const general =
  (d: DecideFacts): DecideFacts =>
  (facts: unknown) =>
    d(facts);

describe('NDJSON lines read from their text', () => {
  it('NEXI: the same output lines as parsing first, both modes, on a corpus and its mutations', () => {
    const p = product(join(productDirs().find((d) => d.endsWith('nexi-ip-license'))!));
    const lines = nexiCorpus(400, 11, 0.3).map((f) => JSON.stringify(f));
    const all = [...lines, ...lines.slice(0, 60).flatMap(mutations)];
    for (const trace of [false, true]) {
      const d = decisionText(p, { trace });
      expect(d.line).toBeDefined();
      let direct = 0;
      all.forEach((line, i) => {
        if (d.line!(line) !== undefined) direct++;
        expect(batchLine(line, i + 1, d), line).toEqual(batchLine(line, i + 1, general(d)));
      });
      expect(direct).toBeGreaterThan(lines.length * 0.9);
    }
  });

  it('every product it reads: the slots readSlots gives for the parsed line', () => {
    let read = 0;
    for (const dir of productDirs()) {
      const p = product(dir);
      for (const rev of p.revisions) {
        const c = rev.compiled;
        const r = c && lineReader(c.product);
        if (!c || !r) continue;
        const facts = [
          ...corpusFiles(join(dir, 'cases')).map(
            (f) => (readYaml(readFileSync(f, 'utf8')) as { facts: unknown }).facts,
          ),
          ...[...generate([{ ...rev, compiled: c }], exampleFacts(dir, c.product), { seed: 5, count: 300 })].map(
            (g) => g.facts,
          ),
        ];
        for (const f of facts) {
          const line = JSON.stringify(f);
          const texts = [line, ...mutations(line)];
          // Every text fact once with a raw tab (JSON.parse refuses it), and once plain.
          for (const t of c.product.facts.filter((x) => x.type.kind === 'text')) {
            const g = structuredClone(f) as Record<string, unknown>;
            const path = t.name.split('.');
            let o = g;
            for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
            o[path.at(-1)!] = 'CTRL';
            texts.push(JSON.stringify(g).replace('"CTRL"', '"a\tb"'), JSON.stringify(g));
          }
          for (const text of texts) {
            const slots = r(text);
            let parsed: unknown;
            try {
              parsed = parseFactsLine(text);
            } catch {
              expect(slots, text).toBeUndefined();
              continue;
            }
            if (slots === undefined) continue;
            read++;
            expect(slots, text).toEqual(readSlots(c.product, parsed).slots);
          }
        }
      }
    }
    expect(read).toBeGreaterThan(500);
  });
});
