/**
 * The `express-pat` command line: builds the commander program, runs one command, and turns every
 * outcome into an exit code (see {@link EXIT}) and at most one message on stderr, never a stack.
 */
import { Command, CommanderError } from 'commander';
import type { PatError } from '../errors.js';
import { CliError, EXIT, isPatError, type ExitCode } from './errors.js';
import { registerInitCommand } from './init-command.js';
import type { CliIo } from './io.js';
import { packageVersion } from './package-root.js';
import { registerScopesCommands } from './scopes-command.js';
import { registerTokensCommands } from './tokens-command.js';

/** The cause's gist: Prisma puts the reason ("Can't reach database server at …") on the last line. */
function causeOf(error: PatError): string {
  const { cause } = error;
  if (cause === undefined) return '';
  const lines = (cause instanceof Error ? cause.message : String(cause)).split('\n').map((line) => line.trim());
  const reason = lines.filter((line) => line !== '').at(-1);
  return reason === undefined ? '' : ` (${reason})`;
}

/** The exit code for a failure, after writing its one message to stderr. */
function report(error: unknown, io: CliIo): ExitCode {
  // Commander has written its own message (or the help) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CliError) {
    io.err(`express-pat: ${error.message}\n`);
    return error.exitCode;
  }
  if (isPatError(error)) {
    io.err(`express-pat: ${error.code}: ${error.message}${causeOf(error)}\n`);
    return EXIT.failure;
  }
  io.err(`express-pat: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failure;
}

/** Runs the CLI on `args` (without `node` and the script); resolves with the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const program = new Command('express-pat')
    .description('Administer the Personal Access Tokens of an Express app that uses express-pat.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .showHelpAfterError('(add --help for usage)');
  registerInitCommand(program, io);
  registerTokensCommands(program, io);
  registerScopesCommands(program, io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return report(error, io);
  }
}
