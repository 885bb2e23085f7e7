/**
 * The databases every database suite runs on: `describe.each(testDatabases)` repeats a suite on
 * SQLite (a private copy of the migrated template) and on PostgreSQL (this jest worker's schema,
 * shared only with the suites that run after it in the same worker).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../generated/sqlite/client.js';
import { resolveDatabase, type DatabaseProvider, type DatabaseTarget } from '../../src/demo/database.js';
import { openPrismaClient } from '../../src/demo/prisma.js';
import { ENV, postgresWorkerUrl } from './test-env.js';

/**
 * The generated client's full API. Both providers generate the same model API; the tests use the
 * SQLite client's type for both (the library itself only needs its structural types).
 */
export type TestPrismaClient = PrismaClient;

/** One database a suite runs on. */
export interface TestDatabase {
  readonly provider: DatabaseProvider;
  /** A database target private to the calling suite (SQLite) or shared by the run (PostgreSQL). */
  target(): DatabaseTarget;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites with \`npm test\` (jest's global setup sets it).`);
  return value;
}

const sqlite: TestDatabase = {
  provider: 'sqlite',
  target() {
    const file = join(requiredEnv(ENV.tempDir), `${randomUUID()}.db`);
    copyFileSync(requiredEnv(ENV.sqliteTemplate), file);
    return resolveDatabase(`file:${file}`);
  },
};

const postgresql: TestDatabase = {
  provider: 'postgresql',
  target: () => resolveDatabase(postgresWorkerUrl(requiredEnv(ENV.postgresSchema), Number(process.env.JEST_WORKER_ID ?? 1))),
};

/** SQLite always; PostgreSQL unless global setup found it unreachable outside CI. */
export const testDatabases: readonly TestDatabase[] = process.env[ENV.postgresSchema] ? [sqlite, postgresql] : [sqlite];

/** A connected client for `database`; disconnect it in `afterAll`. */
export async function connect(database: TestDatabase, target = database.target()): Promise<TestPrismaClient> {
  return (await openPrismaClient(target)) as unknown as TestPrismaClient;
}

/** A user row with a unique email; returns its id. */
export async function createUser(prisma: TestPrismaClient, email = `${randomUUID()}@example.test`): Promise<string> {
  const user = await prisma.user.create({ data: { email }, select: { id: true } });
  return user.id;
}

/** Row counts of every express-pat table, to prove a rejected request wrote nothing. */
export async function rowCounts(prisma: TestPrismaClient): Promise<Record<string, number>> {
  const [users, tokens, scopes, links, auditEvents] = await Promise.all([
    prisma.user.count(),
    prisma.personalAccessToken.count(),
    prisma.scope.count(),
    prisma.personalAccessTokenScope.count(),
    prisma.auditEvent.count(),
  ]);
  return { users, tokens, scopes, links, auditEvents };
}
