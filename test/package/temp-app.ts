/**
 * A throwaway host app, set up the way a user would: its own package.json installing the packed
 * tarball with express, Prisma 6.19.3 and the PostgreSQL driver adapter (pure JS: nothing
 * compiles), `express-pat init` adding the models to its schema, `prisma generate`, the shipped
 * migrations, a TypeScript server compiled with `tsc`, and a type check of the public API.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './pack.js';
import { runCommand, runOrThrow, type CommandResult } from './run-command.js';

/** The versions the project itself is installed with: they are in the npm cache already. */
function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

const SCHEMA_HEAD = `generator client {
  provider            = "prisma-client"
  output              = "../generated"
  engineType          = "client"
  moduleFormat        = "esm"
  importFileExtension = "js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
`;

/**
 * Prisma 6.19's CLI offline, as the README describes: the WASM schema engine through the driver
 * adapter (only `prisma generate` runs here, so adapter-pg's catalog-type fix is not needed; the
 * test applies the migrations' SQL itself).
 */
const PRISMA_CONFIG = `import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
});
`;

/** The app: the router under /tokens, one guarded route, the error handler; prints its port. */
const SERVER = `import { PrismaPg } from '@prisma/adapter-pg';
import express from 'express';
import { createPersonalAccessTokens, type PatContext, type PersonalAccessTokens, type TokenMeta } from 'express-pat';
import { PrismaClient } from '../generated/client.js';

const prisma = new PrismaClient({
  adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL }, { schema: process.env.DATABASE_SCHEMA }),
});
const pat: PersonalAccessTokens = createPersonalAccessTokens({
  prisma,
  pepper: 'smoke-test-pepper-0123456789-abcdefghijklmnop',
  scopes: { 'notes:read': 'Read notes' },
  authenticate: (req) => req.get('X-User') ?? null,
});

const app = express();
app.use('/tokens', pat.router);
app.get('/notes', pat.requireToken(['notes:read']), (req, res) => {
  const context: PatContext | undefined = req.pat;
  const token: TokenMeta | undefined = context?.token;
  res.json({ userId: context?.userId, scopes: context?.scopes, tokenName: token?.name });
});
app.use(pat.errorHandler);

await pat.ready();
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(\`listening on \${typeof address === 'object' && address !== null ? address.port : ''}\`);
});
`;

/** How the app builds: `tsc` compiles the server and its generated Prisma client to `dist/`. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    noEmitOnError: true,
    outDir: 'dist',
    rootDir: '.',
    types: ['node'],
  },
  include: ['src', 'generated'],
};

/**
 * A small file using the package's public types the way an app does, checked with
 * `skipLibCheck: false` so that an error inside the shipped declarations (an import of a module
 * the package does not ship or depend on, say) fails instead of silently becoming `any`.
 */
const PUBLIC_API_USE = `import express from 'express';
import {
  createPersonalAccessTokens,
  PatError,
  type PatContext,
  type PatPrismaClient,
  type PersonalAccessTokens,
  type TokenMeta,
} from 'express-pat';

declare const prisma: PatPrismaClient;
const pat: PersonalAccessTokens = createPersonalAccessTokens({ prisma, scopes: { 'notes:read': 'Read notes' } });
const app = express();
app.use('/tokens', pat.router);
app.get('/notes', pat.requireToken(['notes:read']), (req, res) => {
  const context: PatContext | undefined = req.pat;
  const meta: TokenMeta | undefined = context?.token;
  res.json(meta);
});
export const codeOf = (error: unknown): string | undefined => (error instanceof PatError ? error.code : undefined);

// @ts-expect-error \`scopes\` is required: fails if the package's types were \`any\`
createPersonalAccessTokens({ prisma });
`;

const TSCONFIG_PUBLIC_API = {
  compilerOptions: { ...TSCONFIG.compilerOptions, skipLibCheck: false, noEmit: true },
  files: ['public-api.ts'],
};

/** Writes the app into `dir` and installs its packages with one `npm install`. */
export async function createTempApp(dir: string, tarball: string): Promise<void> {
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'prisma'), { recursive: true });
  const dependencies = Object.fromEntries(
    ['express', '@prisma/client', '@prisma/adapter-pg', 'pg', 'prisma', '@types/express', '@types/pg'].map((name) => [
      name,
      installedVersion(name),
    ]),
  );
  const manifest = {
    name: 'express-pat-smoke-app',
    private: true,
    type: 'module',
    dependencies: { ...dependencies, 'express-pat': `file:${tarball}` },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(join(dir, 'tsconfig.public-api.json'), JSON.stringify(TSCONFIG_PUBLIC_API, null, 2));
  writeFileSync(join(dir, 'public-api.ts'), PUBLIC_API_USE);
  writeFileSync(join(dir, 'prisma.config.ts'), PRISMA_CONFIG);
  writeFileSync(join(dir, 'prisma', 'schema.prisma'), SCHEMA_HEAD);
  writeFileSync(join(dir, 'src', 'server.ts'), SERVER);
  await runOrThrow('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, timeoutMs: 240_000 });
}

/** Runs the installed `express-pat` executable through npx (never fetching it). */
export function expressPat(dir: string, args: readonly string[]): Promise<CommandResult> {
  return runCommand('npx', ['--no', '--', 'express-pat', ...args], { cwd: dir, timeoutMs: 60_000 });
}

/**
 * `express-pat init` adds the models to the app's schema; `prisma generate` (the app's 6.19.3)
 * writes its client; the package's PostgreSQL migrations are copied into `prisma/migrations`, as
 * init's next steps say. Returns the migration SQL files in the order Prisma applies them.
 */
export async function prepareSchema(dir: string): Promise<string[]> {
  const init = await expressPat(dir, ['init', '--schema', 'prisma/schema.prisma']);
  if (init.code !== 0) throw new Error(`express-pat init exited with ${String(init.code)}:\n${init.output}`);
  await runOrThrow(process.execPath, [join(dir, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'], {
    cwd: dir,
    env: { DATABASE_URL: 'postgresql://localhost/generate', CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    timeoutMs: 60_000,
  });
  const migrations = join(dir, 'prisma', 'migrations');
  cpSync(join(dir, 'node_modules', 'express-pat', 'prisma', 'postgresql', 'migrations'), migrations, { recursive: true });
  return readdirSync(migrations, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(migrations, entry.name, 'migration.sql'))
    .sort();
}

/** Runs the project's TypeScript in the app (which has none of its own to install). */
function tsc(dir: string, project: string): Promise<CommandResult> {
  return runCommand(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
    cwd: dir,
    timeoutMs: 120_000,
  });
}

/** Compiles the app to `dist/`. */
export const compileApp = (dir: string): Promise<CommandResult> => tsc(dir, 'tsconfig.json');

/** Type-checks the use of the public API, the package's declarations included. */
export const checkPublicApi = (dir: string): Promise<CommandResult> => tsc(dir, 'tsconfig.public-api.json');

/** A running app. */
export interface RunningApp {
  readonly url: string;
  stop(): void;
}

/** Starts the compiled app with `env`; resolves once it listens (or rejects with its output). */
export function startApp(dir: string, env: Readonly<Record<string, string>>, timeoutMs = 30_000): Promise<RunningApp> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, 'dist', 'src', 'server.js')], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`the app ${reason}:\n${output}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${timeoutMs} ms`), timeoutMs);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = /listening on (\d+)/.exec(output)?.[1];
      if (port !== undefined) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, stop: () => child.kill() });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => fail(`exited with ${String(code)}`));
  });
}
