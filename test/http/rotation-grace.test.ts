import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { PatEventMap, PersonalAccessTokens, PersonalAccessTokensOptions } from '../../src/index.js';
import { connect, createUser, rowCounts, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, createTestClock, USER_HEADER, type TestClock } from '../support/test-app.js';

const HOUR_MS = 3_600_000;

interface Issued {
  readonly token: string;
  readonly id: string;
  readonly familyId: string;
  readonly replacedById: string | null;
  readonly revokedAt: string | null;
}

describe.each(testDatabases)('graceful rotation on $provider', (database) => {
  let prisma: TestPrismaClient;
  let clock: TestClock;
  let alice: string;
  const apps: PersonalAccessTokens[] = [];

  beforeAll(async () => {
    prisma = await connect(database);
    clock = createTestClock();
    alice = await createUser(prisma);
  });
  afterAll(async () => {
    for (const pat of apps) await pat.close();
    await prisma.$disconnect();
  });

  /** A fresh app on the shared database and clock, recording every reuse event. */
  function setUp(overrides: Partial<PersonalAccessTokensOptions> = {}) {
    const { app, pat } = createTestApp(prisma, { now: clock.now, ...overrides });
    apps.push(pat);
    const reused: Array<PatEventMap['token.reused']> = [];
    pat.on('token.reused', (payload) => void reused.push(payload));
    return { app, pat, reused };
  }

  async function create(app: Express): Promise<Issued> {
    const res = await request(app).post('/tokens').set(USER_HEADER, alice).send({ name: 'nightly job', scopes: ['notes:read'] });
    expect(res.status).toBe(201);
    return res.body as Issued;
  }

  const rotate = (app: Express, id: string, body?: unknown) => {
    const call = request(app).post(`/tokens/${id}/rotate`).set(USER_HEADER, alice);
    return body === undefined ? call : call.send(body as object);
  };
  const use = (app: Express, token: string) => request(app).get('/api/read').set('Authorization', `Bearer ${token}`);

  it('keeps the old token working until the grace period ends, then refuses it and reports the reuse', async () => {
    const { app, pat, reused } = setUp();
    const old = await create(app);
    const res = await rotate(app, old.id, { graceSeconds: 3600 });
    expect(res.status).toBe(201);
    const successor = res.body as Issued;
    expect(successor.familyId).toBe(old.id);
    expect(successor.replacedById).toBeNull();

    expect((await use(app, old.token)).status).toBe(200);
    expect((await use(app, successor.token)).status).toBe(200);
    const shown = await request(app).get(`/tokens/${old.id}`).set(USER_HEADER, alice).expect(200);
    expect(shown.body).toMatchObject({
      replacedById: successor.id,
      familyId: old.id,
      revokedAt: new Date(clock.now().getTime() + HOUR_MS).toISOString(),
    });
    const listed = await request(app).get('/tokens').set(USER_HEADER, alice).expect(200);
    const listedIds = (listed.body.tokens as Issued[]).map((token) => token.id);
    expect(listedIds).toEqual(expect.arrayContaining([old.id, successor.id]));
    expect(reused).toEqual([]);

    clock.advance(HOUR_MS);
    const refused = await use(app, old.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_revoked');
    expect((await use(app, successor.token)).status).toBe(200);
    expect(reused).toEqual([
      expect.objectContaining({ tokenId: old.id, userId: alice, familyId: old.id, replacedById: successor.id }),
    ]);
    const trail = await pat.tokens.auditTrail({ tokenId: old.id });
    expect(trail.map((entry) => entry.action)).toContain('token.reused');
  });

  it('reports a replayed old token once per lastUsedIntervalSeconds, not at every request', async () => {
    const { app, reused } = setUp();
    const old = await create(app);
    await rotate(app, old.id).expect(201);
    for (let i = 0; i < 5; i += 1) expect((await use(app, old.token)).body.error.code).toBe('token_revoked');
    expect(reused).toHaveLength(1);
    clock.advance(60_000);
    expect((await use(app, old.token)).body.error.code).toBe('token_revoked');
    expect(reused).toHaveLength(2);
  });

  it('refuses rotate options it does not know, so an acting token put in the wrong argument is not dropped', async () => {
    const { app, pat } = setUp();
    const old = await create(app);
    const before = await rowCounts(prisma);
    const misplaced = { via: { tokenId: old.id } } as unknown as { graceSeconds?: number };
    await expect(pat.tokens.rotate(alice, old.id, misplaced)).rejects.toThrow(TypeError);
    expect(await rowCounts(prisma)).toEqual(before);
  });

  it('rotates at once without a body, and reports a later use of the old token', async () => {
    const { app, reused } = setUp();
    const old = await create(app);
    const successor = (await rotate(app, old.id).expect(201)).body as Issued;
    expect((await use(app, old.token)).body.error.code).toBe('token_revoked');
    expect(reused).toEqual([expect.objectContaining({ tokenId: old.id, replacedById: successor.id })]);
  });

  it('keeps one family across rotations', async () => {
    const { app } = setUp();
    const first = await create(app);
    const second = (await rotate(app, first.id, { graceSeconds: 60 }).expect(201)).body as Issued;
    const third = (await rotate(app, second.id).expect(201)).body as Issued;
    expect([second.familyId, third.familyId]).toEqual([first.id, first.id]);
  });

  it('refuses a second rotation of a token in its grace period (409 token_not_active), changing nothing', async () => {
    const { app } = setUp();
    const old = await create(app);
    await rotate(app, old.id, { graceSeconds: 600 }).expect(201);
    const before = await rowCounts(prisma);
    const again = await rotate(app, old.id, { graceSeconds: 600 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('token_not_active');
    expect(await rowCounts(prisma)).toEqual(before);
  });

  it('revokes a token in its grace period at once', async () => {
    const { app } = setUp();
    const old = await create(app);
    const successor = (await rotate(app, old.id, { graceSeconds: 3600 }).expect(201)).body as Issued;
    await request(app).delete(`/tokens/${old.id}`).set(USER_HEADER, alice).expect(204);
    expect((await use(app, old.token)).body.error.code).toBe('token_revoked');
    expect((await use(app, successor.token)).status).toBe(200);
  });

  it.each([
    ['a negative number', { graceSeconds: -1 }],
    ['a fraction', { graceSeconds: 2.5 }],
    ['a string', { graceSeconds: '60' }],
    ['more than the cap', { graceSeconds: 7 * 86_400 + 1 }],
    ['an unknown field', { graceSecs: 60 }],
    ['null', { graceSeconds: null }],
  ])('answers 400 validation_failed to %s and changes nothing', async (_label, body) => {
    const { app } = setUp();
    const old = await create(app);
    const before = await rowCounts(prisma);
    const res = await rotate(app, old.id, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await rowCounts(prisma)).toEqual(before);
    expect((await use(app, old.token)).status).toBe(200);
  });

  it('honours maxRotationGraceSeconds, in the service too', async () => {
    const { app, pat } = setUp({ maxRotationGraceSeconds: 60 });
    const old = await create(app);
    expect((await rotate(app, old.id, { graceSeconds: 61 })).status).toBe(400);
    await expect(pat.tokens.rotate(alice, old.id, { graceSeconds: 61 })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(pat.tokens.rotate(alice, old.id, { graceSeconds: 60 })).resolves.toMatchObject({ familyId: old.id });
  });

  it('serves a token in its grace period from the cache, and refuses it from the cache once the grace ends', async () => {
    const { app, reused } = setUp({ cache: { ttlSeconds: 3600 } });
    const old = await create(app);
    await rotate(app, old.id, { graceSeconds: 120 }).expect(201);
    expect((await use(app, old.token)).status).toBe(200);
    expect((await use(app, old.token)).status).toBe(200);
    clock.advance(120_000);
    expect((await use(app, old.token)).body.error.code).toBe('token_revoked');
    expect(reused).toHaveLength(1);
  });

  it('announces a graceful rotation: token.rotated and token.revoked carry when the old token stops', async () => {
    const { app, pat } = setUp();
    const rotated: Array<PatEventMap['token.rotated']> = [];
    const revoked: Array<PatEventMap['token.revoked']> = [];
    pat.on('token.rotated', (payload) => void rotated.push(payload));
    pat.on('token.revoked', (payload) => void revoked.push(payload));
    const old = await create(app);
    const successor = (await rotate(app, old.id, { graceSeconds: 90 }).expect(201)).body as Issued;
    const stopsAt = new Date(clock.now().getTime() + 90_000);
    expect(rotated).toEqual([{ tokenId: successor.id, previousTokenId: old.id, userId: alice, familyId: old.id, previousStopsAt: stopsAt }]);
    expect(revoked).toEqual([{ tokenId: old.id, userId: alice, reason: 'rotation', at: stopsAt }]);
  });
});
