/**
 * Database selection for the demo, the tests, the benchmark and `prisma.config.ts`: one
 * `DATABASE_URL` decides the provider, and this module builds the matching Prisma driver adapter.
 * Driver adapters run on Prisma's JS/WASM engines, so nothing downloads an engine binary.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PoolConfig } from 'pg';

/** The embedded default: a SQLite file under `./data`, created on first use. */
export const DEFAULT_DATABASE_URL = 'file:./data/express-pat.db';

export type DatabaseProvider = 'sqlite' | 'postgresql';

/** Where a `DATABASE_URL` points, resolved once. */
export interface DatabaseTarget {
  readonly provider: DatabaseProvider;
  readonly url: string;
  /** PostgreSQL only: the `?schema=` parameter, or `public`. */
  readonly schema?: string;
  /** PostgreSQL only: connection settings for `pg`, without the Prisma-only `schema` parameter. */
  readonly pool?: PoolConfig;
  /** SQLite only: the absolute path of the database file. */
  readonly file?: string;
}

/**
 * Reads a database URL the way Prisma users expect: `file:` (relative to the working directory)
 * selects SQLite, `postgres://` or `postgresql://` selects PostgreSQL, whose `?schema=` is honoured.
 * @throws TypeError for any other scheme.
 */
export function resolveDatabase(url: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): DatabaseTarget {
  if (url.startsWith('file:')) {
    const file = resolve(url.slice('file:'.length).split('?')[0] ?? '');
    return { provider: 'sqlite', url, file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? 'public';
    parsed.searchParams.delete('schema');
    return {
      provider: 'postgresql',
      url,
      schema,
      pool: {
        connectionString: parsed.toString(),
        options: `-c search_path="${schema.replaceAll('"', '""')}"`,
      },
    };
  }
  throw new TypeError(`DATABASE_URL must start with "file:" (SQLite) or "postgresql://"; got "${url.split(':')[0]}:…"`);
}

/** Options for {@link createAdapter} that only the Prisma CLI needs. */
export interface AdapterOptions {
  /** A `pg.Client` subclass to use for every pooled connection (PostgreSQL only). */
  readonly pgClient?: PoolConfig['Client'];
}

/** A Prisma driver adapter factory for the target; creates the SQLite file's folder if needed. */
export function createAdapter(target: DatabaseTarget, options: AdapterOptions = {}): PrismaBetterSQLite3 | PrismaPg {
  if (target.provider === 'sqlite') {
    const file = target.file ?? '';
    mkdirSync(dirname(file), { recursive: true });
    return new PrismaBetterSQLite3({ url: file });
  }
  const pool: PoolConfig = { ...target.pool, allowExitOnIdle: true };
  if (options.pgClient) pool.Client = options.pgClient;
  return new PrismaPg(pool, target.schema ? { schema: target.schema } : undefined);
}
