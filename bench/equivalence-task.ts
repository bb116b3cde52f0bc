// The equivalence run's parts (bench/equivalence.ts is the command; test/equivalence-corpus.test.ts
// runs the same parts small): a seeded corpus per revision, rewritten the way real facts files
// arrive, compared on the worker pool, and a mismatch reduced to a small reproducer.
//
// The corpus: engine/tools/generate.ts (the example claim, one variation per threshold, enum
// value, table row and left-out fact, then random mixes), and on top of it, seeded per revision,
// a quarter of the claims with their amounts, rates and durations written as pamphlets write them
// (`1億2,345万円`, `JPY 5,000`, `90%`, `30日`) and a sixth with one fact malformed (wrong type,
// null, bad grouping, an impossible date, a currency or unit that does not match, an unknown key,
// a list that is not one). The generator cannot write those: its variations are plain values.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { FieldDecl, Product, TypeRef } from '../dsl/ir.js';
import { loadProduct, type LoadedProduct, type Revision } from '../engine/loading/load.js';
import { decisionJson } from '../engine/pipeline/codegen/serialize.js';
import { type Compiled, decide, decideByReference } from '../engine/pipeline/evaluate/index.js';
import { exampleFacts, generate, prng } from '../engine/tools/generate.js';
import { defineTask, inlinePool, ordered, type Pool, threadPool } from '../engine/tools/pool.js';

type Facts = Record<string, unknown>;
export type CompiledRevision = Revision & { compiled: Compiled };

// ---- the corpus

// One place in a facts file with the type declared for it.
interface Leaf {
  path: (string | number)[];
  type: TypeRef;
}

