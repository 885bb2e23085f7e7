/**
 * The published package, end to end: `npm pack` the project, install the tarball into a new app
 * (one `npm install` from the registry, mostly served by the npm cache), add the models with
 * `express-pat init`, generate the app's own Prisma client, apply the shipped migrations to a
 * PostgreSQL schema of its own, compile the app against the package's declarations, start it, and
 * make real HTTP requests.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ENV, POSTGRES_BASE_URL } from '../support/test-env.js';
import { packProject, projectRoot, type PackedProject } from './pack.js';
import { runCommand, type CommandResult } from './run-command.js';
import { checkPublicApi, compileApp, createTempApp, expressPat, prepareSchema, startApp, type RunningApp } from './temp-app.js';

/** Packing (~10 s), one `npm install` (~20 s from the cache), generate, two `tsc` runs (~10 s), start. */
const SETUP_TIMEOUT_MS = 300_000;

/** Why the npm registry cannot be used, or undefined when it answers. */
async function registryProblem(): Promise<string | undefined> {
  const ping = await runCommand('npm', ['ping'], { cwd: projectRoot, timeoutMs: 30_000 }).catch((error: unknown) => ({
    code: null,
    output: String(error),
  }));
  return ping.code === 0 ? undefined : ping.output;
}

const runSchema = process.env[ENV.postgresSchema];
const problem = runSchema === undefined ? 'PostgreSQL is unreachable (see global setup)' : await registryProblem();
if (problem !== undefined && process.env.CI === 'true') {
  throw new Error(`The package smoke test needs the npm registry and PostgreSQL, and CI=true forbids skipping it: ${problem}`);
}
if (problem !== undefined) console.warn(`\n!!! The package smoke test is SKIPPED: ${problem}\n`);
const describeWhenPossible = problem === undefined ? describe : describe.skip;

/** The tarball's package.json fields this suite checks. */
interface Manifest {
  type?: string;
  main?: string;
  types?: string;
  exports?: { '.'?: Record<string, string> };
  peerDependencies?: Record<string, string>;
}

describeWhenPossible('the packed package in a new app', () => {
  const workDir = join(process.env[ENV.tempDir] ?? '', `package-${randomUUID()}`);
  const appDir = join(workDir, 'app');
  // Inside this run's schemas, so global teardown drops it even if afterAll cannot.
  const schema = `${runSchema ?? ''}_smoke_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_BASE_URL });
  let packed: PackedProject;
  let migrations: string[];
  let publicApi: CommandResult;
  let compiled: CommandResult;
  let app: RunningApp | undefined;
  let connected = false;

  beforeAll(async () => {
    mkdirSync(workDir, { recursive: true });
    packed = await packProject(workDir);
    await createTempApp(appDir, packed.tarball);
    // The public API's type check runs beside the schema, client and server build (two cores).
    [publicApi, [migrations, compiled]] = await Promise.all([
      checkPublicApi(appDir),
      prepareSchema(appDir).then(async (files) => [files, await compileApp(appDir)] as const),
    ]);
    await admin.connect();
    connected = true;
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(`SET search_path TO "${schema}"`);
    for (const file of migrations) await admin.query(readFileSync(file, 'utf8'));
    if (compiled.code === 0) {
      app = await startApp(appDir, { DATABASE_URL: POSTGRES_BASE_URL, DATABASE_SCHEMA: schema });
    }
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    app?.stop();
    if (!connected) return;
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('ships the compiled library with its declarations, the models and both migrations folders, nothing else', () => {
    const { files } = packed;
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'prisma/models.prisma']),
    );
    for (const provider of ['sqlite', 'postgresql']) {
      expect(files).toContain(`prisma/${provider}/migrations/migration_lock.toml`);
      const migrationFiles = files.filter((file) => file.startsWith(`prisma/${provider}/migrations/`) && file.endsWith('/migration.sql'));
      expect(migrationFiles).not.toEqual([]);
    }
    // No tests, sources, source maps, demo or reference schemas: compiled modules and their declarations only.
    const shipped = /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts)|prisma\/models\.prisma|prisma\/(sqlite|postgresql)\/migrations\/.+)$/;
    expect(files.filter((file) => !shipped.test(file) || file.startsWith('dist/demo/'))).toEqual([]);
    const modules = files.filter((file) => file.endsWith('.js'));
    expect(modules.filter((file) => !files.includes(file.replace(/\.js$/, '.d.ts')))).toEqual([]);
  });

  it('declares an ESM entry with an exports map (types first) and express and @prisma/client as peers', () => {
    const manifest = JSON.parse(readFileSync(join(appDir, 'node_modules', 'express-pat', 'package.json'), 'utf8')) as Manifest;
    expect(manifest).toMatchObject({ type: 'module', main: './dist/index.js', types: './dist/index.d.ts' });
    expect(manifest.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(Object.keys(manifest.exports?.['.'] ?? {})[0]).toBe('types');
    expect(manifest.peerDependencies).toMatchObject({ express: '^5.0.0', '@prisma/client': '>=6.19.0 <8' });
  });

  it('creates the express-pat tables from the shipped PostgreSQL migrations', async () => {
    expect(migrations.length).toBeGreaterThan(0);
    const { rows } = await admin.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['PersonalAccessToken', 'PersonalAccessTokenScope', 'Scope', 'User']),
    );
  });

  it("type-checks an app's use of the public API against the shipped declarations", () => {
    expect(publicApi).toMatchObject({ code: 0, output: '' });
  });

  it('compiles the app, its own Prisma client included', () => {
    expect(compiled).toMatchObject({ code: 0, output: '' });
  });

  it('creates a token over HTTP, opens the guarded route with it (200) and refuses the route without it (401)', async () => {
    if (app === undefined) throw new Error('the app did not compile, so it was not started');
    const userId = randomUUID();
    await admin.query('INSERT INTO "User" (id, email) VALUES ($1, $2)', [userId, `${userId}@example.test`]);

    const created = await fetch(`${app.url}/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-User': userId },
      body: JSON.stringify({ name: 'smoke', scopes: ['notes:read'] }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };

    const allowed = await fetch(`${app.url}/notes`, { headers: { Authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ userId, scopes: ['notes:read'], tokenName: 'smoke' });

    const refused = await fetch(`${app.url}/notes`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'token_missing' } });
  });

  it('runs the express-pat command from the installed package', async () => {
    const help = await expressPat(appDir, ['--help']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('init') });
  });
});
