/**
 * How the `express-pat` executable fails: usage errors exit 2 with commander's message, an
 * unreachable database exits 1 with one clear line, and nothing ever prints a stack trace.
 */
import { createServer } from 'node:net';
import { once } from 'node:events';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { FIXTURE_APP, runCli, STACK_LINE, type CliRun } from './run-cli.js';

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

const USAGE_ERRORS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['no command', []],
  ['an unknown command', ['rotate']],
  ['a command group without its command', ['tokens']],
  ['no --app and no EXPRESS_PAT_APP', ['tokens', 'list']],
  ['an unknown flag', ['tokens', 'list', '--app', FIXTURE_APP, '--everything']],
  ['a negative --older-than-days', ['tokens', 'prune', '--app', FIXTURE_APP, '--older-than-days', '-1']],
  ['a fractional --older-than-days', ['tokens', 'prune', '--app', FIXTURE_APP, '--older-than-days', '1.5']],
  ['revoke without ids', ['tokens', 'revoke', '--app', FIXTURE_APP]],
  ['an unknown --provider', ['init', '--provider', 'mysql']],
  ['an --app path that does not exist', ['scopes', 'list', '--app', 'test/cli/fixtures/missing.js']],
  ['an --app module without an express-pat instance', ['scopes', 'list', '--app', 'test/cli/fixtures/not-an-app.ts']],
];

describe('express-pat usage errors', () => {
  /** Started together (each run is a process start-up), awaited by each case. */
  let usageRuns: Map<string, Promise<CliRun>>;
  beforeAll(() => {
    usageRuns = new Map(USAGE_ERRORS.map(([name, args]) => [name, runCli(args)]));
  });

  it.each(USAGE_ERRORS)('exits 2 for %s, saying why on stderr only', async (name) => {
    const run = await usageRuns.get(name);
    if (run === undefined) throw new Error(`no run for ${name}`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toBe('');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('names the missing option and the module contract', async () => {
    const [missing, notApp] = await Promise.all([
      runCli(['tokens', 'list']),
      runCli(['scopes', 'list', '--app', 'test/cli/fixtures/not-an-app.ts']),
    ]);
    expect(missing.stderr).toContain("required option '--app <module>' not specified");
    expect(notApp.stderr).toContain('exports no express-pat instance: export the object createPersonalAccessTokens() returns as `pat`');
  });

  it('prints help to stdout and exits 0 with --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: express-pat /);
    for (const command of ['init', 'tokens', 'scopes']) expect(run.stdout).toContain(command);
  });
});

describe('express-pat with an unreachable database', () => {
  it.each([
    ['tokens list', ['tokens', 'list', '--json']],
    ['tokens revoke', ['tokens', 'revoke', '00000000-0000-4000-8000-000000000000']],
  ])('%s exits 1 with one line naming the failure, and prints no result', async (_command, args) => {
    const url = `postgresql://postgres@127.0.0.1:${await closedPort()}/test`;
    const run = await runCli([...args, '--app', FIXTURE_APP], { DATABASE_URL: url });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^express-pat: store_unavailable: .*Can't reach database server at 127\.0\.0\.1:\d+\)\n$/);
  });
});
