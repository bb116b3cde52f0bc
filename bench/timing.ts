// Interleaved timing. Every contender of a set runs one pass per round, in an order rotated each
// round, with a full gc() before each pass, so that host noise (other processes on the cores, the
// JIT, the collector) lands on all of them alike; ratios are taken within a round, then reported
// as the median and the range over the rounds. A pass runs for a fixed time over its corpus
// (cycling), so fast and slow contenders get the same share of the clock. Latency is a separate
// pass with each call timed alone (the hrtime pair would dominate a fast contender's throughput).
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Contender {
  name: string;
  corpus: string;
  // Decides claim i of n (0 <= i < n); a promise for the async engines.
  run: (i: number) => unknown;
  n: number;
  async?: boolean;
  // Calls kept in flight at once (async only); 1: each awaited before the next.
  inFlight?: number;
}

export interface Timed {
  name: string;
  corpus: string;
  // Per round: decisions a second of wall-clock time, and of this process's CPU time (all threads).
  rates: number[];
  cpuRates: number[];
  p50Us: number;
  p99Us: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

let sink = 0;
export const sinkBit = () => sink & 1;

// gc() even when node was started without --expose-gc.
export const gc: () => void = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

// Per round, a's rate over b's.
export function ratios(a: Timed, b: Timed): Spread {
  return spread(a.rates.map((r, k) => r / b.rates[k]!));
}

async function pass(
  c: Contender,
  start: number,
  ms: number,
  chunk: number,
): Promise<{ rate: number; cpuRate: number }> {
  const n = c.n;
  let k = start % n;
  let count = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  if (!c.async) {
    const run = c.run;
    do {
      for (let j = 0; j < chunk; j++) {
        sink ^= run(k) ? 1 : 0;
        if (++k === n) k = 0;
      }
      count += chunk;
    } while ((t = performance.now()) - t0 < ms);
  } else {
    const lane = async () => {
      while (performance.now() - t0 < ms) {
        const i = k;
        if (++k === n) k = 0;
        sink ^= (await c.run(i)) ? 1 : 0;
        count++;
      }
    };
    await Promise.all(Array.from({ length: c.inFlight ?? 1 }, lane));
    t = performance.now();
  }
  const cpu = process.cpuUsage(c0);
  return { rate: count / ((t - t0) / 1000), cpuRate: count / ((cpu.user + cpu.system) / 1e6) };
}

export interface TimingOptions {
  rounds: number;
  // Milliseconds per pass.
  passMs: number;
  // Calls timed alone per contender for p50/p99.
  latencyCalls: number;
  log?: (s: string) => void;
}

export async function interleaved(cs: Contender[], o: TimingOptions): Promise<Timed[]> {
  // Warm-up (the JIT compiles in the background, which a timed pass would pay for), and a chunk
  // size per contender: about a millisecond of calls between clock reads.
  const chunks: number[] = [];
  for (const c of cs) {
    const w = await pass(c, 0, o.passMs / 2, 1);
    chunks.push(Math.max(1, Math.min(4096, Math.floor(w.rate / 1000))));
  }
  const out: Timed[] = cs.map((c) => ({
    name: c.name,
    corpus: c.corpus,
    rates: [],
    cpuRates: [],
    p50Us: NaN,
    p99Us: NaN,
  }));
  for (let r = 0; r < o.rounds; r++) {
    for (let j = 0; j < cs.length; j++) {
      const at = (j + r) % cs.length;
      const c = cs[at]!;
      gc();
      const p = await pass(c, r * 7919, o.passMs, chunks[at]!);
      out[at]!.rates.push(p.rate);
      out[at]!.cpuRates.push(p.cpuRate);
    }
    o.log?.(`  round ${r + 1}/${o.rounds}`);
  }
  for (let at = 0; at < cs.length; at++) {
    const c = cs[at]!;
    const n = Math.min(o.latencyCalls, c.n);
    const lat = new Float64Array(n);
    gc();
    for (let i = 0; i < n; i++) {
      const a = process.hrtime.bigint();
      const v = c.async ? await c.run(i) : c.run(i);
      lat[i] = Number(process.hrtime.bigint() - a) / 1000;
      sink ^= v ? 1 : 0;
    }
    lat.sort();
    out[at]!.p50Us = lat[Math.floor(0.5 * n)]!;
    out[at]!.p99Us = lat[Math.min(n - 1, Math.floor(0.99 * n))]!;
  }
  return out;
}

// A node process run in cwd, spawn to exit, in ms; its stdout goes nowhere (printing is in the
// number, reading it is not). Exit 1 is a decision's answer (e.g. excluded), anything else fails.
export function spawnWall(cwd: string, args: string[], env: Record<string, string> = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
