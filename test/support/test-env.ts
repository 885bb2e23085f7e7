/**
 * Names of the environment variables global setup hands to the test workers, and the
 * PostgreSQL server the suites use. Kept free of imports: Jest's global setup loads it natively.
 */

/** PostgreSQL server for the suites; each run gets a fresh schema in it. */
export const POSTGRES_BASE_URL = process.env.PAT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export const ENV = {
  /** A migrated SQLite file that each suite copies. */
  sqliteTemplate: 'PAT_TEST_SQLITE_TEMPLATE',
  /** The migrated PostgreSQL URL of this run (with `?schema=`), or unset when PostgreSQL is skipped. */
  postgresUrl: 'PAT_TEST_POSTGRES_SCHEMA_URL',
  /** Folder of this run's temporary files. */
  tempDir: 'PAT_TEST_TEMP_DIR',
} as const;
