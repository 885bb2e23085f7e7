/**
 * `express-pat tokens …` and `scopes list` as real child processes against a real app module
 * (test/cli/fixtures/app.ts), on SQLite and PostgreSQL, each in a database of its own: listing
 * spans every user, so no other suite's rows may be there.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { resolveDatabase, type DatabaseTarget } from '../../src/demo/database.js';
import { applyMigrations } from '../../src/demo/migrate.js';
import {
  createPersonalAccessTokens,
  postgresInvalidation,
  type IssuedToken,
  type PersonalAccessTokens,
} from '../../src/index.js';
import { connect, createUser, testDatabases, type TestDatabase, type TestPrismaClient } from '../support/databases.js';
import { TEST_PEPPER, TEST_SCOPES } from '../support/test-app.js';
import { ENV, POSTGRES_BASE_URL } from '../support/test-env.js';
import { FIXTURE_APP, runCli, runs, STACK_LINE, type CliRun } from './run-cli.js';

const DAY_MS = 86_400_000;

/** SQLite: the suite's private copy. PostgreSQL: a schema of this run migrated for this file only. */
async function privateTarget(database: TestDatabase): Promise<DatabaseTarget> {
  if (database.provider === 'sqlite') return database.target();
  const url = new URL(POSTGRES_BASE_URL);
  url.searchParams.set('schema', `${process.env[ENV.postgresSchema] ?? ''}_cli_tokens`);
  const target = resolveDatabase(url.toString());
  await applyMigrations(target);
  return target;
}

