/**
 * Prisma CLI configuration. `DATABASE_URL` picks the schema and migrations folder (SQLite by
 * default, PostgreSQL for a `postgresql://` URL), and the CLI runs on Prisma's WASM schema engine
 * through a driver adapter, so `prisma migrate deploy` needs no downloaded binary.
 */
import pg from 'pg';
import { defineConfig } from 'prisma/config';
import { DEFAULT_DATABASE_URL, createAdapter, resolveDatabase } from './src/demo/database.js';

/** Catalog type ids the schema engine reads during migrate and adapter-pg 6.19 cannot decode. */
const CATALOG_TYPES_READ_AS_TEXT = new Set([18 /* "char" */, 19 /* name */]);
const TEXT_TYPE_ID = 25;

/**
 * A `pg.Client` that reports the `"char"` and `name` catalog columns as `text`. Used by the CLI
 * only; `pg.Pool` calls `query(config, values, callback)`, so the callback's result is patched.
 */
class CatalogTextClient extends pg.Client {
  override query(...args: unknown[]): never {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: Error | null, result?: pg.QueryResult) => {
        for (const field of result?.fields ?? []) {
          if (CATALOG_TYPES_READ_AS_TEXT.has(field.dataTypeID)) field.dataTypeID = TEXT_TYPE_ID;
        }
        callback(error, result);
      };
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

// The schema's `url = env("DATABASE_URL")` must resolve, or Prisma 6.19 tries to download an engine.
process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;
const target = resolveDatabase();

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: `prisma/${target.provider}/schema.prisma`,
  migrations: { path: `prisma/${target.provider}/migrations` },
  adapter: async () => createAdapter(target, { pgClient: CatalogTextClient }),
});
