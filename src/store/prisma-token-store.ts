import { guarded } from './guarded.js';
import {
  TOKEN_SELECT,
  type AuditRow,
  type PatPrismaClient,
  type TokenAlternative,
  type TokenRow,
  type TokenWhere,
} from './prisma-client.js';
import type {
  AuditEntry,
  DigestedTokenRecord,
  ExpiringTokenRecord,
  LastUse,
  NewAuditEntry,
  NewTokenRecord,
  RevokeOutcome,
  RotateOutcome,
  StoredScope,
  TokenListFilter,
  TokenRecord,
  TokenStore,
} from './token-store.js';

/**
 * Whether `id` could be a stored token id. U+0000 and unpaired surrogates cannot even be sent to
 * the databases (PostgreSQL refuses U+0000 in text, SQLite unpaired surrogates): such an id is
 * simply not found, rather than a failed query.
 */
function isStorableId(id: string): boolean {
  return id.length > 0 && !id.includes('\u0000') && !/\p{Cs}/u.test(id);
}

/** Not revoked by `now` (live, or in a rotation's grace period). */
const notStopped = (now: Date): TokenAlternative[] => [{ revokedAt: null }, { revokedAt: { gt: now } }];
const notExpired = (now: Date): TokenAlternative[] => [{ expiresAt: null }, { expiresAt: { gt: now } }];
/** Still works at `now`: neither revoked nor expired. */
const worksAt = (now: Date): TokenWhere => ({ AND: [{ OR: notStopped(now) }, { OR: notExpired(now) }] });

function toRecord(row: TokenRow): DigestedTokenRecord {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    digest: row.digest,
    pepperId: row.pepperId,
    hint: row.hint,
    scopes: row.scopes.map((link) => link.scope.name),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
    lastUsedUserAgent: row.lastUsedUserAgent,
    revokedAt: row.revokedAt,
    familyId: row.familyId,
    replacedById: row.replacedById,
  };
}