async function dropSchema(target: DatabaseTarget): Promise<void> {
  if (target.provider !== 'postgresql' || target.schema === undefined) return;
  const client = new pg.Client({ connectionString: POSTGRES_BASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${target.schema.replaceAll('"', '""')}" CASCADE`);
  await client.end();
}

/** Retries `check` until it passes or `ms` have gone by (for a notification crossing processes). */
async function eventually(check: () => Promise<void>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function parseJson(run: CliRun): unknown {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.stdout);
}

/** A date as the CLI's tables show it, to the minute. */
const minute = (date: Date | undefined): string => `${date?.toISOString().slice(0, 16).replace('T', ' ') ?? ''} UTC`;

/** Cells of a table line (cells are separated by two or more spaces; none holds two spaces). */
const cells = (line: string): string[] => line.split(/ {2,}/);

describe.each(testDatabases)('express-pat tokens and scopes on $provider', (database) => {
  let target: DatabaseTarget;
  let prisma: TestPrismaClient;
  let pat: PersonalAccessTokens;
  let env: Record<string, string>;
  let alice: string;
  let bob: string;
  let carol: string;
  /** Has a token in a rotation's grace period and its successor. */
  let dave: string;
  /** Last uses written for seeded tokens, by role. */
  const lastUses: Record<string, { lastUsedAt: Date; lastUsedIp: string; lastUsedUserAgent: string }> = {};
  /** Seeded tokens by role. */
  const seeded: Record<string, IssuedToken> = {};
  /** The seeded tokens' digests, read before any is pruned. */
  let digests: string[];

  /** What `tokens list --json` shows for a seeded token: every field of GET /tokens/:id, the owner, the status. */
  async function shown(name: string, userId: string, status: 'active' | 'revoked' | 'expired'): Promise<Record<string, unknown>> {
    const token = seeded[name];
    if (token === undefined) throw new Error(`no seeded token ${name}`);
    const meta = await pat.tokens.get(userId, token.id);
    const used = lastUses[name];
    return {
      id: token.id,
      userId,
      name: token.name,
      hint: token.hint,
      scopes: [...token.scopes],
      createdAt: token.createdAt.toISOString(),
      expiresAt: token.expiresAt?.toISOString() ?? null,
      lastUsedAt: used?.lastUsedAt.toISOString() ?? null,
      lastUsedIp: used?.lastUsedIp ?? null,
      lastUsedUserAgent: used?.lastUsedUserAgent ?? null,
      revokedAt: meta.revokedAt?.toISOString() ?? null,
      familyId: name === 'daveSuccessor' ? seeded.daveRotated?.id : token.id,
      replacedById: name === 'daveRotated' ? (seeded.daveSuccessor?.id ?? null) : null,
      status,
    };
  }

  /** Newest first, as the CLI lists them. */
  const newestFirst = (entries: Record<string, unknown>[]): Record<string, unknown>[] =>
    [...entries].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)) || String(b.id).localeCompare(String(a.id)));

  beforeAll(async () => {
    target = await privateTarget(database);
    prisma = await connect(database, target);
    const channel = `pat_cli_${randomBytes(6).toString('hex')}`;
    const postgres = target.provider === 'postgresql';
    // This process is "another instance" of the app: on PostgreSQL it caches verified tokens and
    // listens on the same invalidation channel as the CLI's instance.
    pat = createPersonalAccessTokens({
      prisma,
      pepper: TEST_PEPPER,
      scopes: TEST_SCOPES,
      ...(postgres
        ? { cache: true, invalidation: postgresInvalidation({ client: () => new pg.Client(target.pool), channel }) }
        : {}),
    });
    await pat.ready();
    env = { DATABASE_URL: target.url, ...(postgres ? { PAT_TEST_CHANNEL: channel } : {}) };

    alice = await createUser(prisma);
    bob = await createUser(prisma);
    carol = await createUser(prisma);
    dave = await createUser(prisma);
    let past = new Date(Date.now() - 40 * DAY_MS);
    const earlier = createPersonalAccessTokens({ prisma, pepper: TEST_PEPPER, scopes: TEST_SCOPES, now: () => past });
    seeded.aliceLongExpired = await earlier.tokens.create(alice, { name: 'old laptop', scopes: ['notes:read'], expiresInDays: 1 });
    past = new Date(Date.now() - 5 * DAY_MS);
    seeded.bobRecentlyExpired = await earlier.tokens.create(bob, { name: 'trial', scopes: ['billing:read'], expiresInDays: 1 });
    await earlier.close();
    seeded.aliceRevoked = await pat.tokens.create(alice, { name: 'leaked', scopes: ['notes:admin'], expiresInDays: 7 });
    await pat.tokens.revoke(alice, seeded.aliceRevoked.id);
    seeded.aliceRead = await pat.tokens.create(alice, { name: 'laptop CLI', scopes: ['notes:read'], expiresInDays: 30 });
    seeded.bobBilling = await pat.tokens.create(bob, { name: 'invoices bot', scopes: ['billing:read', 'notes:read'] });
    seeded.aliceWrite = await pat.tokens.create(alice, { name: 'deploy', scopes: ['notes:write'], expiresInDays: 90 });
    seeded.daveRotated = await pat.tokens.create(dave, { name: 'ci runner', scopes: ['notes:read'], expiresInDays: 30 });
    seeded.daveSuccessor = await pat.tokens.rotate(dave, seeded.daveRotated.id, { graceSeconds: 3600 });
    lastUses.aliceRead = { lastUsedAt: new Date(Date.now() - DAY_MS), lastUsedIp: '203.0.113.7', lastUsedUserAgent: 'curl/8.5.0' };
    await prisma.personalAccessToken.update({ where: { id: seeded.aliceRead.id }, data: lastUses.aliceRead });
    digests = (await prisma.personalAccessToken.findMany({ select: { digest: true } })).map((row) => row.digest);
  });

  afterAll(async () => {
    await pat.close();
    await prisma.$disconnect();
    await dropSchema(target);
  });

  describe('read-only commands', () => {
    let listAll: CliRun;
    let listAlice: CliRun;
    let tableAlice: CliRun;
    let tableCarol: CliRun;
    let tableDave: CliRun;
    let scopesJson: CliRun;
    let scopesTable: CliRun;

    beforeAll(async () => {
      [listAll, listAlice, tableAlice, tableCarol, tableDave, scopesJson, scopesTable] = await Promise.all([
        runCli(['tokens', 'list', '--app', FIXTURE_APP, '--json'], env),
        runCli(['tokens', 'list', '--app', FIXTURE_APP, '--user', alice, '--all', '--json'], env),
        runCli(['tokens', 'list', '--app', FIXTURE_APP, '--user', alice], env),
        runCli(['tokens', 'list', '--app', FIXTURE_APP, '--user', carol], env),
        runCli(['tokens', 'list', '--app', FIXTURE_APP, '--user', dave], env),
        // The app module named by the environment instead of --app.
        runCli(['scopes', 'list', '--json'], { ...env, EXPRESS_PAT_APP: FIXTURE_APP }),
        runCli(['scopes', 'list', '--app', FIXTURE_APP], env),
      ]);
    });

    it('lists the active tokens of every user, newest first, as JSON', async () => {
      expect(parseJson(listAll)).toEqual({
        tokens: newestFirst([
          await shown('aliceRead', alice, 'active'),
          await shown('bobBilling', bob, 'active'),
          await shown('aliceWrite', alice, 'active'),
          // In its rotation's grace period: active, with revokedAt ahead and its successor named.
          await shown('daveRotated', dave, 'active'),
          await shown('daveSuccessor', dave, 'active'),
        ]),
      });
    });

    it('lists one user\'s tokens with --user, revoked and expired ones too with --all', async () => {
      expect(parseJson(listAlice)).toEqual({
        tokens: newestFirst([
          await shown('aliceLongExpired', alice, 'expired'),
          await shown('aliceRevoked', alice, 'revoked'),
          await shown('aliceRead', alice, 'active'),
          await shown('aliceWrite', alice, 'active'),
        ]),
      });
    });

    it('prints a table by default', () => {
      expect({ code: tableAlice.code, stderr: tableAlice.stderr }).toEqual({ code: 0, stderr: '' });
      const [header, ...rows] = tableAlice.stdout.trimEnd().split('\n');
      expect(cells(header ?? '')).toEqual([
        'ID',
        'USER',
        'NAME',
        'HINT',
        'SCOPES',
        'CREATED',
        'EXPIRES',
        'LAST USED',
        'LAST USED FROM',
        'STATUS',
      ]);
      const write = seeded.aliceWrite;
      const read = seeded.aliceRead;
      if (write === undefined || read === undefined) throw new Error('not seeded');
      const row = (token: IssuedToken): string[] => [
        token.id,
        alice,
        token.name,
        token.hint,
        token.scopes.join(','),
        `${token.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        `${token.expiresAt?.toISOString().slice(0, 16).replace('T', ' ') ?? ''} UTC`,
        ...(token === read ? [minute(lastUses.aliceRead?.lastUsedAt), '203.0.113.7'] : ['never', '-']),
        'active',
      ];
      const newest = [write, read].sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id),
      );
      expect(rows.map(cells)).toEqual(newest.map(row));
    });

    it('shows a token in its rotation\'s grace period as "active until" the end of it', () => {
      const rotated = seeded.daveRotated;
      const successor = seeded.daveSuccessor;
      if (rotated === undefined || successor === undefined) throw new Error('not seeded');
      expect({ code: tableDave.code, stderr: tableDave.stderr }).toEqual({ code: 0, stderr: '' });
      const rows = tableDave.stdout.trimEnd().split('\n').slice(1).map(cells);
      const status = (id: string): string | undefined => rows.find((row) => row[0] === id)?.at(-1);
      const graceEnd = new Date(successor.createdAt.getTime() + 3600_000);
      expect(status(rotated.id)).toBe(`active until ${minute(graceEnd)}`);
      expect(status(successor.id)).toBe('active');
    });

    it('says so when there are no tokens', () => {
      expect(tableCarol).toMatchObject({ code: 0, stdout: 'No tokens.\n', stderr: '' });
    });

    it('lists the app\'s scopes, as JSON and as a table', () => {
      expect(parseJson(scopesJson)).toEqual({
        scopes: [
          { name: 'notes:read', description: 'Read notes', implies: [] },
          { name: 'notes:write', description: 'Write notes', implies: ['notes:read'] },
          { name: 'notes:admin', description: 'Administer notes', implies: ['notes:write'] },
          { name: 'billing:read', description: 'Read invoices', implies: [] },
        ],
      });
      expect(scopesTable.code).toBe(0);
      expect(scopesTable.stdout.trimEnd().split('\n').map(cells)).toEqual([
        ['NAME', 'DESCRIPTION', 'IMPLIES'],
        ['notes:read', 'Read notes'],
        ['notes:write', 'Write notes', 'notes:read'],
        ['notes:admin', 'Administer notes', 'notes:write'],
        ['billing:read', 'Read invoices'],
      ]);
    });
  });

  describe('tokens revoke', () => {
    it('revokes the ids that exist, reports the others, exits 3, and the token stops working here too', async () => {
      const read = seeded.aliceRead;
      const revoked = seeded.aliceRevoked;
      const billing = seeded.bobBilling;
      if (read === undefined || revoked === undefined || billing === undefined) throw new Error('not seeded');
      // Verified (and on PostgreSQL cached) by this instance before the CLI revokes it.
      await expect(pat.tokens.verify(read.token)).resolves.toMatchObject({ tokenId: read.id });
      const missing = randomUUID();

      const run = await runCli(['tokens', 'revoke', read.id, missing, revoked.id, '--app', FIXTURE_APP, '--json'], env);

      expect(run.code).toBe(3);
      expect(JSON.parse(run.stdout)).toEqual({
        results: [
          { id: read.id, userId: alice, outcome: 'revoked' },
          { id: missing, userId: null, outcome: 'not_found' },
          { id: revoked.id, userId: alice, outcome: 'already_revoked' },
        ],
      });
      expect(run.stderr).toBe(`express-pat: no token with id ${missing}\n`);
      await eventually(() => expect(pat.tokens.verify(read.token)).rejects.toMatchObject({ code: 'token_revoked' }));
      await expect(pat.tokens.verify(billing.token)).resolves.toMatchObject({ tokenId: billing.id });
    });

    it('prints one line per token and exits 0 when every id exists', async () => {
      const billing = seeded.bobBilling;
      if (billing === undefined) throw new Error('not seeded');
      const run = await runCli(['tokens', 'revoke', billing.id, '--app', FIXTURE_APP], env);
      expect(run).toMatchObject({ code: 0, stdout: `revoked  ${billing.id}  (user ${bob})\n`, stderr: '' });
      await eventually(() => expect(pat.tokens.verify(billing.token)).rejects.toMatchObject({ code: 'token_revoked' }));
    });
  });

  describe('tokens prune', () => {
    const remainingIds = async (): Promise<string[]> =>
      (await prisma.personalAccessToken.findMany({ select: { id: true } })).map((row) => row.id).sort();

    it('deletes only the tokens that expired more than --older-than-days ago', async () => {
      const before = await remainingIds();
      const run = await runCli(['tokens', 'prune', '--older-than-days', '30', '--app', FIXTURE_APP, '--json'], env);
      expect(parseJson(run)).toEqual({ deleted: 1, olderThanDays: 30 });
      expect(await remainingIds()).toEqual(before.filter((id) => id !== seeded.aliceLongExpired?.id));
    });

    it('deletes every expired token by default, and nothing else', async () => {
      const before = await remainingIds();
      const run = await runCli(['tokens', 'prune', '--app', FIXTURE_APP], env);
      expect(run).toMatchObject({ code: 0, stdout: 'Deleted 1 expired token.\n', stderr: '' });
      expect(await remainingIds()).toEqual(before.filter((id) => id !== seeded.bobRecentlyExpired?.id));
    });
  });

  describe('pat.admin.revoke', () => {
    it('reports alreadyRevoked from the revoke itself: of two concurrent calls exactly one revokes, with one event', async () => {
      const token = await pat.tokens.create(carol, { name: 'raced', scopes: ['notes:read'] });
      const events: string[] = [];
      const listener = ({ tokenId, reason }: { tokenId: string; reason: string }): void => {
        if (tokenId === token.id) events.push(reason);
      };
      pat.on('token.revoked', listener);
      try {
        const results = await Promise.all([pat.admin.revoke(token.id), pat.admin.revoke(token.id)]);
        expect(results.map((result) => result.alreadyRevoked).sort()).toEqual([false, true]);
        expect(results.map((result) => result.userId)).toEqual([carol, carol]);
        expect(events).toEqual(['admin']);
      } finally {
        pat.off('token.revoked', listener);
      }
      await expect(pat.tokens.verify(token.token)).rejects.toMatchObject({ code: 'token_revoked' });
      await expect(pat.admin.revoke(token.id)).resolves.toEqual({ id: token.id, userId: carol, alreadyRevoked: true });
    });

    it('revokes a token in its rotation\'s grace period at once (it was still working)', async () => {
      const first = await pat.tokens.create(carol, { name: 'graced', scopes: ['notes:read'] });
      await pat.tokens.rotate(carol, first.id, { graceSeconds: 3600 });
      await expect(pat.admin.revoke(first.id)).resolves.toEqual({ id: first.id, userId: carol, alreadyRevoked: false });
      await expect(pat.tokens.verify(first.token)).rejects.toMatchObject({ code: 'token_revoked' });
      const [listed] = await pat.admin.list({ userId: carol, includeInactive: true }).then((all) => all.filter((t) => t.id === first.id));
      expect(listed?.status).toBe('revoked');
    });
  });

  it('never printed a plaintext token, a digest or a stack trace', () => {
    expect(digests).toHaveLength(Object.keys(seeded).length);
    const secrets = [...Object.values(seeded).map((token) => token.token), ...digests];
    expect(runs.length).toBeGreaterThanOrEqual(10);
    for (const { stdout, stderr } of runs) {
      for (const secret of secrets) {
        expect(stdout).not.toContain(secret);
        expect(stderr).not.toContain(secret);
      }
      expect(stderr).not.toMatch(STACK_LINE);
    }
  });
});
