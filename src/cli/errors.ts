import { PatError } from '../errors.js';

/**
 * The CLI's exit codes (public: scripts rely on them) and the error that carries one. Commander's
 * own usage errors are mapped to {@link EXIT.usage} by the program.
 */

/** Exit codes of `express-pat`. */
export const EXIT = {
  /** The command did what was asked (also: `init` found the models already there). */
  ok: 0,
  /** Operational failure: database unreachable, the app module failed to load, `init` refused. */
  failure: 1,
  /** Usage error: unknown command or flag, bad value, missing `--app`, a path that does not exist. */
  usage: 2,
  /** Not found: an id given to `tokens revoke` matches no token (the others were still revoked). */
  notFound: 3,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports as one line on stderr, exiting with `exitCode` (never a stack trace). */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Whether `error` is an express-pat outcome. By shape too, not only by class: the app module may
 * load another copy of express-pat than the CLI's (a TypeScript app run from source, say).
 */
export function isPatError(error: unknown): error is PatError {
  if (error instanceof PatError) return true;
  if (!(error instanceof Error)) return false;
  const { code, status } = error as { code?: unknown; status?: unknown };
  return typeof code === 'string' && typeof status === 'number';
}