function getAt(o: unknown, path: (string | number)[]): unknown {
  let cur = o;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function setAt(o: Facts, path: (string | number)[], value: unknown): void {
  let cur = o as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const next = cur[path[i]!];
    if (next === null || typeof next !== 'object') return;
    cur = next as Record<string | number, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

// The leaves present in these facts, item fields included.
function leaves(decls: FieldDecl[], facts: unknown, prefix: (string | number)[] = []): Leaf[] {
  const out: Leaf[] = [];
  for (const f of decls) {
    const path = [...prefix, ...f.name.split('.')];
    const v = getAt(facts, path);
    if (v === undefined) continue;
    out.push({ path, type: f.type });
    if (f.type.kind === 'list' && Array.isArray(v)) {
      const of = f.type.of;
      v.forEach((_, i) => {
        if (of.kind === 'record') out.push(...leaves(of.fields, facts, [...path, i]));
        else out.push({ path: [...path, i], type: of });
      });
    }
  }
  return out;
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// 123456789 -> 1億2,345万6,789
function japanese(n: bigint): string {
  const oku = n / 100_000_000n;
  const man = (n / 10_000n) % 10_000n;
  const rest = n % 10_000n;
  let s = '';
  if (oku) s += `${grouped(String(oku))}億`;
  if (man) s += `${grouped(String(man))}万`;
  if (rest || !s) s += grouped(String(rest));
  return s;
}

const UNIT_WORDS: Record<string, string[]> = {
  days: ['days', '日'],
  months: ['months', 'カ月', 'ヶ月', 'か月'],
  years: ['years', '年'],
};

// The same value as a pamphlet writes it, or undefined when this value has no other spelling.
function pamphlet(t: TypeRef, v: unknown, rand: () => number): unknown {
  switch (t.kind) {
    case 'money': {
      if (typeof v !== 'string') return undefined;
      const m = /^(\d+)(\.\d+)?$/.exec(v);
      if (!m) return undefined;
      const whole = m[1]!;
      const frac = m[2] ?? '';
      const ways = [
        `${grouped(whole)}${frac}`,
        `${t.currency} ${grouped(whole)}${frac}`,
        `${t.currency}${whole}${frac}`,
      ];
      if (t.currency === 'JPY' && !frac) {
        ways.push(`${whole}円`, `${japanese(BigInt(whole))}円`, japanese(BigInt(whole)));
        if (BigInt(whole) % 10_000_000n === 0n && BigInt(whole) > 0n)
          ways.push(`${new Decimal(whole).div(100_000_000).toFixed()}億円`);
      }
      if (t.currency === 'USD') ways.push(`${grouped(whole)}${frac}ドル`);
      return pick(rand, ways);
    }
    case 'rate': {
      if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v)) return undefined;
      return `${new Decimal(v).mul(100).toFixed()}${pick(rand, ['%', '％'])}`;
    }
    case 'decimal': {
      const m = typeof v === 'string' ? /^(\d+)(\.\d+)?$/.exec(v) : null;
      return m ? `${grouped(m[1]!)}${m[2] ?? ''}` : undefined;
    }
    case 'duration': {
      if (typeof v !== 'number') return undefined;
      const w = pick(rand, UNIT_WORDS[t.unit] ?? [t.unit]);
      return /^[a-z]/.test(w) ? `${v} ${w}` : `${v}${w}`;
    }
    default:
      return undefined;
  }
}

// A value the facts schema refuses (or, for a few, one it accepts at an edge: a huge amount, an
// empty list), for a leaf of this type.
function malformed(t: TypeRef, v: unknown, rand: () => number): unknown {
  const common: unknown[] = [null, {}, [1]];
  switch (t.kind) {
    case 'money':
      return pick(rand, [
        ...common,
        Number(v) || 1000,
        'abc',
        '-5',
        '1,00,000',
        t.currency === 'JPY' ? 'USD 5,000' : '5,000円',
        '',
        '１０００',
        '9,000万円円',
        '9'.repeat(45),
        '9'.repeat(30),
        '1.5',
        ' 1000',
      ]);
    case 'rate':
      return pick(rand, [...common, 0.5, 'abc', '5%%', '-0.1', '150%', '1,5', '.5']);
    case 'decimal':
      return pick(rand, [...common, 1.5, 'x', '1,2', '-1', '1e3']);
    case 'integer':
      return pick(rand, [...common, -1, 1.5, '3', 2 ** 60, true]);
    case 'date':
      return pick(rand, [...common, '2025-02-30', '2025/01/01', 20250101, '', '2025-13-01', '0000-00-00']);
    case 'time':
      return pick(rand, [...common, '24:00', '9:00', 900, '12:60']);
    case 'duration':
      return pick(rand, [...common, -1, 1.5, '3 weeks', t.unit === 'days' ? '3 months' : '30 days', '', 'x日']);
    case 'enum':
      return pick(rand, [...common, 'not-a-value', 1, true, '']);
    case 'boolean':
      return pick(rand, [...common, 'true', 1, 0, 'はい']);
    case 'text':
      return pick(rand, [...common, 5, false, '']);
    case 'list':
      return pick(rand, [...common, 'not a list', [], [null], [{}]]);
    case 'record':
      return pick(rand, [...common, 'x', []]);
  }
}

// This claim as it might arrive: unchanged, written the pamphlet way, or with one fault.
export function rewrite(p: Product, facts: Facts, rand: () => number): { facts: unknown; how?: string } {
  const r = rand();
  if (r < 0.6) return { facts };
  const ls = leaves(p.facts, facts);
  if (r < 0.85) {
    const changed: string[] = [];
    for (const l of ls) {
      if (rand() < 0.5) continue;
      const w = pamphlet(l.type, getAt(facts, l.path), rand);
      if (w === undefined) continue;
      setAt(facts, l.path, w);
      changed.push(`${l.path.join('.')}=${JSON.stringify(w)}`);
    }
    return changed.length ? { facts, how: `written as in a pamphlet: ${changed.join(', ')}` } : { facts };
  }
  const k = rand();
  if (k < 0.08) {
    facts[pick(rand, ['zz_unknown', 'claim', 'policy'])] = pick(rand, [1, 'x', null, { zz: 1 }]);
    return { facts, how: 'an unknown key or a group replaced' };
  }
  if (k < 0.1) {
    const whole = pick(rand, [null, [], 'facts', 42, [facts]]);
    return { facts: whole, how: `facts replaced by ${JSON.stringify(whole).slice(0, 40)}` };
  }
  if (ls.length === 0) return { facts };
  const l = pick(rand, ls);
  const bad = malformed(l.type, getAt(facts, l.path), rand);
  setAt(facts, l.path, bad);
  return { facts, how: `malformed: ${l.path.join('.')}=${JSON.stringify(bad)?.slice(0, 60)}` };
}

export interface Claim {
  why: string;
  text: string;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

// 53 bits of a text (FNV-1a in two lanes): to skip claims already made; a collision only skips one.
function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const x = s.charCodeAt(i);
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

// `count` different claims for one revision, the same for the same seed. The generator repeats
// itself on small products (its random mixes draw from a few hundred variations), so repeats are
// skipped; after `count` × 20 draws a small product gives what it has (fewer than `count`).
export function* claimsFor(dir: string, rev: CompiledRevision, seed: number, count: number): Generator<Claim> {
  const p = rev.checked.product;
  const rand = prng(seed ^ hash(`${basename(dir)}/${basename(rev.file)}`));
  const seen = new Set<number>();
  let n = 0;
  for (const g of generate([rev], exampleFacts(dir, p), { seed, count: count * 20 })) {
    const { facts, how } = rewrite(p, g.facts, rand);
    const text = JSON.stringify(facts) ?? 'null';
    const h = hash53(text);
    if (seen.has(h)) continue;
    seen.add(h);
    yield { why: how ? `${g.why}; ${how}` : g.why, text };
    if (++n >= count) return;
  }
}

export function compiledRevisions(p: LoadedProduct): CompiledRevision[] {
  return p.revisions.filter((r): r is CompiledRevision => r.compiled !== undefined);
}

// ---- one claim, four decisions

export type Side = 'lean' | 'trace' | 'writer-lean' | 'writer-trace';

export interface Mismatch {
  side: Side;
  // The first place the two texts differ, as a JSON path with both values.
  where: string;
}

function text(f: () => unknown): string {
  try {
    return JSON.stringify(f()) ?? 'undefined';
  } catch (e) {
    return `threw: ${(e as Error).message}`;
  }
}

function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (JSON.stringify(ka) !== JSON.stringify(kb))
      return `${path || '/'}: keys ${JSON.stringify(ka)} vs ${JSON.stringify(kb)}`;
    for (const k of ka) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (JSON.stringify(x) !== JSON.stringify(y)) return firstDifference(x, y, `${path}/${k}`);
    }
  }
  return `${path || '/'}: ${JSON.stringify(a)?.slice(0, 400)} vs ${JSON.stringify(b)?.slice(0, 400)}`;
}

