/**
 * Two instances of an app on one PostgreSQL, each with the verified-token cache: a revoke on one
 * must be refused by the other within a second, through LISTEN/NOTIFY.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import pg from 'pg';
import request from 'supertest';
import { postgresInvalidation, type PersonalAccessTokens } from '../../src/index.js';
import type { DatabaseTarget } from '../../src/demo/database.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp } from '../support/test-app.js';

const postgres = testDatabases.filter((database) => database.provider === 'postgresql');
const describeOnPostgres = postgres.length > 0 ? describe : describe.skip;

interface Instance {
  prisma: TestPrismaClient;
  app: Express;
  pat: PersonalAccessTokens;
}

/** Polls until `check` passes or `ms` elapse; returns the time it took, or Infinity. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start <= ms) {
    if (await check()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Infinity;
}

describeOnPostgres('cross-instance invalidation over PostgreSQL LISTEN/NOTIFY', () => {
  const channel = `express_pat_test_${randomUUID().replaceAll('-', '')}`;
  let target: DatabaseTarget;
  let a: Instance;
  let b: Instance;
  let unsynced: Instance;
  let userId: string;

  async function instance(withChannel: boolean): Promise<Instance> {
    const prisma = await connect(postgres[0]!, target);
    const { app, pat } = createTestApp(prisma, {
      cache: { ttlSeconds: 300 },
      invalidation: withChannel
        ? postgresInvalidation({ client: () => new pg.Client(target.pool), channel, reconnectDelayMs: 100 })
        : undefined,
    });
    await pat.ready();
    return { prisma, app, pat };
  }

  beforeAll(async () => {
    target = postgres[0]!.target();
    [a, b, unsynced] = await Promise.all([instance(true), instance(true), instance(false)]);
    userId = await createUser(a.prisma);
  });
  afterAll(async () => {
    for (const { pat, prisma } of [a, b, unsynced]) {
      await pat.close();
      await prisma.$disconnect();
    }
  });

  const status = async (on: Instance, token: string) =>
    (await request(on.app).get('/api/read').set('Authorization', `Bearer ${token}`)).status;

  it('refuses on instance B within 1 s a token revoked on instance A', async () => {
    const created = await a.pat.tokens.create(userId, { name: 'shared', scopes: ['notes:read'] });
    expect(await status(b, created.token)).toBe(200);
    expect(await status(unsynced, created.token)).toBe(200);

    await a.pat.tokens.revoke(userId, created.id);
    const took = await within(1000, async () => (await status(b, created.token)) === 401);
    expect(took).toBeLessThanOrEqual(1000);
    // The control: an instance whose cache hears nothing still serves its stale entry.
    expect(await status(unsynced, created.token)).toBe(200);
  });

  it('bypasses the cache while its LISTEN connection is down, and recovers', async () => {
    const created = await a.pat.tokens.create(userId, { name: 'drop', scopes: ['notes:read'] });
    expect(await status(b, created.token)).toBe(200);

    const admin = new pg.Client(target.pool);
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`,
        [`LISTEN ${channel}`],
      );
      expect(rowCount).toBeGreaterThanOrEqual(1); // B, whose last statement was its LISTEN
    } finally {
      await admin.end();
    }
    // Revoke without telling anyone: only a cache that was dropped can notice.
    await a.prisma.personalAccessToken.update({ where: { id: created.id }, data: { revokedAt: new Date() } });
    expect(await within(1000, async () => (await status(b, created.token)) === 401)).toBeLessThanOrEqual(1000);

    // After reconnecting, invalidations flow again.
    const next = await a.pat.tokens.create(userId, { name: 'after', scopes: ['notes:read'] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await status(b, next.token)).toBe(200);
    await a.pat.tokens.revoke(userId, next.id);
    expect(await within(1000, async () => (await status(b, next.token)) === 401)).toBeLessThanOrEqual(1000);
  });

  it('fails ready() while PostgreSQL is unreachable, keeps retrying, and caches once it listens', async () => {
    let reachable = false;
    const prisma = await connect(postgres[0]!, target);
    const { app, pat } = createTestApp(prisma, {
      cache: { ttlSeconds: 300 },
      invalidation: postgresInvalidation({
        client: () => {
          const url = new URL(target.pool?.connectionString ?? '');
          if (!reachable) url.port = '1';
          return new pg.Client({ ...target.pool, connectionString: url.toString() });
        },
        channel,
        reconnectDelayMs: 100,
      }),
    });
    try {
      await expect(pat.ready()).rejects.toThrow();
      reachable = true;
      const created = await a.pat.tokens.create(userId, { name: 'late', scopes: ['notes:read'] });
      const instance = { prisma, app, pat };
      // Listening again: a revoke on A reaches this instance's cache.
      expect(await within(2000, async () => (await pat.ready().then(() => true, () => false)))).toBeLessThan(2000);
      expect(await status(instance, created.token)).toBe(200);
      await a.pat.tokens.revoke(userId, created.id);
      expect(await within(1000, async () => (await status(instance, created.token)) === 401)).toBeLessThanOrEqual(1000);
    } finally {
      await pat.close();
      await prisma.$disconnect();
    }
  });

  it("announces a revoke even while the revoking instance's own LISTEN connection is down", async () => {
    const created = await a.pat.tokens.create(userId, { name: 'announced', scopes: ['notes:read'] });
    expect(await status(b, created.token)).toBe(200);
    const admin = new pg.Client(target.pool);
    await admin.connect();
    try {
      // Every listener of this channel drops; the revoke follows at once, before any reconnect.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`, [
        `LISTEN ${channel}`,
      ]);
      await a.pat.tokens.revoke(userId, created.id);
    } finally {
      await admin.end();
    }
    expect(await within(1500, async () => (await status(b, created.token)) === 401)).toBeLessThanOrEqual(1500);
  });

  it('leaves no connection behind when closed while still connecting', async () => {
    const applicationName = `express-pat-close-${process.pid}-${Date.now()}`;
    const prisma = await connect(postgres[0]!, target);
    const { pat } = createTestApp(prisma, {
      cache: true,
      invalidation: postgresInvalidation({
        client: () => new pg.Client({ ...target.pool, application_name: applicationName }),
        channel,
      }),
    });
    const started = pat.ready().catch(() => undefined);
    await pat.close();
    await started;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const admin = new pg.Client(target.pool);
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
      expect(rows[0].n).toBe(0);
    } finally {
      await admin.end();
      await prisma.$disconnect();
    }
  });
});
