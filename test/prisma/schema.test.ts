/**
 * The Prisma files cannot drift: each provider's schema is exactly what scripts/build-schemas.ts
 * writes from prisma/models.prisma, and the checked-in migrations build exactly that schema.
 *
 * Prisma 6.19 refuses `migrate diff --from-schema-datasource` (and `--from-url`) when
 * prisma.config.ts defines a driver adapter, and `--from-migrations` needs a shadow database,
 * which adapters do not support. So the migrated database is introspected with `db pull` into a
 * schema of its own (it starts from a bare datasource block, so nothing is carried over from the
 * reference schema), and `migrate diff --exit-code` compares the two datamodels.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providers, schemaFor } from '../../scripts/build-schemas.js';
import type { DatabaseTarget } from '../../src/demo/database.js';
import { connect, testDatabases } from '../support/databases.js';
import { ENV } from '../support/test-env.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const prismaCli = join(dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build', 'index.js');
/** Far above the ~1 s each command takes here. */
const CLI_TIMEOUT_MS = 20_000;
/** Per test: a `db pull` and a `migrate diff` at their bounds, plus set-up. */
const TEST_TIMEOUT_MS = 2 * CLI_TIMEOUT_MS + 10_000;

interface CliResult {
  /** The exit code; 0 when the process was ended after printing `finished`. */
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs the Prisma CLI in the project root against `databaseUrl` (always set: without it 6.19 tries
 * to download an engine). With PostgreSQL the CLI may linger after its work is done, so it is
 * ended once its output matches `finished`.
 */
function prisma(args: readonly string[], databaseUrl: string, finished?: RegExp): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let done = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prisma ${args.join(' ')} did not finish within ${CLI_TIMEOUT_MS} ms:\n${output}`));
    }, CLI_TIMEOUT_MS);
    const settle = (code: number | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, output });
    };
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (finished?.test(output)) {
        settle(0);
        child.kill();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', settle);
  });
}

/** Introspects `target` into a new schema file (starting from a bare datasource block); returns its path. */
async function pull(target: DatabaseTarget): Promise<string> {
  const dir = join(process.env[ENV.tempDir] ?? '', `pull-${randomUUID()}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'schema.prisma');
  writeFileSync(file, `datasource db {\n  provider = "${target.provider}"\n  url      = env("DATABASE_URL")\n}\n`);
  const result = await prisma(['db', 'pull', '--schema', file], target.url, /Introspected \d+ models and wrote them/);
  expect(result).toEqual({ code: 0, output: expect.stringMatching(/Introspected \d+ models/) });
  return file;
}

/** `migrate diff --exit-code` from the datamodel in `from` to the provider's reference schema. */
function diffAgainstReference(target: DatabaseTarget, from: string): Promise<CliResult> {
  const reference = join('prisma', target.provider, 'schema.prisma');
  return prisma(
    ['migrate', 'diff', '--from-schema-datamodel', from, '--to-schema-datamodel', reference, '--exit-code'],
    target.url,
  );
}

describe('prisma/<provider>/schema.prisma', () => {
  it.each(providers)('for %s is exactly what `npm run db:schemas` writes from prisma/models.prisma', (provider) => {
    const checkedIn = readFileSync(join(projectRoot, 'prisma', provider, 'schema.prisma'), 'utf8');
    expect(checkedIn).toBe(schemaFor(provider));
  });
});

describe.each(testDatabases)('the checked-in migrations on $provider', (database) => {
  it('build exactly the reference schema (migrate diff finds no difference)', async () => {
    const target = database.target();
    const result = await diffAgainstReference(target, await pull(target));
    // On failure the output shows the difference, i.e. what a new migration must add.
    expect(result).toEqual({ code: 0, output: expect.stringContaining('No difference detected') });
  }, TEST_TIMEOUT_MS);
});

describe('the migration check', () => {
  it('notices a database that differs from the reference schema', async () => {
    const sqlite = testDatabases.find((database) => database.provider === 'sqlite');
    if (!sqlite) throw new Error('SQLite is always among testDatabases');
    const target = sqlite.target();
    const client = await connect(sqlite, target);
    try {
      await client.$executeRawUnsafe('ALTER TABLE "Scope" ADD COLUMN "drift" TEXT');
    } finally {
      await client.$disconnect();
    }
    const result = await diffAgainstReference(target, await pull(target));
    expect(result.code).toBe(2);
    expect(result.output).toContain('`Scope`');
  }, TEST_TIMEOUT_MS);
});