function describe(a: string, b: string): string {
  try {
    return firstDifference(JSON.parse(a), JSON.parse(b));
  } catch {
    return `${a.slice(0, 400)} vs ${b.slice(0, 400)}`;
  }
}

// decide against decideByReference in both trace modes, and the revision's decision writer
// against JSON.stringify of decide's decision. Each call reads its own parse of the claim, so a
// side that changed its input could not hide a difference from the other.
export function compareClaim(c: Compiled, claim: string, outcomes?: Record<string, number>): Mismatch | undefined {
  for (const trace of [false, true]) {
    const fast = (() => {
      try {
        return decide(c, JSON.parse(claim), { trace });
      } catch (e) {
        return e as Error;
      }
    })();
    const a = fast instanceof Error ? `threw: ${fast.message}` : (JSON.stringify(fast) ?? 'undefined');
    const b = text(() => decideByReference(c, JSON.parse(claim), { trace }));
    if (!trace && outcomes && !(fast instanceof Error)) outcomes[fast.outcome] = (outcomes[fast.outcome] ?? 0) + 1;
    if (a !== b) return { side: trace ? 'trace' : 'lean', where: `decide vs reference at ${describe(a, b)}` };
    if (!(fast instanceof Error)) {
      const w = (() => {
        try {
          return decisionJson(c, fast);
        } catch (e) {
          return `threw: ${(e as Error).message}`;
        }
      })();
      if (w !== a)
        return { side: trace ? 'writer-trace' : 'writer-lean', where: `writer vs JSON.stringify at ${describe(w, a)}` };
    }
  }
  return undefined;
}

