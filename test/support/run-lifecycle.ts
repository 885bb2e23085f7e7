/**
 * Once per run: migrates a SQLite template file and a fresh PostgreSQL schema with the real
 * `prisma migrate deploy`, and removes them afterwards. Under CI=true an unreachable PostgreSQL
 * fails the run; elsewhere its suites are skipped with a loud warning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { resolveDatabase } from '../../src/demo/database.js';
import { applyMigrations } from '../../src/demo/migrate.js';
import { ENV, POSTGRES_BASE_URL, POSTGRES_WORKER_SCHEMAS, postgresWorkerUrl } from './test-env.js';

async function postgresFailure(): Promise<unknown> {
  const client = new pg.Client({ connectionString: POSTGRES_BASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Prepares the databases and publishes them to the workers through `process.env`. */
export async function setUpRun(): Promise<void> {
  const tempDir = mkdtempSync(join(tmpdir(), 'express-pat-test-'));
  process.env[ENV.tempDir] = tempDir;
  const sqliteTemplate = join(tempDir, 'template.db');
  process.env[ENV.sqliteTemplate] = sqliteTemplate;
  const migrations = [applyMigrations(resolveDatabase(`file:${sqliteTemplate}`))];

  const failure = await postgresFailure();
  if (failure === undefined) {
    const runSchema = `express_pat_test_${Date.now()}_${process.pid}`;
    process.env[ENV.postgresSchema] = runSchema;
    for (let worker = 1; worker <= POSTGRES_WORKER_SCHEMAS; worker += 1) {
      migrations.push(applyMigrations(resolveDatabase(postgresWorkerUrl(runSchema, worker))));
    }
  } else if (process.env.CI === 'true') {
    throw new Error(`PostgreSQL at ${POSTGRES_BASE_URL} is unreachable, and CI=true forbids skipping it: ${String(failure)}`);
  } else {
    console.warn(`\n!!! PostgreSQL at ${POSTGRES_BASE_URL} is unreachable: its suites are SKIPPED (${String(failure)}).\n`);
  }
  await Promise.all(migrations);
}

/** Drops this run's PostgreSQL schemas and temporary files. */
export async function tearDownRun(): Promise<void> {
  const runSchema = process.env[ENV.postgresSchema];
  if (runSchema) {
    const client = new pg.Client({ connectionString: POSTGRES_BASE_URL });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>(
      'SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)',
      [runSchema],
    );
    for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
    await client.end();
  }
  const tempDir = process.env[ENV.tempDir];
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}
