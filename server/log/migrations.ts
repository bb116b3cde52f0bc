// The decision log's schema, as numbered migrations applied in order, each once, in one
// transaction with its row in yakkan_migrations. Both stores have the same tables and columns;
// only the column types differ where PostgreSQL has a better one (timestamptz, bigint identity).
// Facts and decisions are text in both, never jsonb: jsonb reorders keys, and a replay compares
// the decision byte for byte.
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'products (content-addressed snapshots) and decisions',
    sqlite: `
      CREATE TABLE yakkan_products (
        hash TEXT PRIMARY KEY,
        product TEXT NOT NULL,
        files TEXT NOT NULL,
        first_logged TEXT NOT NULL
      );
      CREATE TABLE yakkan_decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        request_id TEXT NOT NULL,
        product TEXT NOT NULL,
        revision TEXT NOT NULL,
        product_hash TEXT NOT NULL REFERENCES yakkan_products (hash),
        engine TEXT NOT NULL,
        options TEXT NOT NULL,
        outcome TEXT NOT NULL,
        facts TEXT NOT NULL,
        decision TEXT NOT NULL
      );
      CREATE INDEX yakkan_decisions_product_time ON yakkan_decisions (product, time);
      CREATE INDEX yakkan_decisions_time ON yakkan_decisions (time);`,
    postgres: `
      CREATE TABLE yakkan_products (
        hash text PRIMARY KEY,
        product text NOT NULL,
        files text NOT NULL,
        first_logged timestamptz NOT NULL
      );
      CREATE TABLE yakkan_decisions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        time timestamptz NOT NULL,
        request_id text NOT NULL,
        product text NOT NULL,
        revision text NOT NULL,
        product_hash text NOT NULL REFERENCES yakkan_products (hash),
        engine text NOT NULL,
        options text NOT NULL,
        outcome text NOT NULL,
        facts text NOT NULL,
        decision text NOT NULL
      );
      CREATE INDEX yakkan_decisions_product_time ON yakkan_decisions (product, time);
      CREATE INDEX yakkan_decisions_time ON yakkan_decisions (time);`,
  },
];

export const MIGRATIONS_TABLE = `yakkan_migrations`;

export const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

// The migrations a log at `current` still needs; a log from a newer yakkan is refused rather
// than written with an older idea of its tables.
export function pending(current: number, target: string): Migration[] {
  if (current > LATEST) {
    throw new Error(
      `${target} is at schema version ${current}, newer than this yakkan knows (${LATEST}): upgrade yakkan`,
    );
  }
  return MIGRATIONS.filter((m) => m.version > current);
}
