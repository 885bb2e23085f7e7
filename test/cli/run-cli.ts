/**
 * Runs the real `express-pat` executable in a child process, as an administrator would: the
 * source entry point under tsx (`node --import tsx src/cli/main.ts …`).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
/** tsx's loader by absolute URL, so the CLI can run from any working directory. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const entryPoint = join(projectRoot, 'src', 'cli', 'main.ts');

/** The fixture app module, relative to the project root (the CLI's working directory). */
export const FIXTURE_APP = 'test/cli/fixtures/app.ts';

/** What one run printed, and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Every run of this test file, to check afterwards that none printed a secret. */
export const runs: CliRun[] = [];

/**
 * Runs `express-pat …args` with `env` on top of this process's environment (undefined unsets),
 * in `cwd` (default: the project root).
 */
export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  cwd = projectRoot,
): Promise<CliRun> {
  const merged: NodeJS.ProcessEnv = { ...process.env, EXPRESS_PAT_APP: undefined, ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, entryPoint, ...args], {
      cwd,
      env: merged,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const run = { code, stdout, stderr };
      runs.push(run);
      resolve(run);
    });
  });
}

/** Node prints `    at …` lines for a stack trace; the CLI never should. */
export const STACK_LINE = /^\s+at /m;
