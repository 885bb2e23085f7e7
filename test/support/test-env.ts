/**
 * Names of the environment variables global setup hands to the test workers, and the
 * PostgreSQL server the suites use. Kept free of imports: Jest's global setup loads it natively.
 */

/** PostgreSQL server for the suites; each run gets a fresh schema in it. */
export const POSTGRES_BASE_URL = process.env.PAT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export const ENV = {
  /** A migrated SQLite file that each suite copies. */
  sqliteTemplate: 'PAT_TEST_SQLITE_TEMPLATE',
  /** Prefix of this run's PostgreSQL schemas, or unset when PostgreSQL is skipped. */
  postgresSchema: 'PAT_TEST_POSTGRES_SCHEMA',
  /** Folder of this run's temporary files. */
  tempDir: 'PAT_TEST_TEMP_DIR',
} as const;

/**
 * Each jest worker gets its own migrated schema, so suites running at the same time never see
 * each other's rows (row counts prove that rejected requests write nothing). Matches `maxWorkers`.
 */
export const POSTGRES_WORKER_SCHEMAS = 2;

/** The URL of worker `worker`'s schema in this run. */
export function postgresWorkerUrl(runSchema: string, worker: number): string {
  const url = new URL(POSTGRES_BASE_URL);
  url.searchParams.set('schema', `${runSchema}_w${worker}`);
  return url.toString();
}
