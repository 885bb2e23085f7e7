/** POST /leaked revokes every live reported token and never tells which were real. */
import request from 'supertest';
import type { PatEventMap } from '../../src/index.js';
import { generateToken } from '../../src/token/format.js';
import { connect, createUser, rowCounts, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp } from '../support/test-app.js';

describe.each(testDatabases)('leak reports on $provider', (database) => {
  let prisma: TestPrismaClient;
  beforeAll(async () => {
    prisma = await connect(database);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('is not mounted unless leakReporting is on', async () => {
    const { app } = createTestApp(prisma);
    expect((await request(app).post('/tokens/leaked').send({ tokens: ['x'] })).status).toBe(404);
  });

  it('revokes the live tokens among the reported strings, answers 202 alike, and emits token.leaked', async () => {
    const { app, pat } = createTestApp(prisma, { leakReporting: true });
    const leaked: PatEventMap['token.leaked'][] = [];
    pat.on('token.leaked', (event) => void leaked.push(event));
    const [alice, bob] = [await createUser(prisma), await createUser(prisma)];
    const a = await pat.tokens.create(alice, { name: 'a', scopes: ['notes:read'] });
    const b = await pat.tokens.create(bob, { name: 'b', scopes: ['notes:read'] });
    const kept = await pat.tokens.create(alice, { name: 'kept', scopes: ['notes:read'] });

    const real = await request(app).post('/tokens/leaked').send({ tokens: [a.token, b.token, generateToken('pat'), 'garbage'] });
    const fake = await request(app).post('/tokens/leaked').send({ tokens: [generateToken('pat'), generateToken('pat'), 'x', 'y'] });
    expect(real.status).toBe(202);
    expect(fake.status).toBe(202);
    expect(real.body).toEqual(fake.body);
    expect(real.headers['cache-control']).toBe('no-store');

    for (const token of [a.token, b.token]) {
      expect((await request(app).get('/api/read').set('Authorization', `Bearer ${token}`)).body.error.code).toBe('token_revoked');
    }
    await request(app).get('/api/read').set('Authorization', `Bearer ${kept.token}`).expect(200);
    expect(leaked).toEqual(expect.arrayContaining([{ tokenId: a.id, userId: alice }, { tokenId: b.id, userId: bob }]));
    expect(leaked).toHaveLength(2);
  });

  it.each([
    ['no tokens', { tokens: [] }],
    ['101 tokens', { tokens: Array.from({ length: 101 }, () => 'x') }],
    ['a non-string', { tokens: [1] }],
    ['an unknown field', { tokens: ['x'], note: 'hi' }],
    ['a 129-character string', { tokens: ['x'.repeat(129)] }],
  ])('answers 400 validation_failed for %s and writes nothing', async (_name, body) => {
    const { app } = createTestApp(prisma, { leakReporting: true });
    const before = await rowCounts(prisma);
    const res = await request(app).post('/tokens/leaked').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await rowCounts(prisma)).toEqual(before);
  });
});
