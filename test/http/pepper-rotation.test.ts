/** Rotating the pepper keeps existing tokens working and moves their digests to the new pepper. */
import request from 'supertest';
import { digestToken, pepperOf } from '../../src/token/digest.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp } from '../support/test-app.js';

const OLD = 'old-pepper-old-pepper-old-pepper-0001';
const NEW = 'new-pepper-new-pepper-new-pepper-0002';

describe.each(testDatabases)('pepper rotation on $provider', (database) => {
  let prisma: TestPrismaClient;
  beforeAll(async () => {
    prisma = await connect(database);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  const stored = (id: string) => prisma.personalAccessToken.findUniqueOrThrow({ where: { id }, select: { digest: true, pepperId: true } });
  const use = (app: ReturnType<typeof createTestApp>['app'], token: string) =>
    request(app).get('/api/read').set('Authorization', `Bearer ${token}`);

  it('accepts old tokens under [new, old], re-digests them with the new pepper, then needs only it', async () => {
    const before = createTestApp(prisma, { pepper: OLD });
    const userId = await createUser(prisma);
    const created = await before.pat.tokens.create(userId, { name: 'pre-rotation', scopes: ['notes:read'] });
    expect(await stored(created.id)).toEqual({ digest: digestToken(OLD, created.token), pepperId: pepperOf(OLD).id });

    const during = createTestApp(prisma, { pepper: [NEW, OLD] });
    await use(during.app, created.token).expect(200);
    expect(await stored(created.id)).toEqual({ digest: digestToken(NEW, created.token), pepperId: pepperOf(NEW).id });

    const fresh = await during.pat.tokens.create(userId, { name: 'post-rotation', scopes: ['notes:read'] });
    expect((await stored(fresh.id)).pepperId).toBe(pepperOf(NEW).id);

    const after = createTestApp(prisma, { pepper: NEW });
    await use(after.app, created.token).expect(200);
    await use(after.app, fresh.token).expect(200);
    expect((await use(createTestApp(prisma, { pepper: OLD }).app, created.token)).body.error.code).toBe('token_invalid');
  });

  it('never stores a pepper, only its non-secret id', async () => {
    const { pat } = createTestApp(prisma, { pepper: [NEW, OLD] });
    const created = await pat.tokens.create(await createUser(prisma), { name: 'x', scopes: ['notes:read'] });
    const row = JSON.stringify(await prisma.personalAccessToken.findUnique({ where: { id: created.id } }));
    expect(row).not.toContain(NEW);
    expect(row).not.toContain(OLD);
  });

  it('refuses a token whose digest matches a pepper other than the one recorded', async () => {
    const { pat, app } = createTestApp(prisma, { pepper: [NEW, OLD] });
    const created = await pat.tokens.create(await createUser(prisma), { name: 'x', scopes: ['notes:read'] });
    await prisma.personalAccessToken.update({ where: { id: created.id }, data: { pepperId: pepperOf(OLD).id } });
    expect((await use(app, created.token)).body.error.code).toBe('token_invalid');
  });

  it('rejects a pepper list that repeats a pepper, or is empty', () => {
    expect(() => createTestApp(prisma, { pepper: [NEW, NEW] })).toThrow(/twice/);
    expect(() => createTestApp(prisma, { pepper: [] })).toThrow(/empty/);
  });
});
