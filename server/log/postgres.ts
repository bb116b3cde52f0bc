// The shared decision log: PostgreSQL through pg, for several servers writing one log. A batch is
// one transaction of two statements whatever its size: the rows travel as arrays and are
// unnested by the server, so a batch costs one round trip, not one per decision.
import pg from 'pg';
import { BufferedLog, type LogEntry, type LogSettings } from './store.js';
import { MIGRATIONS_TABLE, pending } from './migrations.js';
import type { ProductSnapshot } from './snapshot.js';

// Any constant: the lock that makes two servers starting at once migrate one after the other.
const MIGRATION_LOCK = 0x79616b6b;

class PostgresLog extends BufferedLog {
  constructor(
    private readonly pool: pg.Pool,
    readonly target: string,
    settings: LogSettings,
  ) {
    super(settings);
  }

  protected async writeBatch(entries: LogEntry[], snapshots: ProductSnapshot[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (snapshots.length) {
        await client.query(
          `INSERT INTO yakkan_products (hash, product, files, first_logged)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) ON CONFLICT (hash) DO NOTHING`,
          [
            snapshots.map((s) => s.hash),
            snapshots.map((s) => s.product),
            snapshots.map((s) => JSON.stringify(s.files)),
            snapshots.map(() => entries[0]!.time),
          ],
        );
      }
      const col = <K extends keyof LogEntry>(k: K) => entries.map((e) => e[k]);
      await client.query(
        `INSERT INTO yakkan_decisions
         (time, request_id, product, revision, product_hash, engine, options, outcome, facts, decision)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
           $8::text[], $9::text[], $10::text[])`,
        [
          col('time'),
          col('requestId'),
          col('product'),
          col('revision'),
          entries.map((e) => e.snapshot.hash),
          col('engine'),
          entries.map((e) => JSON.stringify(e.options)),
          col('outcome'),
          col('facts'),
          col('decision'),
        ],
      );
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  protected async select(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    let n = 0;
    const r = await this.pool.query(
      sql.replace(/\?/g, () => `$${++n}`),
      params,
    );
    return r.rows as Record<string, unknown>[];
  }

  protected async closeStore(): Promise<void> {
    await this.pool.end();
  }
}

export function redactedTarget(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unreadable url)';
  }
}

export async function openPostgresLog(url: string, settings: LogSettings = {}): Promise<PostgresLog> {
  const target = redactedTarget(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
  // An idle connection the server drops must not take the process down: the next batch reconnects.
  pool.on('error', (e) => (settings.onError ?? (() => {}))(e));
  const client = await pool.connect().catch(async (e: Error) => {
    await pool.end().catch(() => {});
    throw new Error(`cannot connect to the decision log ${target}: ${e.message}`);
  });
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}
         (version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL)`,
    );
    const r = await client.query(`SELECT coalesce(max(version), 0) AS v FROM ${MIGRATIONS_TABLE}`);
    for (const m of pending(Number(r.rows[0].v), target)) {
      await client.query(m.postgres);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied) VALUES ($1, $2, now())`, [
        m.version,
        m.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
    await pool.end().catch(() => {});
    throw e;
  }
  client.release();
  return new PostgresLog(pool, target, settings);
}
