/** Every TokenLookup answers exactly as the Prisma store does, on both databases. */
import Database from 'better-sqlite3';
import pg from 'pg';
import { postgresTokenLookup, sqliteTokenLookup, type TokenLookup } from '../../src/index.js';
import type { DatabaseTarget } from '../../src/demo/database.js';
import { PrismaTokenStore } from '../../src/store/prisma-token-store.js';
import { digestToken } from '../../src/token/digest.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, TEST_PEPPER } from '../support/test-app.js';

describe.each(testDatabases)('driver lookups on $provider', (database) => {
  let target: DatabaseTarget;
  let prisma: TestPrismaClient;
  let lookup: TokenLookup;
  let release: () => Promise<void>;

  beforeAll(async () => {
    target = database.target();
    prisma = await connect(database, target);
    if (target.provider === 'sqlite') {
      const db = new Database(target.file ?? '', { readonly: true });
      lookup = sqliteTokenLookup(db);
      release = async () => void db.close();
    } else {
      const pool = new pg.Pool(target.pool);
      lookup = postgresTokenLookup(pool);
      release = () => pool.end();
    }
  });
  afterAll(async () => {
    await release();
    await prisma.$disconnect();
  });

  it('finds a token with all its scopes and dates, as the Prisma store does', async () => {
    const { pat } = createTestApp(prisma);
    const userId = await createUser(prisma);
    const created = await pat.tokens.create(userId, { name: 'lookup', scopes: ['notes:write', 'billing:read'], expiresInDays: 3 });
    await pat.tokens.revoke(userId, created.id);
    const digest = digestToken(TEST_PEPPER, created.token);

    const viaPrisma = await new PrismaTokenStore(prisma).findByDigests([digest]);
    const viaDriver = await lookup.findByDigests([digest]);
    expect(viaDriver).not.toBeNull();
    expect({ ...viaDriver, scopes: [...(viaDriver?.scopes ?? [])].sort() }).toEqual({
      ...viaPrisma,
      scopes: [...(viaPrisma?.scopes ?? [])].sort(),
    });
    expect(viaDriver?.expiresAt).toEqual(created.expiresAt);
    expect(viaDriver?.revokedAt).toBeInstanceOf(Date);
  });

  it('answers null for an unknown digest', async () => {
    expect(await lookup.findByDigests([digestToken(TEST_PEPPER, 'pat_unknown')])).toBeNull();
  });

  it('finds a token by any of several digests (one per pepper)', async () => {
    const { pat } = createTestApp(prisma);
    const created = await pat.tokens.create(await createUser(prisma), { name: 'two peppers', scopes: ['notes:read'] });
    const found = await lookup.findByDigests([digestToken('another-pepper-another-pepper-1234', created.token), digestToken(TEST_PEPPER, created.token)]);
    expect(found?.id).toBe(created.id);
  });
});
