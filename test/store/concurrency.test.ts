/**
 * Races, run many times: two rotations of one token leave exactly one live successor, and a
 * request racing a revoke is never let through once the revoke has returned.
 */
import request from 'supertest';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp } from '../support/test-app.js';

const ROUNDS = 40;

describe.each(testDatabases)('concurrency on $provider', (database) => {
  let prisma: TestPrismaClient;
  beforeAll(async () => {
    prisma = await connect(database);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it(`leaves exactly one live successor when one token is rotated twice at once (${ROUNDS} rounds)`, async () => {
    const { pat } = createTestApp(prisma);
    const userId = await createUser(prisma);
    for (let round = 0; round < ROUNDS; round += 1) {
      const original = await pat.tokens.create(userId, { name: `race ${round}`, scopes: ['notes:read'] });
      const outcomes = await Promise.allSettled([pat.tokens.rotate(userId, original.id), pat.tokens.rotate(userId, original.id)]);
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((outcome) => (outcome.reason as { code?: string }).code)).toEqual(['token_not_active']);
      const live = await prisma.personalAccessToken.count({ where: { userId, name: `race ${round}`, revokedAt: null } });
      expect(live).toBe(1);
    }
  });

  it(`never lets a request through after revoke returned (${ROUNDS} rounds, no cache)`, async () => {
    const { app, pat } = createTestApp(prisma);
    const userId = await createUser(prisma);
    const server = app.listen(0);
    try {
      const agent = request(server);
      for (let round = 0; round < ROUNDS; round += 1) {
        const created = await pat.tokens.create(userId, { name: `revoke race ${round}`, scopes: ['notes:read'] });
        const use = () => agent.get('/api/read').set('Authorization', `Bearer ${created.token}`);
        const during = Array.from({ length: 4 }, use);
        await pat.tokens.revoke(userId, created.id);
        const after = await Promise.all(Array.from({ length: 3 }, use));
        await Promise.all(during);
        for (const res of after) expect(res.status).toBe(401);
      }
    } finally {
      server.close();
    }
  });
});
