/**
 * The benchmark's databases: migrated with the real `prisma migrate deploy`, one user, the scope
 * `bench:read`, ONE real token made by `pat.tokens.create()` (the token the load presents), and
 * any number of filler tokens inserted in bulk SQL, each linked to the scope, so the guard's join
 * runs against realistic table sizes. Filler digests are random 43-character base64url strings,
 * like real HMAC-SHA-256 digests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { resolveDatabase, type DatabaseProvider, type DatabaseTarget } from '../src/demo/database.js';
import { applyMigrations } from '../src/demo/migrate.js';
import { openPrismaClient } from '../src/demo/prisma.js';
import { createPersonalAccessTokens } from '../src/index.js';
import { BENCH_SCOPE } from './scenarios.js';

/** A migrated, seeded database that can be grown and must be dropped. */
export interface SeededDatabase {
  readonly provider: DatabaseProvider;
  /** The `DATABASE_URL` of the database (SQLite file or PostgreSQL schema). */
  readonly url: string;
  /** The plaintext of the one real token, holding `bench:read`. */
  readonly token: string;
  /** Tokens stored now, the real one included. */
  readonly tokens: number;
  /**
   * Inserts filler tokens until `total` are stored (no-op when there are already as many).
   * @returns the seconds it took.
   */
  growTo(total: number): Promise<number>;
  /** Removes the database (the SQLite folder, or the PostgreSQL schema). */
  drop(): Promise<void>;
}

/** The user, the scope and the real token, through Prisma and the library, as an app would make them. */
async function createRealToken(target: DatabaseTarget, pepper: string): Promise<{ token: string; userId: string }> {
  const prisma = await openPrismaClient(target);
  try {
    const user = await prisma.user.create({ data: { email: 'bench@example.test' }, select: { id: true, email: true } });
    const pat = createPersonalAccessTokens({ prisma, pepper, scopes: { [BENCH_SCOPE]: 'Read the benchmark route' } });
    await pat.ready();
    const issued = await pat.tokens.create(user.id, { name: 'bench', scopes: [BENCH_SCOPE] });
    await pat.close();
    return { token: issued.token, userId: user.id };
  } finally {
    await prisma.$disconnect();
  }
}

/** The tables the filler goes into: their secondary indexes are rebuilt after a bulk insert. */
const FILLED_TABLES = ['PersonalAccessToken', 'PersonalAccessTokenScope'] as const;

/**
 * SQLite: one transaction of prepared INSERTs. As for any bulk load, the explicit indexes are
 * dropped first and re-created from their own DDL afterwards (one sort each instead of a million
 * random B-tree inserts), and ids are inserted in order so the primary keys are appended to.
 */
function growSqlite(file: string, userId: string, from: number, total: number): void {
  const db = new Database(file);
  try {
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -1048576');
    const scopeId = db.prepare('SELECT "id" FROM "Scope" WHERE "name" = ?').pluck().get(BENCH_SCOPE);
    const indexes = db
      .prepare(`SELECT "name", "sql" FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (?, ?)`)
      .all(...FILLED_TABLES) as { name: string; sql: string }[];
    const ids = Array.from({ length: total - from }, () => randomUUID()).sort();
    const digests = randomBytes(32 * ids.length);
    const insertToken = db.prepare(
      'INSERT INTO "PersonalAccessToken" ("id", "userId", "name", "digest", "hint", "createdAt") VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertLink = db.prepare('INSERT INTO "PersonalAccessTokenScope" ("tokenId", "scopeId") VALUES (?, ?)');
    const start = Date.now();
    db.transaction(() => {
      for (const { name } of indexes) db.exec(`DROP INDEX "${name}"`);
      ids.forEach((id, offset) => {
        const index = from + offset;
        const digest = digests.subarray(offset * 32, offset * 32 + 32).toString('base64url');
        // Prisma's SQLite adapter stores DateTime as ISO 8601 text with a "+00:00" zone.
        const createdAt = new Date(start - index * 1000).toISOString().replace('Z', '+00:00');
        insertToken.run(id, userId, `seed ${index}`, digest, `pat_${digest.slice(0, 4)}`, createdAt);
        insertLink.run(id, scopeId);
      });
      for (const { sql } of indexes) db.exec(sql);
    })();
  } finally {
    db.close();
  }
}

/** A table's constraints and the indexes that back none, as DDL to drop and re-create them. */
interface SecondaryStructures {
  readonly drop: string[];
  readonly create: string[];
}

async function secondaryStructures(client: pg.Client): Promise<SecondaryStructures> {
  const tables = FILLED_TABLES.map((table) => `"${table}"`);
  const { rows: constraints } = await client.query<{ name: string; table: string; def: string; type: string }>(
    `SELECT conname AS name, conrelid::regclass::text AS table, pg_get_constraintdef(oid) AS def, contype AS type
       FROM pg_constraint
      WHERE contype IN ('p', 'u', 'f')
        AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[]))
      ORDER BY contype = 'f' DESC`,
    [tables],
  );
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    [tables],
  );
  const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  return {
    // Foreign keys first (they depend on the keys), then keys, then plain indexes.
    drop: [
      ...constraints.map(({ name, table }) => `ALTER TABLE ${table} DROP CONSTRAINT ${quote(name)}`),
      ...indexes.map(({ name }) => `DROP INDEX ${quote(name)}`),
    ],
    // Keys first, then plain indexes, then foreign keys (validated against the rebuilt keys).
    create: [
      ...constraints
        .filter(({ type }) => type !== 'f')
        .map(({ name, table, def }) => `ALTER TABLE ${table} ADD CONSTRAINT ${quote(name)} ${def}`),
      ...indexes.map(({ def }) => def),
      ...constraints
        .filter(({ type }) => type === 'f')
        .map(({ name, table, def }) => `ALTER TABLE ${table} ADD CONSTRAINT ${quote(name)} ${def}`),
    ],
  };
}

