// The service's limits, all configurable (docs/server.md). Overload is answered early and cheaply
// with 503 and Retry-After: too many requests in flight, an event loop that has fallen behind, or
// a decision log that cannot keep up. Under twice the sustainable load the server keeps deciding
// at its sustainable rate and turns the rest away, instead of queueing until clients time out
// and memory runs out.
import type { LoadedProduct } from '../engine/loading/load.js';
import { fail } from './problem.js';

export interface Limits {
  // Largest JSON body (facts, product source), in bytes.
  bodyLimit: number;
  // Longest array in one claim's facts (claim.items and the like).
  maxItems: number;
  // Lines in one batch request.
  maxBatchLines: number;
  // Milliseconds to receive a whole request (Node closes slower ones with 408).
  requestTimeout: number;
  // Requests in flight at once; more are answered 503.
  concurrency: number;
  // An event loop this far behind (ms) means the server is saturated: 503 until it catches up.
  maxEventLoopDelay: number;
  // Seconds a client is told to wait (Retry-After) when turned away.
  retryAfter: number;
}

export const DEFAULT_LIMITS: Limits = {
  bodyLimit: 1 << 20,
  maxItems: 1000,
  maxBatchLines: 100_000,
  requestTimeout: 30_000,
  concurrency: 64,
  maxEventLoopDelay: 500,
  retryAfter: 1,
};

// How far the event loop is behind: a timer that should fire every `every` ms measures how late
// it is. `delay` is the least of the last three samples: a lag that lasts, not one late timer (a
// host that descheduled the process for a moment is not an overloaded server).
export class LoopDelay {
  delay = 0;
  private readonly samples = [0, 0, 0];
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(every = 100) {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.samples.shift();
      this.samples.push(Math.max(0, now - this.last - every));
      this.delay = Math.min(...this.samples);
      this.last = now;
    }, every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// The list facts of a product's revisions (`claim.items`, ...), as key paths: the only arrays a
// valid claim holds, so the only ones whose length needs a limit (an array anywhere else is an
// invalid fact, and the body limit bounds it).
const listPaths = new WeakMap<LoadedProduct, string[][]>();

function listsOf(p: LoadedProduct): string[][] {
  let paths = listPaths.get(p);
  if (!paths) {
    const names = new Set(
      p.revisions.flatMap((r) => r.checked.product.facts.filter((f) => f.type.kind === 'list').map((f) => f.name)),
    );
    paths = [...names].map((n) => n.split('.'));
    listPaths.set(p, paths);
  }
  return paths;
}

// A claim with more than `max` entries in a list is turned away before deciding (its cost grows
// with the items): 413 naming the list by pointer.
export function checkItems(p: LoadedProduct, facts: unknown, max: number): void {
  for (const path of listsOf(p)) {
    let v: unknown = facts;
    for (const k of path)
      v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
    if (Array.isArray(v) && v.length > max) {
      const pointer = `/${path.join('/')}`;
      const message = `${v.length} entries, more than the limit of ${max}`;
      fail('too-many-items', 413, `${pointer} has ${message}`, { errors: [{ pointer, message }] });
    }
  }
}
