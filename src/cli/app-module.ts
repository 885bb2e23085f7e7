/**
 * Reaching the host app: `--app <module>` names a JavaScript module of the app whose `pat` export
 * (or default export) is its configured `createPersonalAccessTokens(…)` instance. The CLI thus uses
 * the app's own Prisma client, scopes, pepper, cache invalidation and event handlers, and shuts
 * them down again (`pat.close()`, then `prisma.$disconnect()` when the module exports `prisma`).
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option } from 'commander';
import type { PersonalAccessTokens } from '../create-personal-access-tokens.js';
import { CliError, EXIT } from './errors.js';

/** The environment variable read when `--app` is not given. */
export const APP_ENV = 'EXPRESS_PAT_APP';

/** The `--app <module>` option every command that needs the app takes. */
export function appOption(): Option {
  return new Option('--app <module>', "JavaScript module of your app exporting `pat` (its createPersonalAccessTokens() instance) and optionally `prisma`")
    .env(APP_ENV)
    .makeOptionMandatory();
}

/** What the CLI takes from the app module. */
interface LoadedApp {
  readonly pat: PersonalAccessTokens;
  readonly disconnect: (() => Promise<void>) | undefined;
}

type Shape<T> = { readonly [K in keyof T]?: unknown };

function isPat(value: unknown): value is PersonalAccessTokens {
  if (typeof value !== 'object' || value === null) return false;
  const pat = value as Shape<PersonalAccessTokens>;
  const admin = (typeof pat.admin === 'object' && pat.admin !== null ? pat.admin : {}) as Shape<PersonalAccessTokens['admin']>;
  const tokens = (typeof pat.tokens === 'object' && pat.tokens !== null ? pat.tokens : {}) as Shape<PersonalAccessTokens['tokens']>;
  return (
    typeof admin.list === 'function' &&
    typeof admin.revoke === 'function' &&
    typeof tokens.pruneExpired === 'function' &&
    Array.isArray(pat.scopes) &&
    typeof pat.close === 'function'
  );
}

function disconnectOf(prisma: unknown): (() => Promise<void>) | undefined {
  if (typeof prisma !== 'object' || prisma === null) return undefined;
  const { $disconnect } = prisma as { $disconnect?: unknown };
  return typeof $disconnect === 'function' ? () => Promise.resolve($disconnect.call(prisma)) : undefined;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

async function loadApp(specifier: string): Promise<LoadedApp> {
  const file = resolve(specifier);
  if (!existsSync(file)) throw new CliError(EXIT.usage, `--app: no module at ${file}`);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const hint =
      ['.ts', '.mts', '.cts'].includes(extname(file)) && (error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ' (a TypeScript module: run the CLI as `node --import tsx node_modules/.bin/express-pat …`, or point --app at the compiled JavaScript)'
        : '';
    throw new CliError(EXIT.failure, `--app: loading ${file} failed: ${firstLine(error)}${hint}`);
  }
  const pat = exports.pat ?? exports.default;
  if (!isPat(pat)) {
    throw new CliError(
      EXIT.usage,
      `--app: ${file} exports no express-pat instance: export the object createPersonalAccessTokens() returns as \`pat\` (or as the default export)`,
    );
  }
  return { pat, disconnect: disconnectOf(exports.prisma) };
}

async function shutDown(app: LoadedApp): Promise<void> {
  await app.pat.close();
  await app.disconnect?.();
}

/**
 * Loads the app module, runs `work` with its instance, then closes the instance and disconnects
 * the app's Prisma client, also when `work` fails (the first failure is the one reported).
 * @throws CliError with `EXIT.usage` when the module is missing or exports no instance, and
 * `EXIT.failure` when loading it throws.
 */
export async function withApp<T>(specifier: string, work: (pat: PersonalAccessTokens) => Promise<T>): Promise<T> {
  const app = await loadApp(specifier);
  let result: T;
  try {
    result = await work(app.pat);
  } catch (error) {
    await shutDown(app).catch(() => undefined);
    throw error;
  }
  await shutDown(app);
  return result;
}
