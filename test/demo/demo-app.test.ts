import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { PersonalAccessTokens } from '../../src/index.js';
import { createDemoApp } from '../../src/demo/app.js';
import { resolveDatabase } from '../../src/demo/database.js';
import { openPrismaClient, type DemoPrismaClient } from '../../src/demo/prisma.js';
import { generateToken, isWellFormedToken } from '../../src/token/format.js';
import { connect, rowCounts, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { TEST_PEPPER } from '../support/test-app.js';

const PASSWORD = 'correct horse battery staple';
const BASIC_CHALLENGE = 'Basic realm="express-pat", charset="UTF-8"';

function uniqueEmail(): string {
  return `${randomUUID()}@example.test`;
}

function bearer(token: string): string {
  return `Bearer ${token}`;
}

describe.each(testDatabases)('the demo app on $provider', (database) => {
  let prisma: TestPrismaClient;
  let app: Express;
  let pat: PersonalAccessTokens;

  beforeAll(async () => {
    prisma = await connect(database);
    ({ app, pat } = createDemoApp({ prisma, pepper: TEST_PEPPER, bcryptCost: 4 }));
  });
  afterAll(async () => {
    await pat.close();
    await prisma.$disconnect();
  });

  /** Registers a user over HTTP; returns the id and the email as stored. */
  async function signUp(email = uniqueEmail(), password = PASSWORD): Promise<{ id: string; email: string }> {
    const res = await request(app).post('/users').send({ email, password }).expect(201);
    return res.body as { id: string; email: string };
  }

  /** Creates a token over HTTP with Basic credentials; returns its id and plaintext. */
  async function createToken(email: string, scopes: string[], password = PASSWORD): Promise<{ id: string; token: string }> {
    const res = await request(app).post('/tokens').auth(email, password).send({ name: 'demo', scopes }).expect(201);
    return res.body as { id: string; token: string };
  }

  describe('POST /users', () => {
    it('registers a user: 201 { id, email } with the email trimmed and lower-cased', async () => {
      const local = randomUUID();
      const res = await request(app).post('/users').send({ email: `  Ada.${local}@Example.TEST `, password: PASSWORD });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(String), email: `ada.${local}@example.test` });
      const stored = await prisma.user.findUnique({ where: { email: `ada.${local}@example.test` } });
      expect(stored?.id).toBe(res.body.id);
    });

    it('answers 409 email_taken for an email already registered, in any case, writing nothing', async () => {
      const { email } = await signUp();
      const before = await rowCounts(prisma);
      for (const again of [email, email.toUpperCase()]) {
        const res = await request(app).post('/users').send({ email: again, password: `${PASSWORD}!` });
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('email_taken');
      }
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it.each<[string, () => string | object, string]>([
      ['a missing email', () => ({ password: PASSWORD }), 'email'],
      ['an email that is not an email address', () => ({ email: 'not-an-email', password: PASSWORD }), 'email'],
      ['an email that is not a string', () => ({ email: ['a@example.test'], password: PASSWORD }), 'email'],
      ['a missing password', () => ({ email: uniqueEmail() }), 'password'],
      ['a password shorter than 8 characters', () => ({ email: uniqueEmail(), password: '1234567' }), 'password'],
      ['a password that is not a string', () => ({ email: uniqueEmail(), password: 12345678 }), 'password'],
      ["a password over bcrypt's 72 bytes", () => ({ email: uniqueEmail(), password: 'é'.repeat(37) }), 'password'],
      ['an unknown field', () => ({ email: uniqueEmail(), password: PASSWORD, isAdmin: true }), 'isAdmin'],
      ['a JSON array instead of an object', () => [uniqueEmail(), PASSWORD], 'body'],
    ])('answers 400 validation_failed for %s, writing nothing', async (_name, makeBody, field) => {
      const before = await rowCounts(prisma);
      const res = await request(app).post('/users').send(makeBody());
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('answers 400 validation_failed for a body that is not JSON at all, writing nothing', async () => {
      const before = await rowCounts(prisma);
      const res = await request(app)
        .post('/users')
        .type('form')
        .send({ email: uniqueEmail(), password: PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('answers 400 invalid_json for malformed JSON, writing nothing', async () => {
      const before = await rowCounts(prisma);
      const res = await request(app).post('/users').set('Content-Type', 'application/json').send('{"email":');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_json');
      expect(await rowCounts(prisma)).toEqual(before);
    });
  });

  describe('/tokens with HTTP Basic', () => {
    it.each([
      ['POST', '/tokens'],
      ['GET', '/tokens'],
    ])('answers %s %s without Authorization with 401 unauthenticated and a Basic challenge', async (method, path) => {
      const res = await request(app)[method === 'POST' ? 'post' : 'get'](path).send({ name: 'x', scopes: ['notes:read'] });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      expect(res.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
    });

    it('answers 401 invalid_credentials with a Basic challenge for a wrong password, writing nothing', async () => {
      const { email } = await signUp();
      const before = await rowCounts(prisma);
      const res = await request(app).post('/tokens').auth(email, `${PASSWORD}?`).send({ name: 'x', scopes: ['notes:read'] });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_credentials');
      expect(res.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('answers an unknown email exactly as a wrong password, so emails cannot be probed', async () => {
      const { email } = await signUp();
      const wrongPassword = await request(app).get('/tokens').auth(email, `${PASSWORD}?`);
      const unknownEmail = await request(app).get('/tokens').auth(uniqueEmail(), PASSWORD);
      expect(unknownEmail.status).toBe(401);
      expect(unknownEmail.body.error.code).toBe('invalid_credentials');
      expect(unknownEmail.body).toEqual(wrongPassword.body);
      expect(unknownEmail.headers['www-authenticate']).toBe(wrongPassword.headers['www-authenticate']);
    });

    it('creates a token for the right credentials: 201 with the plaintext token, shown once', async () => {
      const { email } = await signUp();
      const res = await request(app).post('/tokens').auth(email, PASSWORD).send({ name: 'ci', scopes: ['notes:read'] });
      expect(res.status).toBe(201);
      expect(isWellFormedToken('pat', res.body.token)).toBe(true);
      expect(res.body).toMatchObject({ id: expect.any(String), name: 'ci', scopes: ['notes:read'] });

      const listed = await request(app).get('/tokens').auth(email, PASSWORD).expect(200);
      expect(listed.body.tokens.map((token: { id: string }) => token.id)).toEqual([res.body.id]);
      expect(JSON.stringify(listed.body)).not.toContain(res.body.token);
    });

    it('matches the Basic email whatever its case, as sign-up stored it', async () => {
      const local = randomUUID();
      await signUp(`${local}@example.test`);
      await request(app).get('/tokens').auth(`${local}@EXAMPLE.test`, PASSWORD).expect(200);
    });
  });

  describe('/api', () => {
    it('answers GET /api/ping 200 { pong: true } without a token', async () => {
      const res = await request(app).get('/api/ping');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ pong: true });
    });

    it('answers GET /api/whoami with the user, token and effective scopes of any valid token', async () => {
      const user = await signUp();
      const { id, token } = await createToken(user.email, ['notes:write']);
      const res = await request(app).get('/api/whoami').set('Authorization', bearer(token));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ userId: user.id, tokenId: id, scopes: ['notes:read', 'notes:write'] });
    });

    it.each(['/api/whoami', '/api/notes'])('answers GET %s without a token with 401 token_missing', async (path) => {
      const res = await request(app).get(path);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('token_missing');
    });

    it('lets a notes:read token list notes but answers its POST /api/notes with 403 insufficient_scope', async () => {
      const { email } = await signUp();
      const { token } = await createToken(email, ['notes:read']);
      const list = await request(app).get('/api/notes').set('Authorization', bearer(token));
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ notes: [] });
      const write = await request(app).post('/api/notes').set('Authorization', bearer(token)).send({ text: 'hello' });
      expect(write.status).toBe(403);
      expect(write.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: ['notes:write'] } });
    });

    it('lets a notes:write token write notes and read them back (write implies read)', async () => {
      const { email } = await signUp();
      const { token } = await createToken(email, ['notes:write']);
      const created = await request(app).post('/api/notes').set('Authorization', bearer(token)).send({ text: '  buy milk ' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), text: 'buy milk', createdAt: expect.any(String) });
      const list = await request(app).get('/api/notes').set('Authorization', bearer(token)).expect(200);
      expect(list.body.notes).toEqual([created.body]);
    });

    it("keeps notes per user: another user's token sees none of them", async () => {
      const alice = await createToken((await signUp()).email, ['notes:write']);
      const bob = await createToken((await signUp()).email, ['notes:write']);
      await request(app).post('/api/notes').set('Authorization', bearer(alice.token)).send({ text: 'alice' }).expect(201);
      await request(app).post('/api/notes').set('Authorization', bearer(bob.token)).send({ text: 'bob' }).expect(201);

      const seenByBob = await request(app).get('/api/notes').set('Authorization', bearer(bob.token)).expect(200);
      expect(seenByBob.body.notes.map((note: { text: string }) => note.text)).toEqual(['bob']);
      const seenByAlice = await request(app).get('/api/notes').set('Authorization', bearer(alice.token)).expect(200);
      expect(seenByAlice.body.notes.map((note: { text: string }) => note.text)).toEqual(['alice']);
    });

    it.each<[string, unknown]>([
      ['a missing text', {}],
      ['an empty text', { text: '' }],
      ['a text of blanks only', { text: '   ' }],
      ['a text that is not a string', { text: 42 }],
      ['a text over 1000 characters', { text: 'x'.repeat(1001) }],
      ['an unknown field', { text: 'hello', pinned: true }],
    ])('answers POST /api/notes with %s with 400 validation_failed, storing no note', async (_name, body) => {
      const { email } = await signUp();
      const { token } = await createToken(email, ['notes:write']);
      const res = await request(app).post('/api/notes').set('Authorization', bearer(token)).send(body as object);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const list = await request(app).get('/api/notes').set('Authorization', bearer(token)).expect(200);
      expect(list.body).toEqual({ notes: [] });
    });
  });

  it('walks through the README: register, create a token, use it, introspect, list, rotate and revoke', async () => {
    const email = uniqueEmail();
    const password = 'correct-horse-battery-staple';

    // 1. Register a user.
    const registered = await request(app).post('/users').send({ email, password });
    expect(registered.status).toBe(201);
    const userId = (registered.body as { id: string }).id;

    // 2. Create a token, shown once, with HTTP Basic.
    const created = await request(app)
      .post('/tokens')
      .auth(email, password)
      .send({ name: 'laptop CLI', scopes: ['notes:write'], expiresInDays: 30 });
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { id, token } = created.body as { id: string; token: string };
    expect(created.headers.location).toBe(`/tokens/${id}`);

    // 3. Call guarded routes: notes:write implies the notes:read of GET /api/notes.
    const empty = await request(app).get('/api/notes').set('Authorization', bearer(token));
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ notes: [] });
    expect(empty.headers['x-accepted-scopes']).toBe('notes:read');
    expect(empty.headers['x-token-scopes']).toBe('notes:write');
    const note = await request(app).post('/api/notes').set('Authorization', bearer(token)).send({ text: 'Buy milk' });
    expect(note.status).toBe(201);
    const notes = await request(app).get('/api/notes').set('Authorization', bearer(token)).expect(200);
    expect(notes.body).toEqual({ notes: [note.body] });

    // 4. Introspect the token held.
    const self = await request(app).get('/tokens/self').set('Authorization', bearer(token));
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ active: true, id, name: 'laptop CLI', scopes: ['notes:write'], userId });

    // 5. List the user's tokens, never with the token itself.
    const listed = await request(app).get('/tokens').auth(email, password).expect(200);
    expect(listed.body.tokens.map((meta: { id: string }) => meta.id)).toEqual([id]);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    // 6. Rotate: the successor works, the old token is refused.
    const rotated = await request(app).post(`/tokens/${id}/rotate`).auth(email, password);
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ name: 'laptop CLI', scopes: ['notes:write'] });
    const { id: newId, token: newToken } = rotated.body as { id: string; token: string };
    const old = await request(app).get('/api/notes').set('Authorization', bearer(token));
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('token_revoked');
    await request(app).get('/api/notes').set('Authorization', bearer(newToken)).expect(200);

    // 7. Revoke the new one: it stops working at once, and the list is empty.
    const revoked = await request(app).delete(`/tokens/${newId}`).auth(email, password);
    expect(revoked.status).toBe(204);
    const refused = await request(app).get('/api/notes').set('Authorization', bearer(newToken));
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_revoked');
    expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const none = await request(app).get('/tokens').auth(email, password).expect(200);
    expect(none.body).toEqual({ tokens: [] });
  });

  it('never stores a plaintext token or password: every row of every table holds digests and hashes only', async () => {
    const password = `${PASSWORD} ${randomUUID()}`;
    const { id: userId, email } = await signUp(uniqueEmail(), password);
    const first = await createToken(email, ['notes:read'], password);
    const second = await createToken(email, ['notes:write'], password);
    const rotated = await request(app).post(`/tokens/${first.id}/rotate`).auth(email, password).expect(201);
    const plaintexts = [first.token, second.token, rotated.body.token as string];
    expect(new Set(plaintexts).size).toBe(3);

    const everything = JSON.stringify(
      await Promise.all([
        prisma.user.findMany(),
        prisma.personalAccessToken.findMany(),
        prisma.scope.findMany(),
        prisma.personalAccessTokenScope.findMany(),
      ]),
    );
    for (const secret of [...plaintexts, password]) expect(everything).not.toContain(secret);
    // Not even the secret part without its `pat_` prefix.
    for (const token of plaintexts) expect(everything).not.toContain(token.slice('pat_'.length));

    const tokens = await prisma.personalAccessToken.findMany({ where: { userId } });
    expect(tokens).toHaveLength(3);
    for (const row of tokens) expect(row.digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const user = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.passwordHash).toMatch(/^\$2[aby]\$04\$/);
  });
});

describe('the demo app when its database is down', () => {
  let prisma: DemoPrismaClient;
  let app: Express;
  let pat: PersonalAccessTokens;

  beforeAll(async () => {
    prisma = await openPrismaClient(resolveDatabase('postgresql://postgres@127.0.0.1:1/none'));
    ({ app, pat } = createDemoApp({ prisma, pepper: TEST_PEPPER, bcryptCost: 4 }));
  });
  afterAll(async () => {
    await pat.close();
    await prisma.$disconnect();
  });

  it('still answers GET /api/ping 200, while token routes answer 503 store_unavailable', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await request(app).get('/api/ping').expect(200, { pong: true });

      const management = await request(app).get('/tokens').auth(uniqueEmail(), PASSWORD);
      expect(management.status).toBe(503);
      expect(management.body.error.code).toBe('store_unavailable');

      const guarded = await request(app).get('/api/whoami').set('Authorization', bearer(generateToken('pat')));
      expect(guarded.status).toBe(503);
      expect(guarded.body.error.code).toBe('store_unavailable');
    } finally {
      logged.mockRestore();
    }
  });
});