function toCreateArgs(token: NewTokenRecord) {
  return {
    data: {
      id: token.id,
      familyId: token.familyId,
      userId: token.userId,
      name: token.name,
      digest: token.digest,
      pepperId: token.pepperId,
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
  /**
   * @param timeoutMs every call that has not settled by then fails with `StoreUnavailableError`.
   */
  constructor(
    private readonly prisma: PatPrismaClient,
    private readonly timeoutMs?: number,
  ) {}

  private run<T>(operation: () => PromiseLike<T>): Promise<T> {
    return guarded(operation, this.timeoutMs);
  }

  async syncScopes(scopes: readonly StoredScope[]): Promise<void> {
    await this.run(async () => {
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
    return toRecord(await this.run(() => this.prisma.personalAccessToken.create(toCreateArgs(token))));
  }

  async findByDigests(digests: readonly string[]): Promise<DigestedTokenRecord | null> {
    const [row] = await this.run(() =>
      this.prisma.personalAccessToken.findMany({ where: { digest: { in: [...digests] } }, take: 1, select: TOKEN_SELECT }),
    );
    return row ? toRecord(row) : null;
  }

  async findOwned(userId: string, id: string): Promise<TokenRecord | null> {
    if (!isStorableId(id)) return null;
    const row = await this.run(() =>
      this.prisma.personalAccessToken.findFirst({ where: { id, userId }, select: TOKEN_SELECT }),
    );
    return row ? toRecord(row) : null;
  }

  async listActive(userId: string, now: Date): Promise<TokenRecord[]> {
    const rows = await this.run(() =>
      this.prisma.personalAccessToken.findMany({
        where: { userId, ...worksAt(now) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: TOKEN_SELECT,
      }),
    );
    return rows.map(toRecord);
  }

  async revoke(userId: string, id: string, now: Date): Promise<RevokeOutcome> {
    if (!isStorableId(id)) return 'not_found';
    return this.run(async () => {
      const { count } = await this.prisma.personalAccessToken.updateMany({
        where: { id, userId, OR: notStopped(now) },
        data: { revokedAt: now },
      });
      if (count > 0) return 'revoked';
      const existing = await this.prisma.personalAccessToken.findFirst({ where: { id, userId }, select: TOKEN_SELECT });
      return existing ? 'already_revoked' : 'not_found';
    });
  }

  async findAllByDigests(digests: readonly string[]): Promise<DigestedTokenRecord[]> {
    const rows = await this.run(() =>
      this.prisma.personalAccessToken.findMany({ where: { digest: { in: [...digests] } }, select: TOKEN_SELECT }),
    );
    return rows.map(toRecord);
  }

  async revokeAll(userId: string, now: Date): Promise<string[]> {
    return this.run(async () => {
      const rows = await this.prisma.personalAccessToken.findMany({
        where: { userId, OR: notStopped(now) },
        select: TOKEN_SELECT,
      });
      const ids = rows.map((row) => row.id);
      if (ids.length > 0) {
        await this.prisma.personalAccessToken.updateMany({
          where: { id: { in: ids }, OR: notStopped(now) },
          data: { revokedAt: now },
        });
      }
      return ids;
    });
  }

  async countActive(userId: string, now: Date): Promise<number> {
    return this.run(() =>
      this.prisma.personalAccessToken.count({ where: { userId, ...worksAt(now) } }),
    );
  }

  async deleteExpired(before: Date): Promise<number> {
    const { count } = await this.run(() =>
      this.prisma.personalAccessToken.deleteMany({ where: { expiresAt: { lt: before } } }),
    );
    return count;
  }

  async redigest(id: string, from: string, to: { digest: string; pepperId: string }): Promise<void> {
    await this.run(() =>
      this.prisma.personalAccessToken.updateMany({ where: { id, digest: from }, data: to }),
    );
  }

  async rotate(
    userId: string,
    id: string,
    now: Date,
    stopsAt: Date,
    makeSuccessor: (old: TokenRecord) => NewTokenRecord,
  ): Promise<RotateOutcome> {
    return this.run(() =>
      this.prisma.$transaction(async (tx): Promise<RotateOutcome> => {
        const row = await tx.personalAccessToken.findFirst({ where: { id, userId }, select: TOKEN_SELECT });
        if (!row) return { status: 'not_found' };
        const successor = makeSuccessor(toRecord(row));
        // The conditional update takes the row lock: a concurrent rotation waits here, then
        // sees replacedById set and updates nothing.
        const { count } = await tx.personalAccessToken.updateMany({
          where: { id, userId, replacedById: null, ...worksAt(now) },
          data: { revokedAt: stopsAt, replacedById: successor.id },
        });
        if (count === 0) return { status: 'not_active' };
        return { status: 'rotated', successor: toRecord(await tx.personalAccessToken.create(toCreateArgs(successor))) };
      }),
    );
  }

  async recordLastUses(uses: readonly LastUse[]): Promise<void> {
    await this.run(async () => {
      for (const { id, at, ip, userAgent } of uses) {
        await this.prisma.personalAccessToken.updateMany({
          where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
          data: { lastUsedAt: at, lastUsedIp: ip, lastUsedUserAgent: userAgent },
        });
      }
    });
  }

  async listExpiring(now: Date, until: Date): Promise<ExpiringTokenRecord[]> {
    const rows = await this.run(() =>
      this.prisma.personalAccessToken.findMany({
        where: { expiresAt: { gt: now, lte: until }, replacedById: null, OR: notStopped(now) },
        orderBy: [{ expiresAt: 'asc' }, { id: 'asc' }],
        select: TOKEN_SELECT,
      }),
    );
    return rows.map((row) => ({ ...toRecord(row), expiryNoticeDays: row.expiryNoticeDays }));
  }

  async claimExpiryNotice(id: string, days: number): Promise<boolean> {
    const { count } = await this.run(() =>
      this.prisma.personalAccessToken.updateMany({
        where: { id, OR: [{ expiryNoticeDays: null }, { expiryNoticeDays: { gt: days } }] },
        data: { expiryNoticeDays: days },
      }),
    );
    return count > 0;
  }

  async appendAudit(entries: readonly NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.run(() => this.prisma.auditEvent.createMany({ data: entries.map((entry) => ({ ...entry })) }));
  }

  async listAudit(filter: { readonly userId?: string; readonly tokenId?: string; readonly limit: number }): Promise<AuditEntry[]> {
    const where: { userId?: string; tokenId?: string } = {};
    if (filter.userId !== undefined) where.userId = filter.userId;
    if (filter.tokenId !== undefined) where.tokenId = filter.tokenId;
    const rows: AuditRow[] = await this.run(() =>
      this.prisma.auditEvent.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: filter.limit }),
    );
    return rows;
  }

  async findById(id: string): Promise<TokenRecord | null> {
    if (!isStorableId(id)) return null;
    const [row] = await this.run(() =>
      this.prisma.personalAccessToken.findMany({ where: { id }, take: 1, select: TOKEN_SELECT }),
    );
    return row ? toRecord(row) : null;
  }

  async listAll(filter: TokenListFilter): Promise<TokenRecord[]> {
    const { userId, workingAt } = filter;
    if (userId !== undefined && !isStorableId(userId)) return [];
    const rows = await this.run(() =>
      this.prisma.personalAccessToken.findMany({
        where: {
          ...(userId === undefined ? {} : { userId }),
          ...(workingAt === undefined ? {} : worksAt(workingAt)),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: TOKEN_SELECT,
      }),
    );
    return rows.map(toRecord);
  }
}
