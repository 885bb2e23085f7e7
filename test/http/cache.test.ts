/** The verified-token cache saves lookups but never lets a revoked, rotated or expired token through. */
import type { Express } from 'express';
import request from 'supertest';
import type { PersonalAccessTokens, TokenLookup } from '../../src/index.js';
import { PrismaTokenStore } from '../../src/store/prisma-token-store.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, createTestClock, USER_HEADER, type TestClock } from '../support/test-app.js';

const DAY_MS = 86_400_000;

describe.each(testDatabases)('verified-token cache on $provider', (database) => {
  let prisma: TestPrismaClient;
  let app: Express;
  let pat: PersonalAccessTokens;
  let clock: TestClock;
  let userId: string;
  let lookups = 0;

  beforeAll(async () => {
    prisma = await connect(database);
    clock = createTestClock();
    const store = new PrismaTokenStore(prisma);
    const counting: TokenLookup = {
      findByDigests: (digests) => {
        lookups += 1;
        return store.findByDigests(digests);
      },
    };
    ({ app, pat } = createTestApp(prisma, { now: clock.now, cache: { ttlSeconds: 60 }, lookup: counting }));
    userId = await createUser(prisma);
  });
  afterAll(async () => {
    await pat.close();
    await prisma.$disconnect();
  });

  const use = (token: string, route = '/api/read') => request(app).get(route).set('Authorization', `Bearer ${token}`);

  it('looks a busy token up once per TTL', async () => {
    const { token } = await pat.tokens.create(userId, { name: 'busy', scopes: ['notes:read'] });
    const before = lookups;
    for (let i = 0; i < 10; i += 1) await use(token).expect(200);
    expect(lookups - before).toBe(1);
    clock.advance(60_000);
    await use(token).expect(200);
    expect(lookups - before).toBe(2);
  });

  it('refuses a cached token as soon as DELETE /tokens/:id returns', async () => {
    const created = await pat.tokens.create(userId, { name: 'cached', scopes: ['notes:read'] });
    await use(created.token).expect(200);
    await request(app).delete(`/tokens/${created.id}`).set(USER_HEADER, userId).expect(204);
    expect((await use(created.token)).body.error.code).toBe('token_revoked');
  });

  it('refuses the old token as soon as a rotation returns', async () => {
    const created = await pat.tokens.create(userId, { name: 'rotated', scopes: ['notes:read'] });
    await use(created.token).expect(200);
    const successor = await request(app).post(`/tokens/${created.id}/rotate`).set(USER_HEADER, userId).expect(201);
    expect((await use(created.token)).body.error.code).toBe('token_revoked');
    await use(successor.body.token).expect(200);
  });

  it('still enforces expiry on a cache hit', async () => {
    const { token } = await pat.tokens.create(userId, { name: 'short', scopes: ['notes:read'], expiresInDays: 1 });
    await use(token).expect(200);
    clock.advance(DAY_MS);
    expect((await use(token)).body.error.code).toBe('token_expired');
  });

  it('still checks scopes on a cache hit', async () => {
    const { token } = await pat.tokens.create(userId, { name: 'reader', scopes: ['notes:read'] });
    await use(token).expect(200);
    expect((await use(token, '/api/write')).status).toBe(403);
  });

  it('never lets a request through after revoke returned, under concurrent use', async () => {
    for (let round = 0; round < 20; round += 1) {
      const created = await pat.tokens.create(userId, { name: `race ${round}`, scopes: ['notes:read'] });
      const inFlight = Array.from({ length: 5 }, () => use(created.token));
      await pat.tokens.revoke(userId, created.id);
      await Promise.all(inFlight);
      const after = await Promise.all(Array.from({ length: 3 }, () => use(created.token)));
      for (const res of after) expect(res.body.error?.code).toBe('token_revoked');
    }
  });

  it('writes lastUsedAt to the database on close()', async () => {
    const created = await pat.tokens.create(userId, { name: 'flushed', scopes: ['notes:read'] });
    await use(created.token).expect(200);
    await pat.close();
    const row = await prisma.personalAccessToken.findUnique({ where: { id: created.id } });
    expect(row?.lastUsedAt).toEqual(clock.now());
  });
});
