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
  readonly revokedAt: Date | null;
}

/** A stored token found by its digest, for verification. */
export interface DigestedTokenRecord extends TokenRecord {
  readonly digest: string;
  /** Id of the pepper that made `digest`; null for digests older than pepper ids. */
  readonly pepperId: string | null;
}

/** What the service asks the store to insert. */
export interface NewTokenRecord {
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

/** A timestamp to write into a token's `lastUsedAt`. */
export interface LastUse {
  readonly id: string;
  readonly at: Date;
}

export interface TokenStore extends TokenLookup {
  /** Inserts or updates every scope by name; never deletes one. */
  syncScopes(scopes: readonly StoredScope[]): Promise<void>;
  /** Inserts a token with its scopes (which must already be synced). */
  insert(token: NewTokenRecord): Promise<TokenRecord>;
  /** The user's token with this id, or null (also when it is someone else's). */
  findOwned(userId: string, id: string): Promise<TokenRecord | null>;
  /** The user's tokens that are neither revoked nor expired at `now`, newest first. */
  listActive(userId: string, now: Date): Promise<TokenRecord[]>;
  /** Sets `revokedAt = now` on the user's token unless it is already revoked. */
  revoke(userId: string, id: string, now: Date): Promise<RevokeOutcome>;
  /** Every token whose digest is one of `digests` (one indexed query; for leak reports). */
  findAllByDigests(digests: readonly string[]): Promise<DigestedTokenRecord[]>;
  /** Revokes every token of the user that is not revoked yet; returns their ids. */
  revokeAll(userId: string, now: Date): Promise<string[]>;
  /** How many of the user's tokens are neither revoked nor expired at `now`. */
  countActive(userId: string, now: Date): Promise<number>;
  /** Deletes tokens that expired before `before`; returns how many. */
  deleteExpired(before: Date): Promise<number>;
  /** Replaces a token's digest (after a pepper rotation), unless it changed meanwhile. */
  redigest(id: string, from: string, to: { digest: string; pepperId: string }): Promise<void>;
  /**
   * In one transaction: revokes the user's token if it is still active at `now`, and inserts
   * `successor` (built from the old record by `makeSuccessor`). Of two concurrent rotations of one
   * token exactly one succeeds; the other gets `not_active`.
   */
  rotate(
    userId: string,
    id: string,
    now: Date,
    makeSuccessor: (old: TokenRecord) => NewTokenRecord,
  ): Promise<RotateOutcome>;
  /** Writes each `lastUsedAt`, never moving one backwards. */
  recordLastUses(uses: readonly LastUse[]): Promise<void>;
}
