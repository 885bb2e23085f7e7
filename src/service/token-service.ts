/**
 * The token use cases — create, list, get, rotate, revoke, verify — with no HTTP in sight.
 * `pat.tokens` is this service; the router and `requireToken` are thin layers over it.
 */
import {
  NotFoundError,
  TokenExpiredError,
  TokenInvalidError,
  TokenNotActiveError,
  TokenRevokedError,
} from '../errors.js';
import type { PatConfig } from '../options.js';
import type { CachedLookup } from '../cache/cached-lookup.js';
import type { NewTokenRecord, TokenRecord, TokenStore } from '../store/token-store.js';
import { digestToken, digestsMatch } from '../token/digest.js';
import { generateToken, hintOf, isWellFormedToken } from '../token/format.js';
import type { LastUsedRecorder } from './last-used-recorder.js';
import { validateCreateInput, type CreateTokenInput } from './token-input.js';

/** What is shown about a token: never the plaintext, never the digest. */
export interface TokenMeta {
  /** Opaque id (a random UUID). */
  readonly id: string;
  readonly name: string;
  /** Non-secret display hint, e.g. `pat_x7Qa`. */
  readonly hint: string;
  /** Scope names granted at creation (implied scopes not listed). */
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A token just created or rotated: the only time its plaintext is ever available. */
export interface IssuedToken extends TokenMeta {
  /** The plaintext token. Show it once; it cannot be recovered. */
  readonly token: string;
}

/** Who a verified token acts for, set on `req.pat` by `requireToken`. */
export interface PatContext {
  readonly tokenId: string;
  readonly userId: string;
  /** Effective scopes: the granted ones and every scope they imply, sorted. */
  readonly scopes: readonly string[];
  /** The token's own metadata (as `GET /tokens/:id` shows it). */
  readonly token: TokenMeta;
}

/** The token use cases, available as `pat.tokens`. */
export interface TokenService {
  /**
   * Creates a token for `userId`.
   * @throws ValidationFailedError (`validation_failed`), StoreUnavailableError (`store_unavailable`)
   */
  create(userId: string, input: CreateTokenInput): Promise<IssuedToken>;
  /** The user's active tokens (neither revoked nor expired), newest first. */
  list(userId: string): Promise<TokenMeta[]>;
  /**
   * One of the user's tokens, active or not.
   * @throws NotFoundError (`not_found`) also when the token belongs to someone else.
   */
  get(userId: string, id: string): Promise<TokenMeta>;
  /**
   * Revokes one of the user's tokens; it stops working at once. Revoking twice is not an error.
   * @throws NotFoundError (`not_found`)
   */
  revoke(userId: string, id: string): Promise<void>;
  /**
   * Issues a new token with the same name, scopes and lifetime, and revokes the old one in the
   * same transaction.
   * @throws NotFoundError (`not_found`), TokenNotActiveError (`token_not_active`)
   */
  rotate(userId: string, id: string): Promise<IssuedToken>;
  /**
   * Checks a presented token: format and checksum first (no database), then one indexed lookup
   * by digest (or a cache hit). Queues `lastUsedAt`, written at most once per token per interval.
   * @throws TokenInvalidError, TokenExpiredError, TokenRevokedError, StoreUnavailableError
   */
  verify(token: string): Promise<PatContext>;
}

function toMeta(record: TokenRecord): TokenMeta {
  return {
    id: record.id,
    name: record.name,
    hint: record.hint,
    scopes: record.scopes,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    lastUsedAt: record.lastUsedAt,
    revokedAt: record.revokedAt,
  };
}

/** What the service is built from. */
export interface TokenServiceDependencies {
  readonly store: TokenStore;
  /** The verify path's lookup (the cache in front of the store, or a driver-level lookup). */
  readonly lookup: CachedLookup;
  readonly lastUsed: LastUsedRecorder;
  /** Resolves once the scope registry is stored; every write waits for it. */
  readonly ready: () => Promise<void>;
}

/** Builds the service. */
export function createTokenService(config: PatConfig, dependencies: TokenServiceDependencies): TokenService {
  const { scopes: registry, pepper, prefix, now } = config;
  const { store, lookup, lastUsed, ready } = dependencies;
  const withLatestUse = (record: TokenRecord): TokenMeta => ({
    ...toMeta(record),
    lastUsedAt: lastUsed.latest(record.id, record.lastUsedAt),
  });

  function issue(fields: Omit<NewTokenRecord, 'digest' | 'hint'>): { token: string; record: NewTokenRecord } {
    const token = generateToken(prefix);
    return { token, record: { ...fields, digest: digestToken(pepper, token), hint: hintOf(prefix, token) } };
  }

  return {
    async create(userId, input) {
      const createdAt = now();
      const valid = validateCreateInput(input, {
        scopes: registry,
        maxLifetimeDays: config.maxLifetimeDays,
        now: createdAt,
      });
      await ready();
      const { token, record } = issue({ userId, ...valid, createdAt });
      return { token, ...toMeta(await store.insert(record)) };
    },

    async list(userId) {
      return (await store.listActive(userId, now())).map(withLatestUse);
    },

    async get(userId, id) {
      const record = await store.findOwned(userId, id);
      if (!record) throw new NotFoundError();
      return withLatestUse(record);
    },

    async revoke(userId, id) {
      const outcome = await store.revoke(userId, id, now());
      if (outcome === 'not_found') throw new NotFoundError();
      if (outcome === 'revoked') await lookup.invalidate([id]);
    },

    async rotate(userId, id) {
      await ready();
      const rotatedAt = now();
      let token = '';
      const outcome = await store.rotate(userId, id, rotatedAt, (old) => {
        const lifetimeMs = old.expiresAt === null ? null : old.expiresAt.getTime() - old.createdAt.getTime();
        const issued = issue({
          userId,
          name: old.name,
          scopes: old.scopes,
          createdAt: rotatedAt,
          expiresAt: lifetimeMs === null ? null : new Date(rotatedAt.getTime() + lifetimeMs),
        });
        token = issued.token;
        return issued.record;
      });
      if (outcome.status === 'not_found') throw new NotFoundError();
      if (outcome.status === 'not_active') throw new TokenNotActiveError();
      await lookup.invalidate([id]);
      return { token, ...toMeta(outcome.successor) };
    },

    async verify(presented) {
      if (!isWellFormedToken(prefix, presented)) throw new TokenInvalidError();
      const digest = digestToken(pepper, presented);
      const record = await lookup.findByDigest(digest);
      if (!record || !digestsMatch(record.digest, digest)) throw new TokenInvalidError();
      if (record.revokedAt !== null) throw new TokenRevokedError();
      const at = now();
      if (record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime()) throw new TokenExpiredError();

      const lastUsedAt = lastUsed.record(record.id, at, record.lastUsedAt);
      return {
        tokenId: record.id,
        userId: record.userId,
        scopes: [...registry.expand(record.scopes)].sort(),
        token: { ...toMeta(record), lastUsedAt },
      };
    },
  };
}
