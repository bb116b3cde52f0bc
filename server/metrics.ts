// Prometheus metrics in its text format (version 0.0.4): requests by route and status, a latency
// histogram per route, decisions by product and outcome, overload refusals, the decision log's
// progress and the products' reload state. Plain counters in maps: recording one is a map lookup.
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export interface Gauges {
  inFlight: number;
  eventLoopDelayMs: number;
  log?: { appended: number; written: number; pending: number; failures: number };
  products: { id: string; ok: boolean; reloads: number }[];
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly decisions = new Map<string, number>();
  private readonly refused = new Map<string, number>();

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${label(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hk = `route="${label(route)}"`;
    let h = this.latency.get(hk);
    if (!h) this.latency.set(hk, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  decision(product: string, outcome: string): void {
    const key = `product="${label(product)}",outcome="${label(outcome)}"`;
    this.decisions.set(key, (this.decisions.get(key) ?? 0) + 1);
  }

  refuse(reason: string): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }

  render(g: Gauges): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, rows: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of rows) out.push(`${name}${labels ? `{${labels}}` : ''} ${v}`);
    };
    family('yakkan_http_requests_total', 'counter', 'HTTP requests answered, by method, route and status.', [
      ...this.requests,
    ]);
    out.push(
      '# HELP yakkan_http_request_duration_seconds Time from request to response, by route.',
      '# TYPE yakkan_http_request_duration_seconds histogram',
    );
    for (const [labels, h] of this.latency) {
      BUCKETS.forEach((b, i) =>
        out.push(`yakkan_http_request_duration_seconds_bucket{${labels},le="${b}"} ${h.counts[i]}`),
      );
      out.push(`yakkan_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      out.push(`yakkan_http_request_duration_seconds_sum{${labels}} ${h.sum}`);
      out.push(`yakkan_http_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    family('yakkan_decisions_total', 'counter', 'Decisions made, by product and outcome.', [...this.decisions]);
    family(
      'yakkan_overload_refusals_total',
      'counter',
      'Requests answered 503 before any work, by reason.',
      [...this.refused].map(([r, n]) => [`reason="${r}"`, n]),
    );
    family('yakkan_requests_in_flight', 'gauge', 'Requests being handled now.', [['', g.inFlight]]);
    family('yakkan_event_loop_delay_seconds', 'gauge', 'How late the event loop last ran a timer.', [
      ['', g.eventLoopDelayMs / 1000],
    ]);
    if (g.log) {
      family('yakkan_log_appended_total', 'counter', 'Decisions handed to the decision log.', [['', g.log.appended]]);
      family('yakkan_log_written_total', 'counter', 'Decisions written to the decision log.', [['', g.log.written]]);
      family('yakkan_log_pending', 'gauge', 'Decisions waiting in memory for their batch.', [['', g.log.pending]]);
      family('yakkan_log_write_failures_total', 'counter', 'Batches the log could not write (kept and retried).', [
        ['', g.log.failures],
      ]);
    }
    family(
      'yakkan_product_ok',
      'gauge',
      "1 when the product's files check, 0 when it serves its last good version.",
      g.products.map((p) => [`product="${label(p.id)}"`, p.ok ? 1 : 0]),
    );
    family(
      'yakkan_product_reloads_total',
      'counter',
      "Reloads of the product's files.",
      g.products.map((p) => [`product="${label(p.id)}"`, p.reloads]),
    );
    const mem = process.memoryUsage();
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', mem.rss]]);
    family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, in bytes.', [['', mem.heapUsed]]);
    return out.join('\n') + '\n';
  }
}

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