// ---- on the pool

export interface Chunk {
  dir: string;
  revision: string;
  first: number;
  claims: Claim[];
}

export interface ChunkResult {
  n: number;
  differ: number;
  outcomes: Record<string, number>;
  // The chunk's first mismatch.
  mismatch?: Mismatch & { index: number; claim: Claim };
}

export const compareChunks = defineTask('equivalence/compare', import.meta.url, (_init: Record<string, never>) => {
  // One product at a time: the run goes product by product, so older ones can be dropped.
  let held: { dir: string; revs: Map<string, Compiled> } | undefined;
  const revisionOf = (dir: string, revision: string): Compiled => {
    if (held?.dir !== dir) {
      const revs = new Map(compiledRevisions(loadProduct(dir)).map((r) => [basename(r.file), r.compiled]));
      held = { dir, revs };
    }
    const c = held.revs.get(revision);
    if (!c) throw new Error(`${dir}: no compiled revision ${revision}`);
    return c;
  };
  return (chunk: Chunk): ChunkResult => {
    const c = revisionOf(chunk.dir, chunk.revision);
    const outcomes: Record<string, number> = {};
    let mismatch: ChunkResult['mismatch'];
    let differ = 0;
    chunk.claims.forEach((claim, i) => {
      const m = compareClaim(c, claim.text, outcomes);
      if (!m) return;
      differ++;
      mismatch ??= { ...m, index: chunk.first + i, claim };
    });
    return { n: chunk.claims.length, differ, outcomes, ...(mismatch ? { mismatch } : {}) };
  };
});

// ---- reducing a mismatch

// Smaller facts that still differ on the same side: leaves and list items dropped, lists cut to
// one item, one at a time while the difference stays (greedy; seconds at most for one claim).
export function reduceFacts(c: Compiled, facts: unknown, side: Side): unknown {
  return reduce(facts, (f) => compareClaim(c, JSON.stringify(f) ?? 'null')?.side === side);
}

// The smallest facts found, dropping one key or list item at a time, for which `fails` holds.
export function reduce(facts: unknown, fails: (facts: unknown) => boolean): unknown {
  if (!fails(facts) || facts === null || typeof facts !== 'object') return facts;
  let cur = JSON.parse(JSON.stringify(facts)) as Facts;
  const paths = (o: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
    if (o === null || typeof o !== 'object') return [];
    const keys: (string | number)[] = Array.isArray(o) ? o.map((_, i) => i) : Object.keys(o);
    // Deepest first within each key, then the key itself.
    return keys.flatMap((k) => [...paths((o as Record<string | number, unknown>)[k], [...prefix, k]), [...prefix, k]]);
  };
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of paths(cur).reverse()) {
      const next = JSON.parse(JSON.stringify(cur)) as Facts;
      const parent = p.length === 1 ? next : getAt(next, p.slice(0, -1));
      if (parent === null || typeof parent !== 'object') continue;
      const k = p[p.length - 1]!;
      if (Array.isArray(parent)) parent.splice(k as number, 1);
      else delete (parent as Record<string, unknown>)[k];
      if (fails(next)) {
        cur = next;
        progress = true;
        break;
      }
    }
  }
  return cur;
}

// ---- the run

