// Reading the log back: an entry for a decision just made, the audit replay (`yakkan log verify`:
// decide each logged entry again with the logged product snapshot and compare the bytes), and
// the logged facts as a corpus for `yakkan diff --from-log`.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { decideIn, type LoadedProduct } from '../../engine/loading/load.js';
import type { Decision } from '../../engine/pipeline/decision-types.js';
import { hasErrors, renderDiagnostics } from '../../dsl/diagnostics.js';
import {
  engineVersion,
  type DecideRequest,
  type DecisionLog,
  type LogEntry,
  type LogFilter,
  type StoredEntry,
} from './store.js';
import { loadSnapshot, type ProductSnapshot } from './snapshot.js';

export function entryFor(
  snapshot: ProductSnapshot,
  requestId: string,
  facts: string,
  options: DecideRequest,
  decision: Decision,
  json: string,
): LogEntry {
  return {
    time: new Date().toISOString(),
    requestId,
    product: decision.product.id || snapshot.product,
    revision: decision.product.revision,
    snapshot,
    engine: engineVersion(),
    options,
    outcome: decision.outcome,
    facts,
    decision: json,
  };
}

export interface Difference {
  id: number;
  // The first byte that differs, with some text around it on each side.
  at: number;
  logged: string;
  now: string;
}

export interface VerifyReport {
  checked: number;
  identical: number;
  differences: Difference[];
  // Entries that could not be decided again: the snapshot is missing or no longer checks.
  failures: { id: number; why: string }[];
  // Entries logged by another engine version than this one (they are compared all the same).
  otherEngine: number;
}

// The same request, decided again from the logged snapshot: the decision's bytes.
export function redecide(p: LoadedProduct, e: StoredEntry): string | { why: string } {
  let facts: unknown;
  try {
    facts = JSON.parse(e.facts);
  } catch (err) {
    return { why: `the logged facts are not JSON: ${(err as Error).message}` };
  }
  const { decision, selection } = decideIn(p, facts, e.options);
  return decision ? JSON.stringify(decision) : { why: selection.why };
}

export function firstDifference(id: number, a: string, b: string): Difference | undefined {
  if (a === b) return undefined;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (s: string) =>
    `${i > 40 ? '…' : ''}${s.slice(Math.max(0, i - 40), i + 40)}${i + 40 < s.length ? '…' : ''}`;
  return { id, at: Buffer.byteLength(a.slice(0, i)), logged: around(a), now: around(b) };
}

export async function verifyLog(
  log: DecisionLog,
  filter: LogFilter,
  progress?: (checked: number) => void,
  limit?: number,
): Promise<VerifyReport> {
  const report: VerifyReport = { checked: 0, identical: 0, differences: [], failures: [], otherEngine: 0 };
  // Snapshots loaded once each (a log of a million decisions has a handful of them).
  const products = new Map<string, LoadedProduct | string>();
  const productOf = async (hash: string): Promise<LoadedProduct | string> => {
    let p = products.get(hash);
    if (p === undefined) {
      const s = await log.snapshot(hash);
      const name = `product snapshot ${hash.slice(0, 12)}`;
      if (!s) p = `${name} is not in the log`;
      else {
        const loaded = loadSnapshot(s);
        const why = () => renderDiagnostics(loaded.diagnostics, loaded.sources);
        p = hasErrors(loaded.diagnostics) ? `${name} no longer checks:\n${why()}` : loaded;
      }
      products.set(hash, p);
    }
    return p;
  };
  for await (const e of log.entries(filter, limit)) {
    report.checked++;
    if (e.engine !== engineVersion()) report.otherEngine++;
    const p = await productOf(e.productHash);
    const now = typeof p === 'string' ? { why: p } : redecide(p, e);
    if (typeof now !== 'string') report.failures.push({ id: e.id, why: now.why });
    else {
      const d = firstDifference(e.id, e.decision, now);
      if (d) report.differences.push(d);
      else report.identical++;
    }
    if (report.checked % 1000 === 0) progress?.(report.checked);
  }
  return report;
}

// One labelled line per entry, `{"case": "log #12 …", "facts": {...}}`, which `yakkan diff --cases`
// reads as a corpus and names in its examples. Writes with back-pressure; leaves `out` open.
export async function exportCorpus(
  log: DecisionLog,
  filter: LogFilter,
  out: Writable,
  limit?: number,
): Promise<number> {
  let n = 0;
  for await (const e of log.entries(filter, limit)) {
    const label = JSON.stringify(`log #${e.id} ${e.time} ${e.outcome}`);
    const line = `{"case":${label},"facts":${JSON.stringify(JSON.parse(e.facts))}}\n`;
    n++;
    if (!out.write(line)) await once(out, 'drain');
  }
  return n;
}
