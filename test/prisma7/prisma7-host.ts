/**
 * A host app on Prisma 7, built at test time from the fixture package test/fixtures/prisma7-host
 * (prisma 7.10, @prisma/client 7.10 and both 7.x driver adapters): its schemas are written from
 * prisma/models.prisma, so the models other changes add flow in, and `prisma generate` (7.x)
 * writes one client per provider into a temporary folder whose `node_modules` is the fixture's.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PoolConfig } from 'pg';
import type { DatabaseProvider, DatabaseTarget } from '../../src/demo/database.js';
import type { PatPrismaClient, PatPrismaUserClient } from '../../src/index.js';
import { runCommand, runOrThrow, type CommandResult } from '../package/run-command.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE_DIR = join(projectRoot, 'test', 'fixtures', 'prisma7-host');
const fixtureRequire = createRequire(join(FIXTURE_DIR, 'package.json'));
const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');

const PROVIDERS: readonly DatabaseProvider[] = ['sqlite', 'postgresql'];

/** What the suite uses of a generated Prisma 7 client, beyond what express-pat needs. */
export interface Prisma7HostClient extends PatPrismaClient, PatPrismaUserClient {
  user: PatPrismaUserClient['user'] & {
    create(args: { data: { email: string }; select: { id: true } }): PromiseLike<{ id: string }>;
  };
  $disconnect(): Promise<void>;
}

interface GeneratedClientModule {
  PrismaClient: new (options: { adapter: unknown }) => Prisma7HostClient;
}

/** The 7.x adapters' constructors (note `PrismaBetterSqlite3`: 6.x spells it `PrismaBetterSQLite3`). */
interface SqliteAdapterModule {
  PrismaBetterSqlite3: new (config: { url: string }) => unknown;
}
interface PgAdapterModule {
  PrismaPg: new (config: PoolConfig, options: { schema?: string }) => unknown;
}

/**
 * Installs the fixture's packages from its lockfile when they are missing (its .npmrc skips
 * install scripts and links better-sqlite3 to the root's compiled copy). `.ci/run` installs them
 * up front, so under CI=true a missing install is a failure, not something to repair.
 */
export async function ensureFixtureInstalled(): Promise<void> {
  if (existsSync(join(FIXTURE_DIR, 'node_modules', 'prisma', 'package.json'))) return;
  if (process.env.CI === 'true') {
    throw new Error(`${FIXTURE_DIR} has no node_modules: .ci/run must run \`npm ci --prefix test/fixtures/prisma7-host\`.`);
  }
  await runOrThrow('npm', ['ci', '--prefer-offline', '--prefix', FIXTURE_DIR], { cwd: projectRoot, timeoutMs: 180_000 });
}

/** The provider's schema for Prisma 7: no `url` in the datasource (7.x takes it from the adapter). */
function schemaFor(provider: DatabaseProvider): string {
  const models = readFileSync(join(projectRoot, 'prisma', 'models.prisma'), 'utf8');
  return `generator client {
  provider            = "prisma-client"
  output              = "./client"
  moduleFormat        = "esm"
  importFileExtension = "js"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

/**
 * Writes both schemas into `dir` and runs the fixture's `prisma generate` (7.x) on each.
 * Prisma 7's CLI fetches its native schema engine before every command, `generate` included,
 * although `generate` never runs it; the engine's host is unreachable here, so
 * PRISMA_SCHEMA_ENGINE_BINARY names a placeholder file. This stays inside this fixture: nothing
 * else in the project runs the Prisma 7 CLI.
 */
export async function generateClients(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  // The generated clients import @prisma/client/runtime (7.x): resolve it from the fixture.
  symlinkSync(join(FIXTURE_DIR, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const prismaCli = join(FIXTURE_DIR, 'node_modules', 'prisma', 'build', 'index.js');
  await Promise.all(
    PROVIDERS.map(async (provider) => {
      const schema = join(dir, provider, 'schema.prisma');
      mkdirSync(join(dir, provider), { recursive: true });
      writeFileSync(schema, schemaFor(provider));
      await runOrThrow(process.execPath, [prismaCli, 'generate', '--schema', schema], {
        cwd: dir,
        env: {
          PRISMA_SCHEMA_ENGINE_BINARY: join(FIXTURE_DIR, 'schema-engine.placeholder'),
          CHECKPOINT_DISABLE: '1',
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
        },
        timeoutMs: 60_000,
      });
    }),
  );
}

/** Import path of the library's public entry from `dir`, as TypeScript wants it. */
function libraryFrom(dir: string): string {
  const path = relative(dir, join(projectRoot, 'src', 'index.js')).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/**
 * Type-checks, with the project's TypeScript, a file that hands each generated Prisma 7 client to
 * express-pat exactly as a host app would: no casts. A `@ts-expect-error` line proves the client
 * types are real (were they `any`, it would be unused, which is an error too).
 */
export function typeCheckClients(dir: string): Promise<CommandResult> {
  const library = libraryFrom(dir);
  writeFileSync(
    join(dir, 'host.ts'),
    `import { createPersonalAccessTokens, type PatPrismaClient, type PatPrismaUserClient } from '${library}';
import { PrismaClient as SqliteClient } from './sqlite/client/client.js';
import { PrismaClient as PostgresClient } from './postgresql/client/client.js';

declare const sqlite: SqliteClient;
declare const postgres: PostgresClient;

export const clients: ReadonlyArray<PatPrismaClient & PatPrismaUserClient> = [sqlite, postgres];
export const pats = [sqlite, postgres].map((prisma) => createPersonalAccessTokens({ prisma, scopes: { 'notes:read': 'Read notes' } }));

// @ts-expect-error a generated client is not a string: fails if the client type were \`any\`
export const notAny: string = sqlite;
`,
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        typeRoots: [join(projectRoot, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['host.ts'],
    }),
  );
  return runCommand(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, timeoutMs: 60_000 });
}

/** The version of `@prisma/client` that the generated clients in `dir` load their runtime from. */
export function clientRuntimeVersion(dir: string): string {
  const fromClient = createRequire(join(dir, 'sqlite', 'client', 'client.ts'));
  return (fromClient('@prisma/client/package.json') as { version: string }).version;
}

/** The fixture's copy of a package (the root has the 6.19 adapters). */
function fromFixture(name: string): string {
  return pathToFileURL(fixtureRequire.resolve(name)).href;
}

/** A connected Prisma 7 client for `target`, through the 7.x driver adapter of its provider. */
export async function openClient(dir: string, target: DatabaseTarget): Promise<Prisma7HostClient> {
  const { PrismaClient } = (await import(join(dir, target.provider, 'client', 'client.ts'))) as GeneratedClientModule;
  if (target.provider === 'sqlite') {
    const { PrismaBetterSqlite3 } = (await import(fromFixture('@prisma/adapter-better-sqlite3'))) as SqliteAdapterModule;
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: target.file ?? '' }) });
  }
  const { PrismaPg } = (await import(fromFixture('@prisma/adapter-pg'))) as PgAdapterModule;
  return new PrismaClient({ adapter: new PrismaPg({ ...target.pool }, { schema: target.schema }) });
}