export interface Reproducer {
  product: string;
  revision: string;
  side: Side;
  where: string;
  why: string;
  // The claim as generated, and the smallest facts found that still differ on the same side.
  facts: unknown;
  minimal: unknown;
}

export interface ProductResult {
  product: string;
  revisions: { file: string; claims: number }[];
  compared: number;
  outcomes: Record<string, number>;
  mismatches: number;
  first?: Reproducer;
  reproducer?: string;
  seconds: number;
}

export interface RunOptions {
  products: string[];
  n: number;
  seed: number;
  // 0: in this thread (tests); otherwise worker threads of the built module.
  workers: number;
  // Where a reproducer is written; none when undefined.
  out?: string;
  chunk?: number;
  progress?: (line: string) => void;
}

// Claims per revision: at least n for the product, split over its revisions.
export function perRevision(n: number, revisions: number): number {
  return Math.ceil(n / Math.max(1, revisions));
}

export async function runEquivalence(o: RunOptions, onProduct?: (r: ProductResult) => void): Promise<ProductResult[]> {
  const pool: Pool<Chunk, ChunkResult> =
    (o.workers > 0 ? threadPool(compareChunks, {}, { workers: o.workers, depth: 2 }) : undefined) ??
    inlinePool(compareChunks, {});
  const results: ProductResult[] = [];
  const size = o.chunk ?? 200;
  try {
    for (const dir of o.products) {
      const t = performance.now();
      const revs = compiledRevisions(loadProduct(dir));
      const per = perRevision(o.n, revs.length);
      const r: ProductResult = {
        product: basename(dir),
        revisions: [],
        compared: 0,
        outcomes: {},
        mismatches: 0,
        seconds: 0,
      };
      let lastNote = performance.now();
      for (const rev of revs) {
        const revision = basename(rev.file);
        function* chunks(): Generator<Chunk> {
          let first = 0;
          let claims: Claim[] = [];
          for (const claim of claimsFor(dir, rev, o.seed, per)) {
            claims.push(claim);
            if (claims.length === size) {
              yield { dir, revision, first, claims };
              first += claims.length;
              claims = [];
            }
          }
          if (claims.length) yield { dir, revision, first, claims };
        }
        let compared = 0;
        for await (const done of ordered(pool, chunks())) {
          compared += done.n;
          for (const [k, v] of Object.entries(done.outcomes)) r.outcomes[k] = (r.outcomes[k] ?? 0) + v;
          r.mismatches += done.differ;
          if (done.mismatch) {
            if (!r.first) {
              const m = done.mismatch;
              const facts = JSON.parse(m.claim.text) as unknown;
              r.first = {
                product: r.product,
                revision,
                side: m.side,
                where: m.where,
                why: `claim ${m.index}: ${m.claim.why}`,
                facts,
                minimal: reduceFacts(rev.compiled, facts, m.side),
              };
            }
          }
          if (o.progress && performance.now() - lastNote > 5000) {
            lastNote = performance.now();
            const s = (lastNote - t) / 1000;
            o.progress(
              `${r.product} ${revision}: ${(r.compared + compared).toLocaleString('en-US')} of ${(per * revs.length).toLocaleString('en-US')} (${Math.round((r.compared + compared) / s)}/s), ${r.mismatches} differ`,
            );
          }
        }
        r.revisions.push({ file: revision, claims: compared });
        r.compared += compared;
      }
      r.seconds = (performance.now() - t) / 1000;
      if (r.first && o.out) {
        mkdirSync(o.out, { recursive: true });
        r.reproducer = join(
          o.out,
          `${r.product}--${r.first.revision.replace(/\.(yk|json)$/, '')}--${r.first.side}.json`,
        );
        writeFileSync(r.reproducer, `${JSON.stringify(r.first, null, 2)}\n`);
      }
      results.push(r);
      onProduct?.(r);
    }
  } finally {
    await pool.close();
  }
  return results;
}
