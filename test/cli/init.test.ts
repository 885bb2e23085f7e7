/**
 * `express-pat init` as a child process on schema files in a temporary app folder: adds the
 * package's models once, leaves a schema that Prisma accepts, and refuses (changing nothing) when
 * a model name is taken.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { POSTGRES_BASE_URL } from '../support/test-env.js';
import { projectRoot, runCli, STACK_LINE } from './run-cli.js';

const models = readFileSync(join(projectRoot, 'prisma', 'models.prisma'), 'utf8');
const modelNames = [...models.matchAll(/^model (\w+) \{/gm)].map((match) => match[1] ?? '');

const header = (provider: string): string => `generator client {
  provider   = "prisma-client"
  output     = "../generated"
  engineType = "client"
}

datasource db {
  provider = "${provider}"
  url      = env("DATABASE_URL")
}

model Post {
  id    Int    @id @default(autoincrement())
  title String
}
`;

const OWN_USER = `
model User {
  id    String @id @default(uuid())
  email String @unique
}
`;

/** Columns of `PersonalAccessToken` that the previous version did not have. */
const NEW_COLUMNS = ['lastUsedIp', 'lastUsedUserAgent', 'familyId', 'replacedById', 'expiryNoticeDays'];

/**
 * express-pat's models as the previous version shipped them: no `AuditEvent`, and a
 * `PersonalAccessToken` without the new columns (and their index).
 */
const PREVIOUS_MODELS = models
  .replace(/\n\/\/\/ The audit trail[\s\S]*$/, '\n')
  .split('\n')
  .filter((line) => !NEW_COLUMNS.some((column) => new RegExp(`^\\s+${column}\\s`).test(line)) && !line.includes('@@index([familyId])'))
  .join('\n');

const root = mkdtempSync(join(tmpdir(), 'express-pat-init-'));
let app: string;
let schemaFile: string;

afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeEach(() => {
  app = mkdtempSync(join(root, 'app-'));
  schemaFile = join(app, 'prisma', 'schema.prisma');
  mkdirSync(dirname(schemaFile));
});

/** How many times each express-pat model is defined in `schema`. */
function definitions(schema: string): Record<string, number> {
  return Object.fromEntries(
    modelNames.map((name) => [name, [...schema.matchAll(new RegExp(`^model ${name} \\{`, 'gm'))].length]),
  );
}

