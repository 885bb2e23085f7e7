/** `express-pat tokens list | revoke | prune`: token administration across users. */
import { InvalidArgumentError, type Command } from 'commander';
import type { AdminTokenMeta } from '../service/admin-service.js';
import { appOption, withApp } from './app-module.js';
import { CliError, EXIT, isPatError } from './errors.js';
import type { CliIo } from './io.js';
import { formatDate, printable, table, writeJson } from './output.js';

interface ListOptions {
  readonly app: string;
  readonly user?: string;
  readonly all?: boolean;
  readonly json?: boolean;
}

interface RevokeOptions {
  readonly app: string;
  readonly json?: boolean;
}

interface PruneOptions {
  readonly app: string;
  readonly olderThanDays: number;
  readonly json?: boolean;
}

/** One line of `tokens revoke --json`. */
interface RevokeLine {
  readonly id: string;
  readonly userId: string | null;
  readonly outcome: 'revoked' | 'already_revoked' | 'not_found';
}

function wholeDays(value: string): number {
  if (!/^\d{1,6}$/.test(value)) throw new InvalidArgumentError('expected a whole number of days (0 or more).');
  return Number(value);
}

/**
 * The status column: an active token with a `revokedAt` is in a rotation's grace period (the
 * instant is still ahead, or it would be `revoked`), shown as `active until <time>`.
 */
function statusCell(token: AdminTokenMeta): string {
  return token.status === 'active' && token.revokedAt !== null ? `active until ${formatDate(token.revokedAt)}` : token.status;
}

function tokenTable(tokens: readonly AdminTokenMeta[]): string {
  return table(
    ['ID', 'USER', 'NAME', 'HINT', 'SCOPES', 'CREATED', 'EXPIRES', 'LAST USED', 'LAST USED FROM', 'STATUS'],
    tokens.map((token) => [
      token.id,
      token.userId,
      token.name,
      token.hint,
      token.scopes.join(','),
      formatDate(token.createdAt),
      formatDate(token.expiresAt, 'never'),
      formatDate(token.lastUsedAt, 'never'),
      token.lastUsedIp ?? '-',
      statusCell(token),
    ]),
  );
}

async function list(options: ListOptions, io: CliIo): Promise<void> {
  const tokens = await withApp(options.app, (pat) =>
    pat.admin.list({ userId: options.user, includeInactive: options.all === true }),
  );
  if (options.json === true) writeJson(io, { tokens });
  else io.out(tokens.length === 0 ? 'No tokens.\n' : tokenTable(tokens));
}

async function revoke(ids: readonly string[], options: RevokeOptions, io: CliIo): Promise<void> {
  const lines = await withApp(options.app, async (pat) => {
    const done: RevokeLine[] = [];
    for (const id of new Set(ids)) {
      try {
        const result = await pat.admin.revoke(id);
        const line: RevokeLine = { id, userId: result.userId, outcome: result.alreadyRevoked ? 'already_revoked' : 'revoked' };
        done.push(line);
        if (options.json !== true) {
          io.out(`${line.outcome === 'revoked' ? 'revoked' : 'already revoked'}  ${printable(id)}  (user ${printable(result.userId)})\n`);
        }
      } catch (error) {
        if (!isPatError(error) || error.code !== 'not_found') throw error;
        done.push({ id, userId: null, outcome: 'not_found' });
      }
    }
    return done;
  });
  if (options.json === true) writeJson(io, { results: lines });
  const missing = lines.filter((line) => line.outcome === 'not_found').map((line) => printable(line.id));
  if (missing.length > 0) throw new CliError(EXIT.notFound, `no token with id ${missing.join(', ')}`);
}

async function prune(options: PruneOptions, io: CliIo): Promise<void> {
  const { olderThanDays } = options;
  const deleted = await withApp(options.app, (pat) => pat.tokens.pruneExpired({ olderThanDays }));
  if (options.json === true) {
    writeJson(io, { deleted, olderThanDays });
    return;
  }
  const tokens = deleted === 1 ? 'token' : 'tokens';
  const which = olderThanDays === 0 ? `expired ${tokens}` : `${tokens} that expired more than ${olderThanDays} days ago`;
  io.out(`Deleted ${deleted} ${which}.\n`);
}

/** Adds the `tokens` command group to `program`. */
export function registerTokensCommands(program: Command, io: CliIo): void {
  const tokens = program.command('tokens').description('list, revoke and prune Personal Access Tokens of any user');

  tokens
    .command('list')
    .description('active tokens of every user (or of one), newest first')
    .addOption(appOption())
    .option('--user <id>', 'only the tokens of this user id')
    .option('--all', 'include revoked and expired tokens')
    .option('--json', 'print JSON to stdout')
    .action((options: ListOptions) => list(options, io));

  tokens
    .command('revoke')
    .description('revoke tokens by id, whoever owns them; they stop working at once on every instance')
    .argument('<id...>', 'token ids')
    .addOption(appOption())
    .option('--json', 'print JSON to stdout')
    .action((ids: string[], options: RevokeOptions) => revoke(ids, options, io));

  tokens
    .command('prune')
    .description('delete tokens that expired (more than N days ago)')
    .addOption(appOption())
    .option('--older-than-days <n>', 'only tokens that expired more than n days ago', wholeDays, 0)
    .option('--json', 'print JSON to stdout')
    .action((options: PruneOptions) => prune(options, io));
}
