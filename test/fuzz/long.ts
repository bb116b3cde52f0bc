// `npm run fuzz -- --minutes N [--seed S]`: the fuzz properties for N minutes (default 1), round
// robin, in batches with fresh seeds. Each new kind of failure is shrunk by fast-check and written
// under test/fuzz/regressions/ (which `npm test` replays); the run ends with what it found.
import fc from 'fast-check';
import { PROPERTIES, signature, writeRepro, run, readRepros, type Property, type Repro } from './properties.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} takes a number`);
  return v;
}

const minutes = arg('minutes', 1);
// A case slower than this is a failure too (a hang, or work out of proportion to the input):
// timed here, never in npm test.
const slowMs = arg('slow-ms', 5000);

function timed<T>(p: Property<T>): fc.IPropertyWithHooks<[T]> {
  return fc.property(p.arb, (x) => {
    const t0 = performance.now();
    const o = run(p.input(x));
    const ms = performance.now() - t0;
    if (o.violations.length) throw new Error(o.violations.join('\n'));
    if (ms > slowMs) throw new Error(`slow: ${Math.round(ms)} ms for one case`);
  });
}
let seed = arg('seed', Date.now() % 1_000_000_007);
const deadline = Date.now() + minutes * 60_000;
const known = new Set(
  readRepros()
    .map(({ repro }) => signature(run(repro).violations))
    .filter(Boolean),
);
const counts = new Map<string, number>();
const found: string[] = [];
let slowest = { ms: 0, what: '' };

process.stdout.write(`fuzzing for ${minutes} minute(s) from seed ${seed}\n`);
for (let round = 0; Date.now() < deadline; round++) {
  const p = PROPERTIES[round % PROPERTIES.length]!;
  const prop = timed(p);
  const t0 = Date.now();
  const details = fc.check(prop, { seed, numRuns: 200, endOnFailure: false });
  const ms = (Date.now() - t0) / 200;
  if (ms > slowest.ms) slowest = { ms, what: p.name };
  counts.set(p.name, (counts.get(p.name) ?? 0) + details.numRuns);
  if (details.failed && details.counterexample) {
    const repro = p.input(details.counterexample[0]);
    const t0 = performance.now();
    const violations = run(repro).violations;
    const ms = performance.now() - t0;
    if (violations.length === 0 && ms > slowMs) violations.push(`slow: ${Math.round(ms)} ms for one case`);
    const sig = signature(violations);
    if (violations.length && !known.has(sig)) {
      known.add(sig);
      const small = reduce(repro, sig);
      const id = writeRepro(small, run(small).violations);
      found.push(`${id}: ${violations[0]!.slice(0, 200)}`);
      process.stdout.write(`found ${id} (${p.name}, seed ${seed}): ${violations[0]!.slice(0, 200)}\n`);
    }
  }
  seed = (seed * 48271 + 11) % 2147483647;
}
for (const [name, n] of counts) process.stdout.write(`${name}: ${n.toLocaleString('en')} cases\n`);
process.stdout.write(`slowest batch: ${slowest.what}, ${slowest.ms.toFixed(1)} ms a case\n`);
process.stdout.write(
  found.length
    ? `${found.length} new failure(s), written to test/fuzz/regressions/:\n${found.join('\n')}\n`
    : 'nothing found\n',
);
process.exitCode = found.length ? 1 : 0;

// fast-check shrinks the edits; this shrinks the product they were made to: lines of a `.yk`
// file, then array items and object keys of a JSON product, each dropped while the same kind
// of failure remains. Greedy and bounded in time, so a long run is not held up by it.
function reduce(r: Repro, sig: string): Repro {
  if (r.product) return r;
  const until = Date.now() + 60_000;
  const same = (text: string) => {
    const v = run({ ...r, text }).violations;
    return v.length > 0 && signature(v) === sig;
  };
  let text = r.text;
  if (r.ext === '.yk') {
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0 && Date.now() < until; i--) {
      const trial = [...lines.slice(0, i), ...lines.slice(i + 1)];
      if (same(trial.join('\n'))) lines.splice(i, 1);
    }
    return { ...r, text: lines.join('\n') };
  }
  for (let changed = true; changed && Date.now() < until; ) {
    changed = false;
    const root = JSON.parse(text) as unknown;
    const holders: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) {
        v.forEach((x, i) => {
          holders.push([v, i]);
          walk(x);
        });
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          holders.push([v as Record<string, unknown>, k]);
          walk(x);
        }
      }
    };
    walk(root);
    for (const [h, k] of holders.reverse()) {
      if (Date.now() >= until) break;
      const saved = (h as Record<string, unknown>)[k];
      if (Array.isArray(h)) h.splice(k as number, 1);
      else delete h[k as string];
      const trial = JSON.stringify(root, null, 1);
      if (same(trial)) {
        text = trial;
        changed = true;
        break;
      }
      if (Array.isArray(h)) h.splice(k as number, 0, saved);
      else h[k as string] = saved;
    }
  }
  return { ...r, text };
}