/** `prisma validate` on a PostgreSQL schema (runs offline on the WASM engine, connects nowhere). */
function prismaValidate(file: string): Promise<{ code: number | null; output: string }> {
  const cli = join(dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build', 'index.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'validate', '--schema', file], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: POSTGRES_BASE_URL, CHECKPOINT_DISABLE: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('express-pat init', () => {
  it('adds every model once to prisma/schema.prisma, keeps the app\'s own, and Prisma accepts the result', async () => {
    writeFileSync(schemaFile, header('postgresql'));

    const run = await runCli(['init'], {}, app);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const schema = readFileSync(schemaFile, 'utf8');
    expect(schema.startsWith(header('postgresql'))).toBe(true);
    expect(definitions(schema)).toEqual(Object.fromEntries(modelNames.map((name) => [name, 1])));
    expect(run.stdout).toContain(`Added the express-pat models (${modelNames.join(', ')}) to prisma/schema.prisma.`);
    expect(run.stdout).toContain('npx prisma migrate dev --name express-pat --schema prisma/schema.prisma');
    // No migrations folder yet: the package's own PostgreSQL migrations are offered.
    expect(run.stdout).toMatch(/cp -r \S*prisma\/postgresql\/migrations prisma\/migrations\n/);
    expect(run.stdout).toContain('npx prisma generate --schema prisma/schema.prisma');

    const validation = await prismaValidate(schemaFile);
    expect(validation).toMatchObject({ code: 0 });
  });

  it('changes nothing and exits 0 when run a second time', async () => {
    writeFileSync(schemaFile, header('sqlite'));
    expect((await runCli(['init'], {}, app)).code).toBe(0);
    const once = readFileSync(schemaFile, 'utf8');

    const again = await runCli(['init', '--schema', 'prisma/schema.prisma'], {}, app);

    expect(again).toMatchObject({ code: 0, stdout: 'prisma/schema.prisma already has the express-pat models; nothing to do.\n', stderr: '' });
    expect(readFileSync(schemaFile, 'utf8')).toBe(once);
  });

  it('accepts a schema that has the token models next to its own user model', async () => {
    const withOwnUser = header('sqlite') + OWN_USER + models.replace(/^model User \{[^}]*\}\n/m, '');
    writeFileSync(schemaFile, withOwnUser);

    const run = await runCli(['init'], {}, app);

    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('already has the express-pat models');
    expect(readFileSync(schemaFile, 'utf8')).toBe(withOwnUser);
  });

  it('refuses with exit 1 and the steps for apps with their own User model, changing nothing', async () => {
    writeFileSync(schemaFile, header('postgresql') + OWN_USER);

    const run = await runCli(['init'], {}, app);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('prisma/schema.prisma already defines `User`, also defined by express-pat; nothing was changed.');
    expect(run.stderr).toContain('add `tokens PersonalAccessToken[]` to your `User` model');
    expect(run.stderr).toContain('express-pat init --print');
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(readFileSync(schemaFile, 'utf8')).toBe(header('postgresql') + OWN_USER);
  });

  it('refuses with exit 1 when only some of the models are there, naming the missing ones', async () => {
    const partial = `${header('sqlite')}\nmodel Scope {\n  id String @id\n}\n`;
    writeFileSync(schemaFile, partial);

    const run = await runCli(['init'], {}, app);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already defines `Scope`');
    expect(run.stderr).toContain('It lacks `User`, `PersonalAccessToken`');
    expect(readFileSync(schemaFile, 'utf8')).toBe(partial);
  });

  it('upgrades a schema with the previous version\'s models: adds only the missing ones, keeps the others as they are', async () => {
    const previous = header('postgresql') + '\n' + PREVIOUS_MODELS;
    expect(definitions(previous)).toEqual({ ...Object.fromEntries(modelNames.map((name) => [name, 1])), AuditEvent: 0 });
    writeFileSync(schemaFile, previous);

    const run = await runCli(['init'], {}, app);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const schema = readFileSync(schemaFile, 'utf8');
    expect(schema.startsWith(previous)).toBe(true);
    expect(definitions(schema)).toEqual(Object.fromEntries(modelNames.map((name) => [name, 1])));
    // Only the missing model, with its comments, as the package ships it.
    const addedText = schema.slice(previous.length);
    expect(addedText).toContain(models.slice(models.indexOf('/// The audit trail')).trimEnd());
    expect(addedText).not.toMatch(/^model (?!AuditEvent)/m);
    expect(run.stdout).toContain('added only the missing `AuditEvent`');
    expect(run.stdout).toContain('(`User`, `PersonalAccessToken`, `Scope`, `PersonalAccessTokenScope`) were left as they are');
    expect(run.stdout).toContain('npx express-pat init --print');
    for (const column of NEW_COLUMNS) expect(run.stdout).toContain(`\`${column}\``);
    expect(run.stdout).toContain('npx prisma migrate dev --name express-pat-upgrade --schema prisma/schema.prisma');
    expect(run.stdout).toContain('npx prisma generate --schema prisma/schema.prisma');
    expect(await prismaValidate(schemaFile)).toMatchObject({ code: 0 });

    const again = await runCli(['init'], {}, app);
    expect(again).toMatchObject({ code: 0, stdout: 'prisma/schema.prisma already has the express-pat models; nothing to do.\n' });
    expect(readFileSync(schemaFile, 'utf8')).toBe(schema);
  });

  it('upgrades a previous-version schema that uses the app\'s own User model, adding no User', async () => {
    const previous = header('sqlite') + OWN_USER + PREVIOUS_MODELS.replace(/^\/\/\/ A person[\s\S]*?^\}\n/m, '');
    writeFileSync(schemaFile, previous);

    const run = await runCli(['init'], {}, app);

    expect(run).toMatchObject({ code: 0, stderr: '' });
    const schema = readFileSync(schemaFile, 'utf8');
    expect(schema.startsWith(previous)).toBe(true);
    expect(definitions(schema)).toEqual(Object.fromEntries(modelNames.map((name) => [name, 1])));
    expect(run.stdout).toContain('added only the missing `AuditEvent`');
  });

  it('refuses models of the app\'s own that share names with express-pat\'s but has no PersonalAccessToken', async () => {
    const own = `${header('postgresql')}${OWN_USER}\nmodel Scope {\n  id   String @id\n  name String\n}\n`;
    writeFileSync(schemaFile, own);

    const run = await runCli(['init'], {}, app);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('already defines `User`, `Scope`');
    expect(run.stderr).toContain('Without a `PersonalAccessToken` model these are taken to be models of your own');
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(readFileSync(schemaFile, 'utf8')).toBe(own);
  });

  it('offers only `migrate dev` when the app has migrations already, for the provider given', async () => {
    writeFileSync(schemaFile, header('sqlite'));
    mkdirSync(join(app, 'prisma', 'migrations'));

    const run = await runCli(['init', '--provider', 'postgresql'], {}, app);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('npx prisma migrate dev --name express-pat');
    expect(run.stdout).not.toContain('cp -r');
  });

  it('offers the SQLite migrations for a SQLite datasource', async () => {
    writeFileSync(schemaFile, header('sqlite'));
    const run = await runCli(['init'], {}, app);
    expect(run.stdout).toMatch(/cp -r \S*prisma\/sqlite\/migrations prisma\/migrations\n/);
  });

  it('prints the models and nothing else with --print, touching no file', async () => {
    const run = await runCli(['init', '--print'], {}, app);
    expect(run).toMatchObject({ code: 0, stdout: models, stderr: '' });
    expect(existsSync(schemaFile)).toBe(false);
  });

  it('exits 2 when the schema file does not exist', async () => {
    const run = await runCli(['init', '--schema', 'elsewhere/schema.prisma'], {}, app);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'express-pat: no Prisma schema file at elsewhere/schema.prisma: pass --schema <path>, or run `npx prisma init` first\n',
    );
  });
});
