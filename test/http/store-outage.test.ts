/**
 * A store that fails must answer 503 store_unavailable and never let a request through. The
 * outages are real: a PostgreSQL client aimed at a closed port, and a SQLite file without tables.
 */
import { join } from 'node:path';
import type { Express } from 'express';
import pg from 'pg';
import express from 'express';
import request from 'supertest';
import type { TokenLookup } from '../../src/index.js';
import { PrismaTokenStore } from '../../src/store/prisma-token-store.js';
import { resolveDatabase } from '../../src/demo/database.js';
import { generateToken } from '../../src/token/format.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { ENV } from '../support/test-env.js';
import { createTestApp, USER_HEADER } from '../support/test-app.js';

const brokenStores = [
  { name: 'PostgreSQL on a closed port', url: () => 'postgresql://postgres@127.0.0.1:1/none' },
  { name: 'a SQLite file without tables', url: () => `file:${join(process.env[ENV.tempDir] ?? '.', 'empty.db')}` },
];

describe.each(brokenStores)('with $name', ({ url }) => {
  let prisma: TestPrismaClient;
  let app: Express;
  const reported: unknown[] = [];

  beforeAll(async () => {
    prisma = await connect(testDatabases[0]!, resolveDatabase(url()));
    ({ app } = createTestApp(prisma, { onStoreError: (error) => reported.push(error) }));
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('answers 503 store_unavailable to a well-formed token, never a pass', async () => {
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${generateToken('pat')}`);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'store_unavailable', message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|ECONNREFUSED|no such table/);
    expect(reported.length).toBeGreaterThan(0);
  });

  it('still rejects malformed tokens without touching the store', async () => {
    const res = await request(app).get('/api/read').set('Authorization', 'Bearer pat_tooshort');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_invalid');
  });

  it.each([
    ['GET', '/tokens'],
    ['POST', '/tokens'],
    ['GET', '/tokens/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/tokens/00000000-0000-4000-8000-000000000000'],
    ['POST', '/tokens/00000000-0000-4000-8000-000000000000/rotate'],
  ])('answers 503 store_unavailable to %s %s', async (method, path) => {
    const agent = request(app);
    const call = method === 'GET' ? agent.get(path) : method === 'POST' ? agent.post(path) : agent.delete(path);
    const res = await call
      .set(USER_HEADER, 'someone')
      .send(method === 'POST' && path === '/tokens' ? { name: 'n', scopes: ['notes:read'] } : undefined);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('store_unavailable');
  });
});

const postgres = testDatabases.find((database) => database.provider === 'postgresql');
const describeOnPostgres = postgres === undefined ? describe.skip : describe;

describeOnPostgres('PostgreSQL failures in the middle of a request', () => {
  it('answers 503 when the backend serving the lookup is terminated, and recovers after', async () => {
    // A name of its own, so only this test's connections are terminated, never another run's.
    const applicationName = `express-pat-outage-${process.pid}-${Date.now()}`;
    const base = postgres!.target();
    const target = { ...base, pool: { ...base.pool, application_name: applicationName } };
    const prisma = await connect(postgres!, target);
    const { app, pat } = createTestApp(prisma);
    const admin = new pg.Client(target.pool);
    await admin.connect();
    const locker = new pg.Client(target.pool);
    await locker.connect();
    try {
      const created = await pat.tokens.create(await createUser(prisma), { name: 'x', scopes: ['notes:read'] });
      // Hold a lock the lookup must wait for, so it is in flight when its backend dies.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "PersonalAccessToken" IN ACCESS EXCLUSIVE MODE');
      const pending = request(app).get('/api/read').set('Authorization', `Bearer ${created.token}`).then((res) => res);
      let terminated = 0;
      for (let attempt = 0; attempt < 100 && terminated === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const { rowCount } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND application_name = $1 AND pid <> $2`,
          [applicationName, (locker as unknown as { processID: number }).processID],
        );
        terminated = rowCount ?? 0;
      }
      expect(terminated).toBeGreaterThan(0);
      const res = await pending;
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('store_unavailable');
      await locker.query('ROLLBACK');
      await request(app).get('/api/read').set('Authorization', `Bearer ${created.token}`).expect(200);
    } finally {
      await locker.end();
      await admin.end();
      await pat.close();
      await prisma.$disconnect();
    }
  });

  it('answers 503 when the pool is exhausted past storeTimeoutMs, never a pass', async () => {
    const base = postgres!.target();
    const target = { ...base, pool: { ...base.pool, max: 1 } };
    const prisma = await connect(postgres!, target);
    const { app, pat } = createTestApp(prisma, { storeTimeoutMs: 300 });
    try {
      const created = await pat.tokens.create(await createUser(prisma), { name: 'x', scopes: ['notes:read'] });
      let release: () => void = () => undefined;
      const held = prisma.$transaction(
        () => new Promise<void>((resolve) => (release = resolve)),
        { timeout: 10_000, maxWait: 10_000 },
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await request(app).get('/api/read').set('Authorization', `Bearer ${created.token}`);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('store_unavailable');
      release();
      await held;
      await request(app).get('/api/read').set('Authorization', `Bearer ${created.token}`).expect(200);
    } finally {
      await pat.close();
      await prisma.$disconnect();
    }
  });
});

describe('a guard whose response was already sent by someone else', () => {
  it('neither crashes nor answers twice when the lookup finishes late', async () => {
    const prisma = await connect(testDatabases[0]!);
    const store = new PrismaTokenStore(prisma);
    const slow: TokenLookup = {
      findByDigests: async (digests) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return store.findByDigests(digests);
      },
    };
    const { pat } = createTestApp(prisma, { lookup: slow });
    const app = express();
    // A request timeout in front of the guard answers first.
    app.use((_req, res, next) => {
      setTimeout(() => {
        if (!res.headersSent) res.status(503).json({ timeout: true });
      }, 50);
      next();
    });
    app.get('/api/read', pat.requireToken(['notes:read']), (_req, res) => {
      if (!res.headersSent) res.json({ ok: true });
    });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const created = await pat.tokens.create(await createUser(prisma), { name: 'x', scopes: ['notes:read'] });
      for (const header of [`Bearer ${created.token}`, `Bearer ${generateToken('pat')}`]) {
        const res = await request(app).get('/api/read').set('Authorization', header);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ timeout: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await pat.close();
      await prisma.$disconnect();
    }
  });
});
