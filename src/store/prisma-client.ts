/**
 * The part of a Prisma client express-pat uses, typed structurally: a host app's own generated
 * client (Prisma 6.19+ or 7, any provider) fits without casts as long as its schema holds the
 * express-pat models (see `prisma/models.prisma`).
 */

/** The columns and relation every token query selects. */
export const TOKEN_SELECT = {
  id: true,
  userId: true,
  name: true,
  digest: true,
  pepperId: true,
  hint: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
  lastUsedUserAgent: true,
  revokedAt: true,
  familyId: true,
  replacedById: true,
  expiryNoticeDays: true,
  scopes: { select: { scope: { select: { name: true } } } },
} as const;

/** A token row as {@link TOKEN_SELECT} returns it. */
export interface TokenRow {
  id: string;
  userId: string;
  name: string;
  digest: string;
  pepperId: string | null;
  hint: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  lastUsedUserAgent: string | null;
  revokedAt: Date | null;
  familyId: string | null;
  replacedById: string | null;
  expiryNoticeDays: number | null;
  scopes: Array<{ scope: { name: string } }>;
}

type DateFilter = Date | null | { lt: Date } | { gt: Date } | { lte: Date } | { gt: Date; lte: Date };

/** One alternative of an `OR` in {@link TokenWhere}. */
export interface TokenAlternative {
  expiresAt?: DateFilter;
  lastUsedAt?: DateFilter;
  revokedAt?: DateFilter;
  expiryNoticeDays?: number | null | { gt: number };
}

/** Filters the store uses on `PersonalAccessToken`. */
export interface TokenWhere {
  id?: string | { in: string[] };
  digest?: string | { in: string[] };
  userId?: string;
  revokedAt?: DateFilter;
  expiresAt?: DateFilter;
  lastUsedAt?: DateFilter;
  replacedById?: null;
  OR?: TokenAlternative[];
  AND?: Array<{ OR: TokenAlternative[] }>;
}

/** The `PersonalAccessToken` delegate methods express-pat calls. */
export interface PatTokenDelegate {
  create(args: {
    data: {
      id: string;
      familyId: string;
      userId: string;
      name: string;
      digest: string;
      pepperId: string;
      hint: string;
      createdAt: Date;
      expiresAt: Date | null;
      scopes: { create: Array<{ scope: { connect: { name: string } } }> };
    };
    select: typeof TOKEN_SELECT;
  }): PromiseLike<TokenRow>;
  findFirst(args: { where: { id: string; userId?: string }; select: typeof TOKEN_SELECT }): PromiseLike<TokenRow | null>;
  findMany(args: {
    where: TokenWhere;
    orderBy?: Array<{ createdAt: 'desc' } | { id: 'desc' } | { expiresAt: 'asc' } | { id: 'asc' }>;
    take?: number;
    select: typeof TOKEN_SELECT;
  }): PromiseLike<TokenRow[]>;
  updateMany(args: {
    where: TokenWhere;
    data: {
      revokedAt?: Date;
      lastUsedAt?: Date;
      lastUsedIp?: string | null;
      lastUsedUserAgent?: string | null;
      digest?: string;
      pepperId?: string;
      replacedById?: string;
      expiryNoticeDays?: number;
    };
  }): PromiseLike<{ count: number }>;
  count(args: { where: TokenWhere }): PromiseLike<number>;
  deleteMany(args: { where: TokenWhere }): PromiseLike<{ count: number }>;
}

/** An audit row as the store writes and reads it. */
export interface AuditRow {
  id: string;
  createdAt: Date;
  action: string;
  userId: string;
  actor: string;
  actorTokenId: string | null;
  tokenId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: string | null;
}

/** The `AuditEvent` delegate methods express-pat calls. */
export interface PatAuditDelegate {
  createMany(args: { data: AuditRow[] }): PromiseLike<{ count: number }>;
  findMany(args: {
    where: { userId?: string; tokenId?: string };
    orderBy: Array<{ createdAt: 'desc' } | { id: 'desc' }>;
    take: number;
  }): PromiseLike<AuditRow[]>;
}

/** The `Scope` delegate methods express-pat calls. */
export interface PatScopeDelegate {
  upsert(args: {
    where: { name: string };
    create: { name: string; description: string };
    update: { description: string };
    select: { name: true };
  }): PromiseLike<{ name: string }>;
}

/** The `User` delegate methods `passwordAuth` calls. */
export interface PatUserDelegate {
  findUnique(args: {
    where: { email: string };
    select: { id: true; passwordHash: true };
  }): PromiseLike<{ id: string; passwordHash: string | null } | null>;
}

/** The delegates available inside an interactive transaction. */
export interface PatTransactionClient {
  personalAccessToken: PatTokenDelegate;
  auditEvent: PatAuditDelegate;
}

/** A Prisma client whose schema holds the express-pat models. */
export interface PatPrismaClient {
  personalAccessToken: PatTokenDelegate;
  scope: PatScopeDelegate;
  auditEvent: PatAuditDelegate;
  $transaction<R>(fn: (tx: PatTransactionClient) => Promise<R>): Promise<R>;
}

/** A Prisma client with the `User` model, as `passwordAuth` needs. */
export interface PatPrismaUserClient {
  user: PatUserDelegate;
}
