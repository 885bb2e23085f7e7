/** `express-pat scopes list`: the app's registered scopes. */
import type { Command } from 'commander';
import { appOption, withApp } from './app-module.js';
import type { CliIo } from './io.js';
import { table, writeJson } from './output.js';

interface ListOptions {
  readonly app: string;
  readonly json?: boolean;
}

async function list(options: ListOptions, io: CliIo): Promise<void> {
  const scopes = await withApp(options.app, (pat) =>
    Promise.resolve(pat.scopes.map(({ name, description, implies }) => ({ name, description, implies }))),
  );
  if (options.json === true) {
    writeJson(io, { scopes });
    return;
  }
  io.out(
    scopes.length === 0
      ? 'No scopes.\n'
      : table(
          ['NAME', 'DESCRIPTION', 'IMPLIES'],
          scopes.map((scope) => [scope.name, scope.description, scope.implies.join(',')]),
        ),
  );
}

/** Adds the `scopes` command group to `program`. */
export function registerScopesCommands(program: Command, io: CliIo): void {
  program
    .command('scopes')
    .description("the app's scopes")
    .command('list')
    .description('every registered scope with its description and the scopes it implies')
    .addOption(appOption())
    .option('--json', 'print JSON to stdout')
    .action((options: ListOptions) => list(options, io));
}
