import { guarded } from './guarded.js';
import { TOKEN_SELECT, type PatPrismaClient, type TokenRow } from './prisma-client.js';
import type {
  DigestedTokenRecord,
  LastUse,
  NewTokenRecord,
  RevokeOutcome,
  RotateOutcome,
  StoredScope,
  TokenRecord,
  TokenStore,
} from './token-store.js';

function toRecord(row: TokenRow): DigestedTokenRecord {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    digest: row.digest,
    hint: row.hint,
    scopes: row.scopes.map((link) => link.scope.name),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

function toCreateArgs(token: NewTokenRecord) {
  return {
    data: {
      userId: token.userId,
      name: token.name,
      digest: token.digest,
      hint: token.hint,
      createdAt: token.createdAt,
      expiresAt: token.expiresAt,
      scopes: { create: token.scopes.map((name) => ({ scope: { connect: { name } } })) },
    },
    select: TOKEN_SELECT,
  };
}

/** {@link TokenStore} on a Prisma client (any provider Prisma supports). */
export class PrismaTokenStore implements TokenStore {
  constructor(private readonly prisma: PatPrismaClient) {}

  async syncScopes(scopes: readonly StoredScope[]): Promise<void> {
    await guarded(async () => {
      for (const { name, description } of scopes) {
        await this.prisma.scope.upsert({
          where: { name },
          create: { name, description },
          update: { description },
          select: { name: true },
        });
      }
    });
  }

  async insert(token: NewTokenRecord): Promise<TokenRecord> {
    return toRecord(await guarded(() => this.prisma.personalAccessToken.create(toCreateArgs(token))));
  }

  async findByDigest(digest: string): Promise<DigestedTokenRecord | null> {
    const row = await guarded(() =>
      this.prisma.personalAccessToken.findUnique({ where: { digest }, select: TOKEN_SELECT }),
    );
    return row ? toRecord(row) : null;
  }

  async findOwned(userId: string, id: string): Promise<TokenRecord | null> {
    const row = await guarded(() =>
      this.prisma.personalAccessToken.findFirst({ where: { id, userId }, select: TOKEN_SELECT }),
    );
    return row ? toRecord(row) : null;
  }

  async listActive(userId: string, now: Date): Promise<TokenRecord[]> {
    const rows = await guarded(() =>
      this.prisma.personalAccessToken.findMany({
        where: { userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: TOKEN_SELECT,
      }),
    );
    return rows.map(toRecord);
  }

  async revoke(userId: string, id: string, now: Date): Promise<RevokeOutcome> {
    return guarded(async () => {
      const { count } = await this.prisma.personalAccessToken.updateMany({
        where: { id, userId, revokedAt: null },
        data: { revokedAt: now },
      });
      if (count > 0) return 'revoked';
      const existing = await this.prisma.personalAccessToken.findFirst({ where: { id, userId }, select: TOKEN_SELECT });
      return existing ? 'already_revoked' : 'not_found';
    });
  }

  async rotate(
    userId: string,
    id: string,
    now: Date,
    makeSuccessor: (old: TokenRecord) => NewTokenRecord,
  ): Promise<RotateOutcome> {
    return guarded(() =>
      this.prisma.$transaction(async (tx): Promise<RotateOutcome> => {
        const row = await tx.personalAccessToken.findFirst({ where: { id, userId }, select: TOKEN_SELECT });
        if (!row) return { status: 'not_found' };
        if (row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) {
          return { status: 'not_active' };
        }
        // The conditional update takes the row lock: a concurrent rotation waits here, then
        // sees revokedAt set and updates nothing.
        const { count } = await tx.personalAccessToken.updateMany({
          where: { id, userId, revokedAt: null },
          data: { revokedAt: now },
        });
        if (count === 0) return { status: 'not_active' };
        const successor = await tx.personalAccessToken.create(toCreateArgs(makeSuccessor(toRecord(row))));
        return { status: 'rotated', successor: toRecord(successor) };
      }),
    );
  }

  async recordLastUses(uses: readonly LastUse[]): Promise<void> {
    await guarded(async () => {
      for (const { id, at } of uses) {
        await this.prisma.personalAccessToken.updateMany({
          where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
          data: { lastUsedAt: at },
        });
      }
    });
  }
}
