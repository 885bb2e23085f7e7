/**
 * Runs a command to completion for the packaging and Prisma 7 suites, which drive real `npm`,
 * `prisma` and `tsc` processes the way a user would.
 */
import { spawn } from 'node:child_process';

/** What a finished command printed, and how it ended. */
export interface CommandResult {
  readonly code: number | null;
  /** stdout and stderr interleaved, as a user would see them. */
  readonly output: string;
  /** stdout alone. */
  readonly stdout: string;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  readonly cwd: string;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The process is killed, and the promise rejected, after this many milliseconds. */
  readonly timeoutMs: number;
}

/**
 * This process's environment without the `npm_*` variables that `npm test` sets (among them
 * `npm_config_local_prefix`, the project root): a child `npm` must see only its own folder.
 */
function childEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  return { ...env, ...extra };
}

/** Runs `command` with `args` (no shell); resolves with its exit code and output. */
export function runCommand(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnvironment(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs} ms:\n${output}`));
    }, options.timeoutMs);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      collect(chunk);
    });
    child.stderr.on('data', collect);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
  });
}

/** Like {@link runCommand}, but a non-zero exit rejects with the command's output. */
export async function runOrThrow(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${String(result.code)} in ${options.cwd}:\n${result.output}`);
  }
  return result;
}
