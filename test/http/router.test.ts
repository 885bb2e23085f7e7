import type { Express } from 'express';
import request from 'supertest';
import type { PersonalAccessTokens } from '../../src/index.js';
import { connect, createUser, rowCounts, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, createTestClock, USER_HEADER, type TestClock } from '../support/test-app.js';

const DAY_MS = 86_400_000;
const META_KEYS = [
  'createdAt',
  'expiresAt',
  'familyId',
  'hint',
  'id',
  'lastUsedAt',
  'lastUsedIp',
  'lastUsedUserAgent',
  'name',
  'replacedById',
  'revokedAt',
  'scopes',
];

describe.each(testDatabases)('token router on $provider', (database) => {
  let prisma: TestPrismaClient;
  let app: Express;
  let pat: PersonalAccessTokens;
  let clock: TestClock;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    prisma = await connect(database);
    clock = createTestClock();
    ({ app, pat } = createTestApp(prisma, { now: clock.now }));
    alice = await createUser(prisma);
    bob = await createUser(prisma);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  const as = (userId: string) => ({
    post: (path: string) => request(app).post(`/tokens${path}`).set(USER_HEADER, userId),
    get: (path: string) => request(app).get(`/tokens${path}`).set(USER_HEADER, userId),
    delete: (path: string) => request(app).delete(`/tokens${path}`).set(USER_HEADER, userId),
  });

  async function create(userId: string, body: Record<string, unknown> = {}) {
    const res = await as(userId)
      .post('/')
      .send({ name: 'deploy script', scopes: ['notes:read'], ...body });
    expect(res.status).toBe(201);
    return res.body as { token: string; id: string } & Record<string, unknown>;
  }

  describe('GET /scopes', () => {
    it('lists the registry without authentication', async () => {
      const res = await request(app).get('/tokens/scopes').expect(200);
      expect(res.body.scopes).toContainEqual({ name: 'notes:write', description: 'Write notes', implies: ['notes:read'] });
      expect(res.body.scopes).toHaveLength(4);
    });
  });

  describe('POST /', () => {
    it('creates a token: 201 { token, ...meta }, shown once, no-store, with a Location', async () => {
      const res = await as(alice).post('/').send({ name: 'CI', scopes: ['notes:write'], expiresInDays: 30 });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['token', ...META_KEYS].sort());
      expect(res.body).toMatchObject({
        name: 'CI',
        scopes: ['notes:write'],
        createdAt: clock.now().toISOString(),
        expiresAt: new Date(clock.now().getTime() + 30 * DAY_MS).toISOString(),
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(res.body.token).toMatch(/^pat_[0-9A-Za-z]{38}$/);
      expect(res.body.hint).toBe(res.body.token.slice(0, 8));
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.location).toBe(`/tokens/${res.body.id}`);
      await request(app).get('/api/write').set('Authorization', `Bearer ${res.body.token}`).expect(200);

      const shown = await as(alice).get(`/${res.body.id}`).expect(200);
      expect(shown.body.token).toBeUndefined();
      expect(Object.keys(shown.body).sort()).toEqual(META_KEYS);
    });

    it('gives ids that are not sequential', async () => {
      const first = await create(alice);
      const second = await create(alice);
      expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(second.id).not.toBe(first.id);
    });

    it('accepts an explicit expiresAt within the cap', async () => {
      const expiresAt = new Date(clock.now().getTime() + 10 * DAY_MS).toISOString();
      expect((await create(alice, { expiresAt })).expiresAt).toBe(expiresAt);
    });

    it('trims the name and ignores duplicate scopes', async () => {
      const body = await create(alice, { name: '  spaced  ', scopes: ['notes:read', 'notes:read'] });
      expect(body).toMatchObject({ name: 'spaced', scopes: ['notes:read'] });
    });

    const future = (days: number) => new Date(Date.parse('2026-06-01T12:00:00.000Z') + days * DAY_MS).toISOString();
    it.each([
      ['an empty body', {}, 'name'],
      ['an empty name', { name: '', scopes: ['notes:read'] }, 'name'],
      ['a blank name', { name: '   ', scopes: ['notes:read'] }, 'name'],
      ['a name of 101 characters', { name: 'x'.repeat(101), scopes: ['notes:read'] }, 'name'],
      ['a numeric name', { name: 5, scopes: ['notes:read'] }, 'name'],
      ['no scopes', { name: 'n', scopes: [] }, 'scopes'],
      ['scopes as a string', { name: 'n', scopes: 'notes:read' }, 'scopes'],
      ['an unknown scope', { name: 'n', scopes: ['notes:read', 'notes:delete'] }, 'scopes'],
      ['a non-string scope', { name: 'n', scopes: [1] }, 'scopes'],
      ['expiresInDays 0', { name: 'n', scopes: ['notes:read'], expiresInDays: 0 }, 'expiresInDays'],
      ['expiresInDays over the cap', { name: 'n', scopes: ['notes:read'], expiresInDays: 367 }, 'expiresInDays'],
      ['a fractional expiresInDays', { name: 'n', scopes: ['notes:read'], expiresInDays: 1.5 }, 'expiresInDays'],
      ['expiresInDays as a string', { name: 'n', scopes: ['notes:read'], expiresInDays: '30' }, 'expiresInDays'],
      ['expiresInDays null', { name: 'n', scopes: ['notes:read'], expiresInDays: null }, 'expiresInDays'],
      ['an expiresAt in the past', { name: 'n', scopes: ['notes:read'], expiresAt: future(-1) }, 'expiresAt'],
      ['an expiresAt over the cap', { name: 'n', scopes: ['notes:read'], expiresAt: future(367) }, 'expiresAt'],
      ['an expiresAt that is no date', { name: 'n', scopes: ['notes:read'], expiresAt: 'tomorrow' }, 'expiresAt'],
      ['a date-time without time zone', { name: 'n', scopes: ['notes:read'], expiresAt: '2026-06-05T10:00' }, 'expiresAt'],
      ['both expiresInDays and expiresAt', { name: 'n', scopes: ['notes:read'], expiresInDays: 5, expiresAt: future(5) }, 'expiresAt'],
      ['an unknown field', { name: 'n', scopes: ['notes:read'], admin: true }, 'admin'],
      ['an array body', [{ name: 'n', scopes: ['notes:read'] }], 'body'],
    ])('answers 400 validation_failed for %s and writes nothing', async (_name, body, field) => {
      const before = await rowCounts(prisma);
      const res = await as(alice).post('/').send(body as object);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining(field) })]));
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('answers 400 invalid_json for malformed JSON and writes nothing', async () => {
      const before = await rowCounts(prisma);
      const res = await as(alice).post('/').set('Content-Type', 'application/json').send('{"name": ');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_json');
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('answers 413 payload_too_large for a body over 16 kB and writes nothing', async () => {
      const before = await rowCounts(prisma);
      const res = await as(alice).post('/').send({ name: 'n', scopes: ['notes:read'], pad: 'x'.repeat(17 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('answers 400 validation_failed for a body that is not JSON', async () => {
      const res = await as(alice).post('/').set('Content-Type', 'text/plain').send('name=n');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    });

    it('answers 401 unauthenticated without a signed-in user, before looking at the body', async () => {
      const before = await rowCounts(prisma);
      const res = await request(app).post('/tokens').send({ nonsense: true });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      expect(await rowCounts(prisma)).toEqual(before);
    });
  });

  describe('GET /', () => {
    it("lists the caller's active tokens, newest first, and nobody else's", async () => {
      const user = await createUser(prisma);
      const old = await create(user, { name: 'old' });
      clock.advance(1000);
      const revoked = await create(user, { name: 'revoked' });
      clock.advance(1000);
      await create(user, { name: 'expiring', expiresInDays: 1 });
      clock.advance(1000);
      const fresh = await create(user, { name: 'fresh' });
      await as(user).delete(`/${revoked.id}`).expect(204);
      await create(bob, { name: 'not yours' });
      clock.advance(DAY_MS);

      const res = await as(user).get('/').expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.tokens.map((t: { name: string }) => t.name)).toEqual(['fresh', 'old']);
      expect(res.body.tokens[0].id).toBe(fresh.id);
      expect(res.body.tokens[1].id).toBe(old.id);
      expect(Object.keys(res.body.tokens[0]).sort()).toEqual(META_KEYS);
    });

    it('answers 401 unauthenticated without a signed-in user', async () => {
      const res = await request(app).get('/tokens');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    });
  });

  describe('GET /:id', () => {
    it('shows one of your tokens', async () => {
      const created = await create(alice, { name: 'mine' });
      const res = await as(alice).get(`/${created.id}`).expect(200);
      expect(res.body).toMatchObject({ id: created.id, name: 'mine', scopes: ['notes:read'] });
    });

    it("answers 404 not_found for another user's token, exactly as for an unknown id", async () => {
      const created = await create(alice);
      const theirs = await as(bob).get(`/${created.id}`);
      const unknown = await as(bob).get('/00000000-0000-4000-8000-000000000000');
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual(unknown.body);
      expect(theirs.body.error.code).toBe('not_found');
    });
  });

  describe('DELETE /:id', () => {
    it('revokes: 204, the token stops working at once, and it is shown with revokedAt', async () => {
      const created = await create(alice);
      const auth = `Bearer ${created.token}`;
      await request(app).get('/api/read').set('Authorization', auth).expect(200);
      await as(alice).delete(`/${created.id}`).expect(204);
      const res = await request(app).get('/api/read').set('Authorization', auth);
      expect(res.body.error.code).toBe('token_revoked');
      const shown = await as(alice).get(`/${created.id}`).expect(200);
      expect(shown.body.revokedAt).toBe(clock.now().toISOString());
      await as(alice).delete(`/${created.id}`).expect(204);
    });

    it("answers 404 not_found for another user's token and leaves it working", async () => {
      const created = await create(alice);
      const res = await as(bob).delete(`/${created.id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      await request(app).get('/api/read').set('Authorization', `Bearer ${created.token}`).expect(200);
    });
  });

  describe('POST /:id/rotate', () => {
    it('issues a successor with the same name, scopes and lifetime, and revokes the old token', async () => {
      const old = await create(alice, { name: 'nightly', scopes: ['notes:write', 'billing:read'], expiresInDays: 7 });
      clock.advance(2 * DAY_MS);
      const res = await as(alice).post(`/${old.id}/rotate`);
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.id).not.toBe(old.id);
      expect(res.body.token).not.toBe(old.token);
      expect(res.body.name).toBe('nightly');
      expect([...res.body.scopes].sort()).toEqual(['billing:read', 'notes:write']);
      expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBe(7 * DAY_MS);
      expect(res.body.createdAt).toBe(clock.now().toISOString());

      await request(app).get('/api/write').set('Authorization', `Bearer ${res.body.token}`).expect(200);
      const stale = await request(app).get('/api/read').set('Authorization', `Bearer ${old.token}`);
      expect(stale.body.error.code).toBe('token_revoked');
    });

    it('keeps "no expiry" when rotating a token without one', async () => {
      const old = await create(alice);
      const res = await as(alice).post(`/${old.id}/rotate`).expect(201);
      expect(res.body.expiresAt).toBeNull();
    });

    it('answers 409 token_not_active for a revoked or expired token, and writes nothing', async () => {
      const revoked = await create(alice);
      await as(alice).delete(`/${revoked.id}`).expect(204);
      const expired = await create(alice, { expiresInDays: 1 });
      clock.advance(DAY_MS);
      const before = await rowCounts(prisma);
      for (const id of [revoked.id, expired.id]) {
        const res = await as(alice).post(`/${id}/rotate`);
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('token_not_active');
      }
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it("answers 404 not_found for another user's token and leaves it working", async () => {
      const created = await create(alice);
      const before = await rowCounts(prisma);
      const res = await as(bob).post(`/${created.id}/rotate`);
      expect(res.status).toBe(404);
      expect(await rowCounts(prisma)).toEqual(before);
      await request(app).get('/api/read').set('Authorization', `Bearer ${created.token}`).expect(200);
    });
  });

  describe('GET /self', () => {
    it('introspects the token the request carries', async () => {
      const created = await create(alice, { name: 'introspect me', scopes: ['notes:write'], expiresInDays: 3 });
      const res = await request(app).get('/tokens/self').set('Authorization', `Bearer ${created.token}`).expect(200);
      expect(res.body).toEqual({
        active: true,
        id: created.id,
        name: 'introspect me',
        scopes: ['notes:write'],
        userId: alice,
        createdAt: created.createdAt,
        expiresAt: created.expiresAt,
        lastUsedAt: clock.now().toISOString(),
      });
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('answers with the guard errors for a missing, revoked or foreign-format token', async () => {
      expect((await request(app).get('/tokens/self')).body.error.code).toBe('token_missing');
      const created = await create(alice);
      await as(alice).delete(`/${created.id}`).expect(204);
      const revoked = await request(app).get('/tokens/self').set('Authorization', `Bearer ${created.token}`);
      expect(revoked.status).toBe(401);
      expect(revoked.body.error.code).toBe('token_revoked');
      const bogus = await request(app).get('/tokens/self').set('Authorization', 'Bearer ghp_notours');
      expect(bogus.body.error.code).toBe('token_invalid');
    });
  });

  describe('pat.tokens (without HTTP)', () => {
    it('applies the same rules as the router', async () => {
      await expect(pat.tokens.create(alice, { name: 'x', scopes: ['nope'] })).rejects.toMatchObject({
        code: 'validation_failed',
        status: 400,
      });
      await expect(pat.tokens.get(bob, (await create(alice)).id)).rejects.toMatchObject({ code: 'not_found' });
    });
  });
});
