/**
 * A store that fails must answer 503 store_unavailable and never let a request through. The
 * outages are real: a PostgreSQL client aimed at a closed port, and a SQLite file without tables.
 */
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { resolveDatabase } from '../../src/demo/database.js';
import { generateToken } from '../../src/token/format.js';
import { connect, testDatabases, type TestPrismaClient } from '../support/databases.js';
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
