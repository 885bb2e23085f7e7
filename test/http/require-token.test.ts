import type { Express } from 'express';
import request from 'supertest';
import type { PersonalAccessTokens } from '../../src/index.js';
import { generateToken } from '../../src/token/format.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, createTestClock, TEST_PEPPER, type TestClock } from '../support/test-app.js';

const DAY_MS = 86_400_000;

describe.each(testDatabases)('requireToken on $provider', (database) => {
  let prisma: TestPrismaClient;
  let app: Express;
  let pat: PersonalAccessTokens;
  let clock: TestClock;
  let userId: string;

  beforeAll(async () => {
    prisma = await connect(database);
    clock = createTestClock();
    ({ app, pat } = createTestApp(prisma, { now: clock.now }));
    userId = await createUser(prisma);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  async function issue(scopes: string[], expiresInDays?: number): Promise<string> {
    return (await pat.tokens.create(userId, { name: 'test', scopes, expiresInDays })).token;
  }

  it('lets a valid token through, with req.pat, X-Token-Scopes and X-Accepted-Scopes', async () => {
    const token = await issue(['notes:write']);
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId, scopes: ['notes:read', 'notes:write'] });
    expect(typeof res.body.tokenId).toBe('string');
    expect(res.headers['x-token-scopes']).toBe('notes:write');
    expect(res.headers['x-accepted-scopes']).toBe('notes:read');
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the scheme written %s', async (scheme) => {
    const token = await issue(['notes:read']);
    await request(app).get('/api/read').set('Authorization', `${scheme} ${token}`).expect(200);
  });

  it('answers 401 token_missing with a Bearer realm challenge when there is no header', async () => {
    const res = await request(app).get('/api/read');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'token_missing', message: expect.any(String) } });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="express-pat"');
  });

  it('never reads a token from the query string or a cookie', async () => {
    const token = await issue(['notes:read']);
    const res = await request(app).get(`/api/read?access_token=${token}`).set('Cookie', `access_token=${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_missing');
  });

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a scheme without a token', 'Bearer'],
    ['a scheme and a blank', 'Bearer    '],
    ['two tokens', 'Bearer abc def'],
    ['characters outside RFC 6750 b64token', 'Bearer pat_abc!def'],
    ['a token without a scheme', 'pat_0123456789abcdefghijABCDEFGHIJ0123456789'],
    ['an empty value', ''],
  ])('answers 400 invalid_request for %s', async (_name, header) => {
    const res = await request(app).get('/api/read').set('Authorization', header);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_request"');
  });

  it.each([
    ['a wrong prefix', () => generateToken('gho')],
    ['a wrong checksum', () => {
      const token = generateToken('pat');
      return `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    }],
    ['a short token', () => generateToken('pat').slice(0, 20)],
    ['a well-formed token that was never issued', () => generateToken('pat')],
  ])('answers 401 token_invalid for %s', async (_name, makeToken) => {
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${makeToken()}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_invalid');
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('answers 401 token_invalid for a token issued under another pepper', async () => {
    const other = createTestApp(prisma, { pepper: `${TEST_PEPPER}-other` });
    const token = (await other.pat.tokens.create(userId, { name: 'x', scopes: ['notes:read'] })).token;
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.body.error.code).toBe('token_invalid');
  });

  it('answers 401 token_expired once the expiry passes, and not a moment before', async () => {
    const token = await issue(['notes:read'], 1);
    clock.advance(DAY_MS - 1);
    await request(app).get('/api/read').set('Authorization', `Bearer ${token}`).expect(200);
    clock.advance(1);
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_expired');
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('answers 401 token_revoked after revoke', async () => {
    const created = await pat.tokens.create(userId, { name: 'revoke me', scopes: ['notes:read'] });
    await request(app).get('/api/read').set('Authorization', `Bearer ${created.token}`).expect(200);
    await pat.tokens.revoke(userId, created.id);
    const res = await request(app).get('/api/read').set('Authorization', `Bearer ${created.token}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_revoked');
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('answers 403 insufficient_scope with the scopes the route needs', async () => {
    const token = await issue(['notes:read']);
    const res = await request(app).get('/api/write').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: ['notes:write'] } });
    expect(res.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="notes:write"');
    expect(res.headers['x-accepted-scopes']).toBe('notes:write');
  });

  it('applies implies transitively (admin → write → read) and never sideways', async () => {
    const admin = await issue(['notes:admin']);
    for (const route of ['/api/read', '/api/write', '/api/admin']) {
      await request(app).get(route).set('Authorization', `Bearer ${admin}`).expect(200);
    }
    await request(app).get('/api/billing').set('Authorization', `Bearer ${admin}`).expect(403);
    const read = await issue(['notes:read']);
    await request(app).get('/api/admin').set('Authorization', `Bearer ${read}`).expect(403);
  });

  it('lets any valid token through requireToken() without scopes', async () => {
    const token = await issue(['billing:read']);
    await request(app).get('/api/any').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('records lastUsedAt at most once per minute', async () => {
    const created = await pat.tokens.create(userId, { name: 'used', scopes: ['notes:read'] });
    const lastUsed = async () => (await pat.tokens.get(userId, created.id)).lastUsedAt?.getTime() ?? null;
    const auth = `Bearer ${created.token}`;
    expect(await lastUsed()).toBeNull();

    await request(app).get('/api/read').set('Authorization', auth).expect(200);
    const first = clock.now().getTime();
    expect(await lastUsed()).toBe(first);

    clock.advance(59_000);
    await request(app).get('/api/read').set('Authorization', auth).expect(200);
    expect(await lastUsed()).toBe(first);

    clock.advance(1_000);
    await request(app).get('/api/read').set('Authorization', auth).expect(200);
    expect(await lastUsed()).toBe(clock.now().getTime());
  });
});

describe('requireToken construction', () => {
  let prisma: TestPrismaClient;
  let pat: PersonalAccessTokens;

  beforeAll(async () => {
    prisma = await connect(testDatabases[0]!);
    ({ pat } = createTestApp(prisma));
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('throws a TypeError for a scope that is not registered', () => {
    expect(() => pat.requireToken(['notes:raed'])).toThrow(/notes:raed/);
  });

  it('throws a TypeError when used without being called', () => {
    const misuse = pat.requireToken as unknown as (...args: unknown[]) => unknown;
    expect(() => misuse({ headers: {}, method: 'GET' }, {}, () => undefined)).toThrow(/app\.use\(pat\.requireToken\)/);
  });
});
