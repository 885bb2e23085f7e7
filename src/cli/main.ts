#!/usr/bin/env node
/**
 * The `express-pat` executable (package.json `bin`). Runs one command, then exits with its code
 * once the output is written: the app's connection pools must not keep an admin's shell waiting.
 */
import { runCli } from './program.js';

const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

const exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(exitCode);