/**
 * PostgreSQL: ONE statement, `INSERT … SELECT FROM generate_series`, whose rows feed the link
 * INSERT through a data-modifying CTE. As the manual's "Populating a Database" advises, the two
 * tables' keys, indexes and foreign keys are dropped for the load and re-created after it, all in
 * one transaction; then ANALYZE, as autovacuum would soon do.
 */
async function growPostgres(target: DatabaseTarget, userId: string, from: number, total: number): Promise<void> {
  const client = new pg.Client(target.pool);
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    const structures = await secondaryStructures(client);
    for (const statement of structures.drop) await client.query(statement);
    await client.query(
      `WITH scope AS (SELECT "id" FROM "Scope" WHERE "name" = $4),
            inserted AS (
              INSERT INTO "PersonalAccessToken" ("id", "userId", "name", "digest", "hint", "createdAt")
              SELECT gen_random_uuid()::text, $1, 'seed ' || g,
                     rtrim(translate(encode(sha256(uuid_send(gen_random_uuid())), 'base64'), '+/', '-_'), '='),
                     'pat_' || substr(md5(g::text), 1, 4),
                     now() - make_interval(secs => g)
                FROM generate_series($2::int, $3::int) AS g
              RETURNING "id")
       INSERT INTO "PersonalAccessTokenScope" ("tokenId", "scopeId")
       SELECT inserted."id", scope."id" FROM inserted CROSS JOIN scope`,
      [userId, from, total - 1, BENCH_SCOPE],
    );
    for (const statement of structures.create) await client.query(statement);
    await client.query('COMMIT');
    await client.query('ANALYZE "PersonalAccessToken", "PersonalAccessTokenScope"');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

async function dropSchema(target: DatabaseTarget): Promise<void> {
  const client = new pg.Client(target.pool);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${(target.schema ?? '').replaceAll('"', '""')}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database holding the real token: a temporary SQLite file, or the PostgreSQL
 * schema `express_pat_bench_<timestamp>_<random>` in `postgresUrl`'s database.
 */
export async function seedDatabase(
  provider: DatabaseProvider,
  pepper: string,
  postgresUrl: string,
): Promise<SeededDatabase> {
  let target: DatabaseTarget;
  let folder: string | undefined;
  if (provider === 'sqlite') {
    folder = mkdtempSync(join(tmpdir(), 'express-pat-bench-'));
    target = resolveDatabase(`file:${join(folder, 'bench.db')}`);
  } else {
    const url = new URL(postgresUrl);
    url.searchParams.set('schema', `express_pat_bench_${Date.now()}_${randomBytes(3).toString('hex')}`);
    target = resolveDatabase(url.toString());
  }
  const drop = async (): Promise<void> => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    else await dropSchema(target);
  };
  try {
    await applyMigrations(target);
    const { token, userId } = await createRealToken(target, pepper);
    let stored = 1;
    return {
      provider,
      url: target.url,
      token,
      get tokens() {
        return stored;
      },
      async growTo(total) {
        const started = performance.now();
        if (total > stored) {
          if (provider === 'sqlite') growSqlite(target.file ?? '', userId, stored, total);
          else await growPostgres(target, userId, stored, total);
          stored = total;
        }
        return (performance.now() - started) / 1000;
      },
      drop,
    };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
}
