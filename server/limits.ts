// The service's limits, all configurable (docs/server.md). Overload is answered early and cheaply
// with 503 and Retry-After: too many requests in flight, an event loop that has fallen behind, or
// a decision log that cannot keep up. Under twice the sustainable load the server keeps deciding
// at its sustainable rate and turns the rest away, instead of queueing until clients time out
// and memory runs out.
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

// How far the event loop is behind: a timer that should fire every `every` ms measures how late it is.
export class LoopDelay {
  delay = 0;
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(every = 100) {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.delay = Math.max(0, now - this.last - every);
      this.last = now;
    }, every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// A claim with more than `max` entries in any list is turned away before deciding (its cost
// grows with the items): 413 naming the list by pointer.
export function checkItems(facts: unknown, max: number, at = ''): void {
  if (facts === null || typeof facts !== 'object') return;
  if (Array.isArray(facts)) {
    if (facts.length > max) {
      const message = `${facts.length} entries, more than the limit of ${max}`;
      fail('too-many-items', 413, `${at || '/'} has ${message}`, { errors: [{ pointer: at, message }] });
    }
    facts.forEach((x, i) => checkItems(x, max, `${at}/${i}`));
    return;
  }
  for (const [k, v] of Object.entries(facts)) checkItems(v, max, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}
