/**
 * `express-pat init`: adds express-pat's Prisma models (the package's `prisma/models.prisma`) to
 * the host app's schema, once, and says what to do next. On a schema with express-pat's models of
 * an older version it adds only the missing models and says what to compare by hand. Refuses,
 * changing nothing, when the schema already defines a model of the same name that is not
 * express-pat's (typically the app's own `User`).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CliError, EXIT } from './errors.js';
import type { CliIo } from './io.js';
import { packageRoot } from './package-root.js';
import { OWN_USER_MODEL, TOKEN_MODEL, datasourceProvider, planMerge } from './prisma-schema.js';

/** Providers whose migrations the package ships. */
const PROVIDERS = ['sqlite', 'postgresql'] as const;
type Provider = (typeof PROVIDERS)[number];

interface InitOptions {
  readonly schema: string;
  readonly print?: boolean;
  readonly provider?: Provider;
}

/** A path as the user would type it from the working directory. */
const shown = (path: string): string => relative(process.cwd(), path) || '.';

function nextSteps(schemaFile: string, provider: string | undefined): string {
  const migrations = join(dirname(schemaFile), 'migrations');
  const shipped = PROVIDERS.find((known) => known === provider);
  const copy =
    shipped === undefined || existsSync(migrations)
      ? []
      : [
          `     - or, as ${shown(migrations)} does not exist yet, start from express-pat's own ${shipped} migrations:`,
          `         cp -r ${shown(join(packageRoot, 'prisma', shipped, 'migrations'))} ${shown(migrations)}`,
          `         npx prisma migrate deploy --schema ${shown(schemaFile)}`,
        ];
  return [
    '',
    'Next steps:',
    '  1. Create the tables:',
    `     - with your migrations: npx prisma migrate dev --name express-pat --schema ${shown(schemaFile)}`,
    ...copy,
    `  2. Regenerate your client: npx prisma generate --schema ${shown(schemaFile)}`,
    '  3. Create the instance in your app: createPersonalAccessTokens({ prisma, pepper, scopes }),',
    '     and export it (as `pat`) from a module the CLI can load: express-pat tokens list --app <module>',
    '',
  ].join('\n');
}

/** Columns this version added to `PersonalAccessToken`, which an upgraded schema must add by hand. */
const NEW_TOKEN_COLUMNS = ['lastUsedIp', 'lastUsedUserAgent', 'familyId', 'replacedById', 'expiryNoticeDays'];

/** What an upgraded schema (older express-pat models kept, missing ones added) still needs. */
function upgradeSteps(schemaFile: string, provider: string | undefined, added: readonly string[], kept: readonly string[]): string {
  const list = (names: readonly string[]): string => names.map((name) => `\`${name}\``).join(', ');
  const shipped = PROVIDERS.find((known) => known === provider) ?? '<provider>';
  return [
    `${shown(schemaFile)} has express-pat models of an older version: added only the missing ${list(added)}.`,
    `The express-pat models already there (${list(kept)}) were left as they are:`,
    'compare them with `npx express-pat init --print` and add what is new by hand, e.g. the columns',
    `${list(NEW_TOKEN_COLUMNS)} of \`${TOKEN_MODEL}\` and its indexes.`,
    '',
    'Next steps:',
    '  1. Update the kept models as above.',
    '  2. Create the migration:',
    `     - with your migrations: npx prisma migrate dev --name express-pat-upgrade --schema ${shown(schemaFile)}`,
    `     - or, if your migrations are copies of express-pat's own, copy the ones you lack from`,
    `       ${shown(join(packageRoot, 'prisma', shipped, 'migrations'))}, then: npx prisma migrate deploy --schema ${shown(schemaFile)}`,
    `  3. Regenerate your client: npx prisma generate --schema ${shown(schemaFile)}`,
    '',
  ].join('\n');
}

function conflictAdvice(schemaFile: string, taken: readonly string[], missing: readonly string[]): string {
  const models = (names: readonly string[]): string => names.map((name) => `\`${name}\``).join(', ');
  const lines = [`${shown(schemaFile)} already defines ${models(taken)}, also defined by express-pat; nothing was changed.`];
  if (taken.length === 1 && taken[0] === OWN_USER_MODEL) {
    lines.push(
      'If that is your own user model, keep it and add the other models by hand:',
      `  1. run \`express-pat init --print\` and copy every model except \`${OWN_USER_MODEL}\` into your schema;`,
      `  2. add \`tokens PersonalAccessToken[]\` to your \`${OWN_USER_MODEL}\` model (its \`id\` must be a String);`,
      `  3. keep \`PersonalAccessToken.user\` pointing at it: user ${OWN_USER_MODEL} @relation(fields: [userId], references: [id], onDelete: Cascade)`,
      '  4. create a migration with your tooling (express-pat\'s own migrations also create a User table: do not copy them).',
      'See "Adding the models to your app" in the express-pat README.',
    );
  } else {
    lines.push(
      `It lacks ${models(missing)}. Without a \`${TOKEN_MODEL}\` model these are taken to be models of your own:`,
      'express-pat needs these names, so rename yours (an express-pat schema of an older version defines',
      `\`${TOKEN_MODEL}\`, and init then adds only the missing models).`,
    );
  }
  return lines.join('\n');
}

function init(options: InitOptions, io: CliIo): void {
  const models = readFileSync(join(packageRoot, 'prisma', 'models.prisma'), 'utf8');
  if (options.print === true) {
    io.out(models);
    return;
  }
  const schemaFile = resolve(options.schema);
  if (!existsSync(schemaFile) || !statSync(schemaFile).isFile()) {
    throw new CliError(
      EXIT.usage,
      `no Prisma schema file at ${shown(schemaFile)}: pass --schema <path>, or run \`npx prisma init\` first`,
    );
  }
  const schema = readFileSync(schemaFile, 'utf8');
  const plan = planMerge(schema, models);
  if (plan.kind === 'conflict') throw new CliError(EXIT.failure, conflictAdvice(schemaFile, plan.taken, plan.missing));
  if (plan.kind === 'present') {
    io.out(`${shown(schemaFile)} already has the express-pat models; nothing to do.\n`);
    return;
  }
  if (plan.kind === 'upgrade') {
    writeFileSync(schemaFile, plan.schema);
    io.out(upgradeSteps(schemaFile, options.provider ?? datasourceProvider(schema), plan.added, plan.kept));
    return;
  }
  writeFileSync(schemaFile, plan.schema);
  io.out(`Added the express-pat models (${plan.added.join(', ')}) to ${shown(schemaFile)}.\n`);
  io.out(nextSteps(schemaFile, options.provider ?? datasourceProvider(schema)));
}

/** Adds the `init` command to `program`. */
export function registerInitCommand(program: Command, io: CliIo): void {
  program
    .command('init')
    .description("add express-pat's Prisma models to your schema (once), or print them")
    .option('--schema <path>', 'your Prisma schema file', 'prisma/schema.prisma')
    .option('--print', 'print the models to stdout instead of changing any file')
    .addOption(
      new Option('--provider <provider>', "database for the next steps (default: the schema's datasource provider)").choices(
        PROVIDERS,
      ),
    )
    .action((options: InitOptions) => init(options, io));
}
