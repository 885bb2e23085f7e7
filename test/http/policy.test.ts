/** Expiry and hygiene policy, no privilege escalation, and lifecycle events. */
import type { Express } from 'express';
import request from 'supertest';
import type { PatEventMap, PersonalAccessTokens } from '../../src/index.js';
import { connect, createUser, rowCounts, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, createTestClock, TEST_SCOPES, USER_HEADER, type TestClock } from '../support/test-app.js';
import { waitFor } from '../support/wait.js';

const DAY_MS = 86_400_000;
const SCOPES_WITH_MANAGEMENT = { ...TEST_SCOPES, 'tokens:write': 'Manage tokens with a token' };

describe.each(testDatabases)('token policy on $provider', (database) => {
  let prisma: TestPrismaClient;
  let clock: TestClock;

  beforeAll(async () => {
    prisma = await connect(database);
    clock = createTestClock();
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  const bearer = (app: Express, path: string, token: string) =>
    request(app).get(path).set('Authorization', `Bearer ${token}`);

  describe('requireExpiry', () => {
    it('refuses a token without expiry, over HTTP and in pat.tokens, and writes nothing', async () => {
      const { app, pat } = createTestApp(prisma, { requireExpiry: true, now: clock.now });
      const userId = await createUser(prisma);
      const before = await rowCounts(prisma);
      const res = await request(app).post('/tokens').set(USER_HEADER, userId).send({ name: 'n', scopes: ['notes:read'] });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toContainEqual(expect.objectContaining({ field: 'expiresInDays' }));
      await expect(pat.tokens.create(userId, { name: 'n', scopes: ['notes:read'] })).rejects.toMatchObject({
        code: 'validation_failed',
      });
      expect(await rowCounts(prisma)).toEqual(before);
      await request(app).post('/tokens').set(USER_HEADER, userId).send({ name: 'n', scopes: ['notes:read'], expiresInDays: 7 }).expect(201);
    });
  });

  describe('maxTokensPerUser', () => {
    it('answers 409 token_limit_reached past the limit, counting only active tokens', async () => {
      const { app, pat } = createTestApp(prisma, { maxTokensPerUser: 2, now: clock.now });
      const userId = await createUser(prisma);
      const create = () => request(app).post('/tokens').set(USER_HEADER, userId).send({ name: 'n', scopes: ['notes:read'] });
      const first = await create().expect(201);
      await create().expect(201);
      const before = await rowCounts(prisma);
      const refused = await create();
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'token_limit_reached', details: { limit: 2 } });
      expect(await rowCounts(prisma)).toEqual(before);
      // Rotation replaces a token, so it is allowed at the limit.
      await request(app).post(`/tokens/${first.body.id}/rotate`).set(USER_HEADER, userId).expect(201);
      await pat.tokens.revokeAll(userId);
      await create().expect(201);
    });
  });

  describe('revoke-all', () => {
    it('DELETE / revokes every token of the caller and no one else’s', async () => {
      const { app, pat } = createTestApp(prisma, { now: clock.now });
      const revoked: PatEventMap['token.revoked'][] = [];
      pat.on('token.revoked', (event) => void revoked.push(event));
      const [me, other] = [await createUser(prisma), await createUser(prisma)];
      const mine = await Promise.all([1, 2, 3].map(() => pat.tokens.create(me, { name: 'mine', scopes: ['notes:read'] })));
      const theirs = await pat.tokens.create(other, { name: 'theirs', scopes: ['notes:read'] });

      await request(app).delete('/tokens').set(USER_HEADER, me).expect(204);
      for (const { token } of mine) expect((await bearer(app, '/api/read', token)).body.error.code).toBe('token_revoked');
      await bearer(app, '/api/read', theirs.token).expect(200);
      expect((await request(app).get('/tokens').set(USER_HEADER, me)).body.tokens).toEqual([]);
      expect(revoked.map((event) => event.reason)).toEqual(['revoke_all', 'revoke_all', 'revoke_all']);
      expect(revoked.map((event) => event.tokenId).sort()).toEqual(mine.map((token) => token.id).sort());
    });

    it('answers 401 unauthenticated without a user', async () => {
      const { app } = createTestApp(prisma);
      expect((await request(app).delete('/tokens')).body.error.code).toBe('unauthenticated');
    });
  });

  describe('pruneExpired', () => {
    it('deletes expired tokens only, and honours olderThanDays', async () => {
      const { pat } = createTestApp(prisma, { now: clock.now });
      const userId = await createUser(prisma);
      const short = await pat.tokens.create(userId, { name: 'short', scopes: ['notes:read'], expiresInDays: 1 });
      const longer = await pat.tokens.create(userId, { name: 'longer', scopes: ['notes:read'], expiresInDays: 5 });
      const forever = await pat.tokens.create(userId, { name: 'forever', scopes: ['notes:read'] });
      clock.advance(3 * DAY_MS);
      expect(await pat.tokens.pruneExpired({ olderThanDays: 3 })).toBe(0);
      const pruned = await pat.tokens.pruneExpired();
      expect(pruned).toBeGreaterThanOrEqual(1);
      await expect(pat.tokens.get(userId, short.id)).rejects.toMatchObject({ code: 'not_found' });
      expect((await pat.tokens.get(userId, longer.id)).id).toBe(longer.id);
      expect((await pat.tokens.get(userId, forever.id)).id).toBe(forever.id);
      const links = await prisma.personalAccessTokenScope.count({ where: { tokenId: short.id } });
      expect(links).toBe(0);
    });
  });

  describe('X-Token-Expires-At', () => {
    it('tells a PAT-authenticated client when its token expires, and nothing when it does not', async () => {
      const { app, pat } = createTestApp(prisma, { now: clock.now });
      const userId = await createUser(prisma);
      const expiring = await pat.tokens.create(userId, { name: 'e', scopes: ['notes:read'], expiresInDays: 2 });
      const res = await bearer(app, '/api/read', expiring.token).expect(200);
      expect(res.headers['x-token-expires-at']).toBe(expiring.expiresAt?.toISOString());
      const forever = await pat.tokens.create(userId, { name: 'f', scopes: ['notes:read'] });
      expect((await bearer(app, '/api/read', forever.token).expect(200)).headers['x-token-expires-at']).toBeUndefined();
    });
  });

  describe('allowedScopes', () => {
    const allowed = new Map<string, string[]>();
    let app: Express;
    let pat: PersonalAccessTokens;
    beforeAll(() => {
      ({ app, pat } = createTestApp(prisma, {
        now: clock.now,
        allowedScopes: (userId) => {
          if (userId === 'broken') throw new Error('directory down');
          return allowed.get(userId) ?? [];
        },
      }));
    });

    it('refuses to create a token with scopes the user does not hold, and writes nothing', async () => {
      const userId = await createUser(prisma);
      allowed.set(userId, ['notes:read']);
      const before = await rowCounts(prisma);
      const res = await request(app).post('/tokens').set(USER_HEADER, userId).send({ name: 'n', scopes: ['notes:read', 'billing:read'] });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'scope_not_allowed', details: { scopes: ['billing:read'] } });
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('counts implied scopes as held', async () => {
      const userId = await createUser(prisma);
      allowed.set(userId, ['notes:admin']);
      await request(app).post('/tokens').set(USER_HEADER, userId).send({ name: 'n', scopes: ['notes:read'] }).expect(201);
    });

    it("narrows a demoted user's existing tokens at once, and refuses to rotate them", async () => {
      const userId = await createUser(prisma);
      allowed.set(userId, ['notes:write']);
      const created = await pat.tokens.create(userId, { name: 'writer', scopes: ['notes:write'] });
      await bearer(app, '/api/write', created.token).expect(200);

      allowed.set(userId, ['notes:read']);
      const refused = await bearer(app, '/api/write', created.token);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('insufficient_scope');
      const read = await bearer(app, '/api/read', created.token).expect(200);
      expect(read.body.scopes).toEqual(['notes:read']);
      const rotate = await request(app).post(`/tokens/${created.id}/rotate`).set(USER_HEADER, userId);
      expect(rotate.status).toBe(403);
      expect(rotate.body.error.code).toBe('scope_not_allowed');
    });

    it('fails closed when the callback throws', async () => {
      const res = await request(app).post('/tokens').set(USER_HEADER, 'broken').send({ name: 'n', scopes: ['notes:read'] });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('store_unavailable');
    });
  });

  describe('managementScope', () => {
    let app: Express;
    let pat: PersonalAccessTokens;
    let userId: string;
    beforeAll(async () => {
      ({ app, pat } = createTestApp(prisma, { scopes: SCOPES_WITH_MANAGEMENT, managementScope: 'tokens:write', now: clock.now }));
      userId = await createUser(prisma);
    });
    const asToken = (token: string) => ({
      post: (path: string) => request(app).post(`/tokens${path}`).set('Authorization', `Bearer ${token}`),
    });

    it('lets a token holding the scope mint narrower tokens for its user', async () => {
      const manager = await pat.tokens.create(userId, { name: 'ci', scopes: ['tokens:write', 'notes:write'] });
      const res = await asToken(manager.token).post('/').send({ name: 'child', scopes: ['notes:read'] });
      expect(res.status).toBe(201);
      expect((await bearer(app, '/tokens/self', res.body.token)).body.userId).toBe(userId);
    });

    it('never mints a token broader than the one it uses', async () => {
      const manager = await pat.tokens.create(userId, { name: 'ci', scopes: ['tokens:write', 'notes:read'] });
      // A first use is audited (token.used_from_new_ip) in the background: let that land first.
      await bearer(app, '/tokens/self', manager.token).expect(200);
      await waitFor(async () => (await pat.tokens.auditTrail({ tokenId: manager.id })).some((entry) => entry.action === 'token.used_from_new_ip'));
      const before = await rowCounts(prisma);
      const res = await asToken(manager.token).post('/').send({ name: 'child', scopes: ['notes:write'] });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'scope_not_allowed', details: { scopes: ['notes:write'] } });
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('never mints a token that outlives the one it uses', async () => {
      const manager = await pat.tokens.create(userId, { name: 'ci', scopes: ['tokens:write', 'notes:read'], expiresInDays: 5 });
      const tooLate = new Date(clock.now().getTime() + 6 * DAY_MS).toISOString();
      for (const [body, field] of [
        [{}, 'expiresInDays'],
        [{ expiresInDays: 6 }, 'expiresInDays'],
        [{ expiresAt: tooLate }, 'expiresAt'],
      ] as const) {
        const res = await asToken(manager.token).post('/').send({ name: 'child', scopes: ['notes:read'], ...body });
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
      }
      await asToken(manager.token).post('/').send({ name: 'child', scopes: ['notes:read'], expiresInDays: 5 }).expect(201);
    });

    it('lets a token renew itself by rotation without extending its life', async () => {
      const manager = await pat.tokens.create(userId, { name: 'self', scopes: ['tokens:write'], expiresInDays: 5 });
      clock.advance(DAY_MS);
      const res = await asToken(manager.token).post(`/${manager.id}/rotate`);
      expect(res.status).toBe(201);
      expect(res.body.expiresAt).toBe(manager.expiresAt?.toISOString());
      expect((await bearer(app, '/tokens/self', manager.token)).body.error.code).toBe('token_revoked');
    });

    it('leaves bearer credentials that are not our tokens (e.g. JWTs) to `authenticate`', async () => {
      const res = await request(app)
        .get('/tokens')
        .set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig')
        .set(USER_HEADER, userId);
      expect(res.status).toBe(200);
    });

    it('answers 403 insufficient_scope to a token without the management scope', async () => {
      const plain = await pat.tokens.create(userId, { name: 'plain', scopes: ['notes:read'] });
      const res = await asToken(plain.token).post('/').send({ name: 'child', scopes: ['notes:read'] });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('insufficient_scope');
    });

    it('is off by default: a token cannot manage tokens', async () => {
      const { app: defaultApp, pat: defaultPat } = createTestApp(prisma, { scopes: SCOPES_WITH_MANAGEMENT });
      const manager = await defaultPat.tokens.create(userId, { name: 'ci', scopes: ['tokens:write'] });
      const res = await request(defaultApp).post('/tokens').set('Authorization', `Bearer ${manager.token}`).send({ name: 'c', scopes: ['notes:read'] });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    });

    it('throws a TypeError when the scope is not registered', () => {
      expect(() => createTestApp(prisma, { managementScope: 'tokens:write' })).toThrow(/managementScope/);
    });
  });

  describe('events', () => {
    it('announces created, rotated and revoked tokens without secrets', async () => {
      const { pat } = createTestApp(prisma, { now: clock.now });
      const seen: Array<[string, unknown]> = [];
      pat.on('token.created', (event) => void seen.push(['created', event]));
      pat.on('token.rotated', (event) => void seen.push(['rotated', event]));
      pat.on('token.revoked', (event) => void seen.push(['revoked', event]));
      const userId = await createUser(prisma);
      const created = await pat.tokens.create(userId, { name: 'evented', scopes: ['notes:read'] });
      const successor = await pat.tokens.rotate(userId, created.id);
      await pat.tokens.revoke(userId, successor.id);
      expect(seen).toEqual([
        ['created', { tokenId: created.id, userId, name: 'evented', scopes: ['notes:read'] }],
        ['revoked', { tokenId: created.id, userId, reason: 'rotation', at: clock.now() }],
        ['rotated', { tokenId: successor.id, previousTokenId: created.id, userId, familyId: created.id, previousStopsAt: clock.now() }],
        ['revoked', { tokenId: successor.id, userId, reason: 'user', at: clock.now() }],
      ]);
      expect(JSON.stringify(seen)).not.toContain(created.token);
    });
  });
});
