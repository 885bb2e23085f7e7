import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { PatEventMap, PersonalAccessTokens, PersonalAccessTokensOptions } from '../../src/index.js';
import { connect, createUser, rowCounts, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, createTestClock, TEST_SCOPES, USER_HEADER, type TestClock } from '../support/test-app.js';

const DAY_MS = 86_400_000;

describe.each(testDatabases)('audit trail and lifecycle events on $provider', (database) => {
  let prisma: TestPrismaClient;
  let clock: TestClock;
  const apps: PersonalAccessTokens[] = [];

  beforeAll(async () => {
    prisma = await connect(database);
    clock = createTestClock();
  });
  afterAll(async () => {
    for (const pat of apps) await pat.close();
    await prisma.$disconnect();
  });

  /** An app behind a trusted proxy, so each request can say which client IP it comes from. */
  function setUp(overrides: Partial<PersonalAccessTokensOptions> = {}): { app: Express; pat: PersonalAccessTokens } {
    const built = createTestApp(prisma, {
      now: clock.now,
      scopes: { ...TEST_SCOPES, 'tokens:write': 'Manage tokens' },
      managementScope: 'tokens:write',
      expiryReminders: false,
      ...overrides,
    });
    built.app.set('trust proxy', true);
    apps.push(built.pat);
    return built;
  }

  const from = (ip: string, agent = 'deploy-bot/1.0') => ({ 'X-Forwarded-For': ip, 'User-Agent': agent });

  describe('audit trail', () => {
    it('records who created, rotated and revoked a token, from which IP and user agent', async () => {
      const { app, pat } = setUp();
      const alice = await createUser(prisma);
      const created = await request(app)
        .post('/tokens')
        .set(USER_HEADER, alice)
        .set(from('203.0.113.7', 'Mozilla/5.0 settings'))
        .send({ name: 'laptop', scopes: ['notes:read'] })
        .expect(201);
      clock.advance(1000);
      const rotated = await request(app).post(`/tokens/${created.body.id}/rotate`).set(USER_HEADER, alice).set(from('203.0.113.8')).expect(201);
      clock.advance(1000);
      await request(app).delete(`/tokens/${rotated.body.id}`).set(USER_HEADER, alice).set(from('203.0.113.9')).expect(204);

      const trail = await pat.tokens.auditTrail({ userId: alice });
      const summary = trail.map(({ action, tokenId, actor, ip, userAgent }) => ({ action, tokenId, actor, ip, userAgent }));
      expect(summary).toEqual(
        expect.arrayContaining([
          { action: 'token.created', tokenId: created.body.id, actor: 'user', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 settings' },
          { action: 'token.rotated', tokenId: rotated.body.id, actor: 'user', ip: '203.0.113.8', userAgent: 'deploy-bot/1.0' },
          { action: 'token.revoked', tokenId: created.body.id, actor: 'user', ip: '203.0.113.8', userAgent: 'deploy-bot/1.0' },
          { action: 'token.revoked', tokenId: rotated.body.id, actor: 'user', ip: '203.0.113.9', userAgent: 'deploy-bot/1.0' },
        ]),
      );
      expect(trail).toHaveLength(4);
      const revokedByUser = trail.find((entry) => entry.tokenId === rotated.body.id && entry.action === 'token.revoked');
      expect(JSON.parse(revokedByUser?.details ?? '{}')).toMatchObject({ reason: 'user' });
      // Newest first, and never a secret.
      expect(trail.map((entry) => entry.createdAt.getTime())).toEqual(
        [...trail].map((entry) => entry.createdAt.getTime()).sort((a, b) => b - a),
      );
      expect(trail[0]).toMatchObject({ action: 'token.revoked', tokenId: rotated.body.id });
      expect(JSON.stringify(trail)).not.toContain(created.body.token);
      expect(JSON.stringify(trail)).not.toContain(rotated.body.token);
    });

    it('does not let a token replaced by a rotation manage tokens during its grace period', async () => {
      const { app, pat } = setUp();
      const alice = await createUser(prisma);
      const manager = await pat.tokens.create(alice, { name: 'manager', scopes: ['tokens:write', 'notes:read'] });
      const successor = await pat.tokens.rotate(alice, manager.id, { graceSeconds: 3600 });
      const asOld = (call: request.Test) => call.set('Authorization', `Bearer ${manager.token}`);
      await asOld(request(app).get('/api/read')).expect(200);
      const before = await rowCounts(prisma);
      const refused = await asOld(request(app).post(`/tokens/${successor.id}/rotate`));
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('insufficient_scope');
      expect((await asOld(request(app).delete(`/tokens/${successor.id}`))).status).toBe(403);
      expect((await asOld(request(app).post('/tokens').send({ name: 'x', scopes: ['notes:read'] }))).status).toBe(403);
      expect(await rowCounts(prisma)).toEqual(before);
      await request(app).get('/api/read').set('Authorization', `Bearer ${successor.token}`).expect(200);
    });

    it('names the token that acted when a token manages tokens', async () => {
      const { app, pat } = setUp();
      const alice = await createUser(prisma);
      const manager = await pat.tokens.create(alice, { name: 'manager', scopes: ['tokens:write', 'notes:read'] });
      const minted = await request(app)
        .post('/tokens')
        .set('Authorization', `Bearer ${manager.token}`)
        .send({ name: 'minted', scopes: ['notes:read'] })
        .expect(201);
      const [entry] = await pat.tokens.auditTrail({ tokenId: minted.body.id });
      expect(entry).toMatchObject({ action: 'token.created', actor: 'token', actorTokenId: manager.id, userId: alice });
    });

    it('writes nothing for a rejected request', async () => {
      const { app } = setUp();
      const alice = await createUser(prisma);
      const before = await rowCounts(prisma);
      await request(app).post('/tokens').set(USER_HEADER, alice).send({ name: '', scopes: ['nope'] }).expect(400);
      await request(app).delete('/tokens/00000000-0000-0000-0000-000000000000').set(USER_HEADER, alice).expect(404);
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('lists entries written in the same millisecond newest first, in the order they were written', async () => {
      const { app, pat } = setUp();
      const alice = await createUser(prisma);
      const first = await request(app).post('/tokens').set(USER_HEADER, alice).send({ name: 'one', scopes: ['notes:read'] }).expect(201);
      const second = await request(app).post('/tokens').set(USER_HEADER, alice).send({ name: 'two', scopes: ['notes:read'] }).expect(201);
      await request(app).delete(`/tokens/${first.body.id}`).set(USER_HEADER, alice).expect(204);
      const trail = await pat.tokens.auditTrail({ userId: alice });
      expect(trail.map((entry) => [entry.action, entry.tokenId])).toEqual([
        ['token.revoked', first.body.id],
        ['token.created', second.body.id],
        ['token.created', first.body.id],
      ]);
    });

    it('records the reporter of a leaked token', async () => {
      const { app, pat } = setUp({ leakReporting: true });
      const alice = await createUser(prisma);
      const leaked = await pat.tokens.create(alice, { name: 'pasted in a chat', scopes: ['notes:read'] });
      await request(app).post('/tokens/leaked').set(from('198.18.0.5', 'secret-scanner/3')).send({ tokens: [leaked.token] }).expect(202);
      const trail = await pat.tokens.auditTrail({ tokenId: leaked.id });
      expect(trail.find((entry) => entry.action === 'token.leaked')).toMatchObject({ actor: 'system', ip: '198.18.0.5', userAgent: 'secret-scanner/3' });
      expect(trail.find((entry) => entry.action === 'token.revoked')).toMatchObject({ ip: '198.18.0.5' });
    });

    it('records a valid token used from a new IP even when the request is then refused for scope', async () => {
      const { app, pat } = setUp();
      const alice = await createUser(prisma);
      const reader = await pat.tokens.create(alice, { name: 'reader', scopes: ['notes:read'] });
      const before = await rowCounts(prisma);
      // An invalid token is refused before anything is recorded.
      const forged = `${reader.token.slice(0, -1)}${reader.token.endsWith('x') ? 'y' : 'x'}`;
      await request(app).get('/api/billing').set('Authorization', `Bearer ${forged}`).set(from('192.0.2.99')).expect(401);
      expect(await rowCounts(prisma)).toEqual(before);
      // A valid one was used, whatever the route then decides: a stolen token probing scopes is news.
      await request(app).get('/api/billing').set('Authorization', `Bearer ${reader.token}`).set(from('192.0.2.99')).expect(403);
      await pat.close();
      expect((await pat.tokens.auditTrail({ tokenId: reader.id })).map((entry) => entry.action)).toEqual(['token.used_from_new_ip', 'token.created']);
    });

    it('can be turned off', async () => {
      const { app, pat } = setUp({ audit: false });
      const alice = await createUser(prisma);
      await request(app).post('/tokens').set(USER_HEADER, alice).send({ name: 'quiet', scopes: ['notes:read'] }).expect(201);
      expect(await pat.tokens.auditTrail({ userId: alice })).toEqual([]);
    });

    it('refuses a limit outside 1..1000', async () => {
      const { pat } = setUp();
      await expect(pat.tokens.auditTrail({ limit: 0 })).rejects.toThrow(TypeError);
      await expect(pat.tokens.auditTrail({ limit: 1001 })).rejects.toThrow(TypeError);
    });
  });

  describe('token.used_from_new_ip', () => {
    it('fires on first use and on each change of IP, records lastUsedIp and lastUsedUserAgent', async () => {
      const { app, pat } = setUp({ cache: true });
      const alice = await createUser(prisma);
      const seen: Array<PatEventMap['token.used_from_new_ip']> = [];
      pat.on('token.used_from_new_ip', (payload) => void seen.push(payload));
      const issued = await pat.tokens.create(alice, { name: 'ci', scopes: ['notes:read'] });
      const call = (ip: string, agent?: string) =>
        request(app).get('/api/read').set('Authorization', `Bearer ${issued.token}`).set(from(ip, agent)).expect(200);

      await call('198.51.100.1');
      await call('198.51.100.1');
      await call('198.51.100.1');
      await call('198.51.100.2', 'other-runner/2');
      await call('198.51.100.2', 'other-runner/2');
      expect(seen).toEqual([
        { tokenId: issued.id, userId: alice, ip: '198.51.100.1', previousIp: null, userAgent: 'deploy-bot/1.0' },
        { tokenId: issued.id, userId: alice, ip: '198.51.100.2', previousIp: '198.51.100.1', userAgent: 'other-runner/2' },
      ]);

      const shown = await request(app).get(`/tokens/${issued.id}`).set(USER_HEADER, alice).expect(200);
      expect(shown.body).toMatchObject({ lastUsedIp: '198.51.100.2', lastUsedUserAgent: 'other-runner/2' });
      await pat.close();
      const row = await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: issued.id } });
      expect(row).toMatchObject({ lastUsedIp: '198.51.100.2', lastUsedUserAgent: 'other-runner/2' });
      const trail = await pat.tokens.auditTrail({ tokenId: issued.id });
      const ips = trail.filter((entry) => entry.action === 'token.used_from_new_ip').map((entry) => entry.ip);
      expect(ips.sort()).toEqual(['198.51.100.1', '198.51.100.2']);
    });

    it('compares with the stored last IP after a restart', async () => {
      const alice = await createUser(prisma);
      const first = setUp();
      const issued = await first.pat.tokens.create(alice, { name: 'restart', scopes: ['notes:read'] });
      await request(first.app).get('/api/read').set('Authorization', `Bearer ${issued.token}`).set(from('192.0.2.10')).expect(200);
      await first.pat.close();

      const second = setUp();
      const seen: Array<PatEventMap['token.used_from_new_ip']> = [];
      second.pat.on('token.used_from_new_ip', (payload) => void seen.push(payload));
      await request(second.app).get('/api/read').set('Authorization', `Bearer ${issued.token}`).set(from('192.0.2.10')).expect(200);
      expect(seen).toEqual([]);
      await request(second.app).get('/api/read').set('Authorization', `Bearer ${issued.token}`).set(from('192.0.2.11')).expect(200);
      expect(seen).toEqual([expect.objectContaining({ ip: '192.0.2.11', previousIp: '192.0.2.10' })]);
    });
  });

  describe('expiring tokens', () => {
    it('expiringWithin(days) lists every user\'s working tokens expiring in time, soonest first', async () => {
      const { pat } = setUp();
      const alice = await createUser(prisma);
      const bob = await createUser(prisma);
      const soon = await pat.tokens.create(alice, { name: 'soon', scopes: ['notes:read'], expiresInDays: 5 });
      const later = await pat.tokens.create(bob, { name: 'later', scopes: ['notes:read'], expiresInDays: 20 });
      const far = await pat.tokens.create(alice, { name: 'far', scopes: ['notes:read'], expiresInDays: 100 });
      const revoked = await pat.tokens.create(bob, { name: 'revoked', scopes: ['notes:read'], expiresInDays: 3 });
      await pat.tokens.revoke(bob, revoked.id);

      const expiring = (await pat.tokens.expiringWithin(30)).filter((token) => [soon.id, later.id, far.id, revoked.id].includes(token.id));
      expect(expiring.map((token) => [token.id, token.userId])).toEqual([
        [soon.id, alice],
        [later.id, bob],
      ]);
      await expect(pat.tokens.expiringWithin(0)).rejects.toThrow(TypeError);
    });

    it('sends token.expiring once per threshold, never for thresholds longer than the lifetime, once across instances', async () => {
      const one = setUp({ expiryReminders: false });
      const two = setUp({ expiryReminders: false });
      const alice = await createUser(prisma);
      const events: Array<PatEventMap['token.expiring']> = [];
      for (const { pat } of [one, two]) pat.on('token.expiring', (payload) => void events.push(payload));
      const quarter = await one.pat.tokens.create(alice, { name: 'quarter', scopes: ['notes:read'], expiresInDays: 90 });
      const short = await one.pat.tokens.create(alice, { name: 'short', scopes: ['notes:read'], expiresInDays: 10 });
      const mine = (): Array<[string, number]> =>
        events.filter((event) => [quarter.id, short.id].includes(event.tokenId)).map((event) => [event.name, event.withinDays]);
      const sweepBoth = () => Promise.all([one.pat.tokens.sendExpiryReminders(), two.pat.tokens.sendExpiryReminders()]);

      await sweepBoth();
      expect(mine()).toEqual([]);

      clock.advance(31 * DAY_MS); // quarter: 59 days left; short: expired
      await sweepBoth();
      await sweepBoth();
      expect(mine()).toEqual([['quarter', 60]]);

      clock.advance(30 * DAY_MS); // 29 days left
      await sweepBoth();
      expect(mine()).toEqual([
        ['quarter', 60],
        ['quarter', 30],
      ]);

      clock.advance(23 * DAY_MS); // 6 days left
      await sweepBoth();
      await sweepBoth();
      expect(mine()).toEqual([
        ['quarter', 60],
        ['quarter', 30],
        ['quarter', 7],
      ]);
      const last = events.find((event) => event.tokenId === quarter.id && event.withinDays === 7);
      expect(last).toMatchObject({ userId: alice, expiresAt: quarter.expiresAt });
    });

    it('reminds a 10-day token only at 7 days, and a sweep runs when ready() is called', async () => {
      const alice = await createUser(prisma);
      const { pat } = setUp({ expiryReminders: false });
      const token = await pat.tokens.create(alice, { name: 'ten days', scopes: ['notes:read'], expiresInDays: 10 });
      clock.advance(3 * DAY_MS + 1);

      const timed = setUp({ expiryReminders: { days: [60, 30, 7], intervalMinutes: 60 } });
      const events: Array<PatEventMap['token.expiring']> = [];
      timed.pat.on('token.expiring', (payload) => void events.push(payload));
      await timed.pat.ready();
      await timed.pat.close(); // waits for the sweep ready() started
      expect(events.filter((event) => event.tokenId === token.id).map((event) => event.withinDays)).toEqual([7]);
    });

    it('sends no reminder for a token already replaced by a rotation', async () => {
      const { pat } = setUp();
      const alice = await createUser(prisma);
      const token = await pat.tokens.create(alice, { name: 'rotated late', scopes: ['notes:read'], expiresInDays: 90 });
      clock.advance(85 * DAY_MS);
      const successor = await pat.tokens.rotate(alice, token.id, { graceSeconds: 7 * 86_400 });
      const events: Array<PatEventMap['token.expiring']> = [];
      pat.on('token.expiring', (payload) => void events.push(payload));
      await pat.tokens.sendExpiryReminders();
      expect(events.filter((event) => event.tokenId === token.id)).toEqual([]);
      const listed = (await pat.tokens.expiringWithin(10)).map((entry) => entry.id);
      expect(listed).not.toContain(token.id);
      expect(successor.expiresAt).not.toBeNull();
    });

    it('rejects bad expiryReminders options at construction', () => {
      expect(() => setUp({ expiryReminders: { days: [7], intervalMinutes: 60 * 24 * 25 } })).toThrow(TypeError);
      expect(() => setUp({ expiryReminders: { days: [] } })).toThrow(TypeError);
      expect(() => setUp({ expiryReminders: { days: [0] } })).toThrow(TypeError);
      expect(() => setUp({ expiryReminders: { days: [7], intervalMinutes: 0 } })).toThrow(TypeError);
    });
  });
});
