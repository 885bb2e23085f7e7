/**
 * The storage port. The service layer speaks only to this interface; `PrismaTokenStore` is one
 * implementation. Contracts every implementation keeps:
 * - every failure of the underlying database is thrown as `StoreUnavailableError`, never as a
 *   driver error and never as a silent "not found";
 * - "not found" and "belongs to someone else" are the same answer (`null` or `'not_found'`);
 * - a `TokenRecord` never carries the plaintext token.
 */

/** A stored token as the service sees it. */
export interface TokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly hint: string;
  /** The scope names granted when the token was created (not expanded). */
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly lastUsedIp: string | null;
  readonly lastUsedUserAgent: string | null;
  /**
   * When the token stops working: the revocation time, or a future time while the grace period
   * of a rotation runs. Null while live.
   */
  readonly revokedAt: Date | null;
  /** First token of the rotation family; null for tokens stored before families existed. */
  readonly familyId: string | null;
  /** The successor of a rotated token. */
  readonly replacedById: string | null;
}

/** A stored token found by its digest, for verification. */
export interface DigestedTokenRecord extends TokenRecord {
  readonly digest: string;
  /** Id of the pepper that made `digest`; null for digests older than pepper ids. */
  readonly pepperId: string | null;
}

/** A token found by {@link TokenStore.listExpiring}. */
export interface ExpiringTokenRecord extends TokenRecord {
  /** The smallest "expires within N days" reminder already sent, or null. */
  readonly expiryNoticeDays: number | null;
}

/** What the service asks the store to insert. */
export interface NewTokenRecord {
  /** A random UUID chosen by the service, so a new family's id is known before the insert. */
  readonly id: string;
  readonly familyId: string;
  readonly userId: string;
  readonly name: string;
  readonly digest: string;
  readonly pepperId: string;
  readonly hint: string;
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

/** A scope to keep in the store's `Scope` table. */
export interface StoredScope {
  readonly name: string;
  readonly description: string;
}

/** Result of {@link TokenStore.revoke}. */
export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

/** Result of {@link TokenStore.rotate}. */
export type RotateOutcome =
  | { readonly status: 'rotated'; readonly successor: TokenRecord }
  | { readonly status: 'not_active' }
  | { readonly status: 'not_found' };

/** The hot-path query alone, so a faster driver-level implementation can replace it. */
export interface TokenLookup {
  /**
   * The token whose digest is one of `digests` (one per configured pepper, newest first), or
   * null. One indexed query, scopes included.
   */
  findByDigests(digests: readonly string[]): Promise<DigestedTokenRecord | null>;
}

/** A use to write into a token's `lastUsedAt`, `lastUsedIp` and `lastUsedUserAgent`. */
export interface LastUse {
  readonly id: string;
  readonly at: Date;
  /** Undefined leaves the stored value as it is (a use seen outside a request). */
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

/** One audit trail entry to append. */
export interface NewAuditEntry {
  /** Sorts in write order within a process (see `createAuditIds`). */
  readonly id: string;
  readonly createdAt: Date;
  readonly action: string;
  readonly userId: string;
  readonly actor: string;
  readonly actorTokenId: string | null;
  readonly tokenId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly details: string | null;
}

/** A stored audit trail entry. */
export type AuditEntry = NewAuditEntry;

export interface TokenStore extends TokenLookup {
  /** Inserts or updates every scope by name; never deletes one. */
  syncScopes(scopes: readonly StoredScope[]): Promise<void>;
  /** Inserts a token with its scopes (which must already be synced). */
  insert(token: NewTokenRecord): Promise<TokenRecord>;
  /** The user's token with this id, or null (also when it is someone else's). */
  findOwned(userId: string, id: string): Promise<TokenRecord | null>;
  /** The user's tokens that are neither revoked nor expired at `now`, newest first. */
  listActive(userId: string, now: Date): Promise<TokenRecord[]>;
  /**
   * Sets `revokedAt = now` on the user's token unless it already stopped working by `now` (a
   * token in a rotation's grace period is revoked at once).
   */
  revoke(userId: string, id: string, now: Date): Promise<RevokeOutcome>;
  /** Every token whose digest is one of `digests` (one indexed query; for leak reports). */
  findAllByDigests(digests: readonly string[]): Promise<DigestedTokenRecord[]>;
  /** Revokes every token of the user still working at `now`; returns their ids. */
  revokeAll(userId: string, now: Date): Promise<string[]>;
  /** How many of the user's tokens still work at `now` (neither revoked nor expired). */
  countActive(userId: string, now: Date): Promise<number>;
  /** Deletes tokens that expired before `before`; returns how many. */
  deleteExpired(before: Date): Promise<number>;
  /** Replaces a token's digest (after a pepper rotation), unless it changed meanwhile. */
  redigest(id: string, from: string, to: { digest: string; pepperId: string }): Promise<void>;
  /**
   * In one transaction: if the user's token still works at `now` and was never replaced, inserts
   * `successor` (built from the old record by `makeSuccessor`), links the old token to it and sets
   * its `revokedAt` to `stopsAt` (`now`, or the end of a grace period). Of two concurrent
   * rotations of one token exactly one succeeds; the other gets `not_active`.
   */
  rotate(
    userId: string,
    id: string,
    now: Date,
    stopsAt: Date,
    makeSuccessor: (old: TokenRecord) => NewTokenRecord,
  ): Promise<RotateOutcome>;
  /** Writes each use, never moving `lastUsedAt` backwards. */
  recordLastUses(uses: readonly LastUse[]): Promise<void>;
  /**
   * Every token, of any user, that works at `now`, was not replaced by a rotation, and expires at
   * or before `until`, soonest first.
   */
  listExpiring(now: Date, until: Date): Promise<ExpiringTokenRecord[]>;
  /**
   * Records that the "expires within `days` days" reminder of a token was sent, unless that one
   * (or a later one) was already: true only for the one caller that claimed it.
   */
  claimExpiryNotice(id: string, days: number): Promise<boolean>;
  /** Appends entries to the audit trail. */
  appendAudit(entries: readonly NewAuditEntry[]): Promise<void>;
  /** Audit entries, newest first, filtered by owner and/or token. */
  listAudit(filter: { readonly userId?: string; readonly tokenId?: string; readonly limit: number }): Promise<AuditEntry[]>;
  /**
   * The token with this id whoever owns it, or null. For administration only: user-facing paths
   * use {@link TokenStore.findOwned}, so that someone else's token looks like no token.
   */
  findById(id: string): Promise<TokenRecord | null>;
  /**
   * Tokens of every user (or of `filter.userId` only), newest first (`createdAt`, then `id`,
   * descending). With `filter.workingAt`, only the tokens that work at that instant (not revoked
   * by then, not expired). For administration only.
   */
  listAll(filter: TokenListFilter): Promise<TokenRecord[]>;
}

/** Which tokens {@link TokenStore.listAll} returns. */
export interface TokenListFilter {
  /** Only this user's tokens; undefined for every user's. */
  readonly userId?: string | undefined;
  /** Only the tokens working at this instant; undefined for all, revoked and expired ones too. */
  readonly workingAt?: Date | undefined;
}
