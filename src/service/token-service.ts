/**
 * The token use cases — create, list, get, rotate, revoke, verify, leak reports, pruning — with
 * no HTTP in sight. `pat.tokens` is this service; the router and `requireToken` are thin layers.
 */
import type { CachedLookup } from '../cache/cached-lookup.js';
import {
  NotFoundError,
  ScopeNotAllowedError,
  TokenExpiredError,
  TokenInvalidError,
  TokenLimitReachedError,
  TokenNotActiveError,
  TokenRevokedError,
  ValidationFailedError,
} from '../errors.js';
import type { PatEvents } from '../events.js';
import type { PatConfig } from '../options.js';
import type { DigestedTokenRecord, NewTokenRecord, TokenRecord, TokenStore } from '../store/token-store.js';
import { guarded } from '../store/guarded.js';
import { digestToken, digestsMatch, type Pepper } from '../token/digest.js';
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
  /**
   * Effective scopes, sorted: the granted ones and every scope they imply, limited to what
   * `allowedScopes(userId)` grants the user now.
   */
  readonly scopes: readonly string[];
  /** The token's own metadata (as `GET /tokens/:id` shows it). */
  readonly token: TokenMeta;
}

/**
 * A token-management call made with a Personal Access Token instead of a signed-in user (see the
 * `managementScope` option): what it mints can never be broader than the token it uses.
 */
export interface ActingToken {
  readonly via: PatContext;
}

/** The token use cases, available as `pat.tokens`. */
export interface TokenService {
  /**
   * Creates a token for `userId`.
   * @throws ValidationFailedError (`validation_failed`), ScopeNotAllowedError (`scope_not_allowed`),
   * TokenLimitReachedError (`token_limit_reached`), StoreUnavailableError (`store_unavailable`)
   */
  create(userId: string, input: CreateTokenInput, acting?: ActingToken): Promise<IssuedToken>;
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
  /** Revokes every token of the user; returns how many were revoked. */
  revokeAll(userId: string): Promise<number>;
  /**
   * Issues a new token with the same name, scopes and lifetime, and revokes the old one in the
   * same transaction.
   * @throws NotFoundError (`not_found`), TokenNotActiveError (`token_not_active`),
   * ScopeNotAllowedError (`scope_not_allowed`)
   */
  rotate(userId: string, id: string, acting?: ActingToken): Promise<IssuedToken>;
  /**
   * Checks a presented token: format and checksum first (no database), then one indexed lookup
   * by digest (or a cache hit). Queues `lastUsedAt`, written at most once per token per interval.
   * A token digested with an older pepper is re-digested with the newest.
   * @throws TokenInvalidError, TokenExpiredError, TokenRevokedError, StoreUnavailableError
   */
  verify(token: string): Promise<PatContext>;
  /**
   * Revokes every live token among `tokens` (strings found in a leak), without telling which
   * were real. Emits `token.leaked` for each.
   */
  reportLeaked(tokens: readonly string[]): Promise<void>;
  /** Deletes tokens that expired more than `olderThanDays` ago (default 0); returns how many. */
  pruneExpired(options?: { readonly olderThanDays?: number }): Promise<number>;
}

/** Exactly the documented fields, in a stable order: responses send these objects as they are. */
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

const DAY_MS = 86_400_000;

/** The service plus what only the guard uses. */
export interface InternalTokenService extends TokenService {
  /**
   * A cache hit verified without any await, or undefined whenever anything needs the async path
   * (a miss, `allowedScopes`, an older pepper, a revoked or expired token: their answers come from
   * {@link TokenService.verify}, with the failed-authentication limit).
   */
  verifyCached(token: string): PatContext | undefined;
}

/** What the service is built from. */
export interface TokenServiceDependencies {
  readonly store: TokenStore;
  /** The verify path's lookup (the cache in front of the store, or a driver-level lookup). */
  readonly lookup: CachedLookup;
  readonly lastUsed: LastUsedRecorder;
  readonly events: PatEvents;
  /** Resolves once the scope registry is stored; every write waits for it. */
  readonly ready: () => Promise<void>;
}

/** Builds the service. */
export function createTokenService(config: PatConfig, dependencies: TokenServiceDependencies): InternalTokenService {
  const { scopes: registry, peppers, prefix, now } = config;
  const { store, lookup, lastUsed, events, ready } = dependencies;
  const newestPepper: Pepper | undefined = peppers[0];
  if (newestPepper === undefined) throw new TypeError('express-pat: at least one pepper is required.');
  const newest: Pepper = newestPepper;
  const everyScope: ReadonlySet<string> = new Set(registry.list.map((scope) => scope.name));

  /**
   * Expanded scope lists by granted set: apps have few distinct sets, and expanding and sorting
   * on every request showed up in the guard's profile. Bounded by clearing.
   */
  const expandedBySet = new Map<string, readonly string[]>();
  function effectiveScopes(record: TokenRecord, allowed: ReadonlySet<string>): readonly string[] {
    if (allowed === everyScope) {
      const key = record.scopes.join(' ');
      let expanded = expandedBySet.get(key);
      if (expanded === undefined) {
        if (expandedBySet.size >= 1000) expandedBySet.clear();
        // Shared by every request with this set: frozen, so no handler can change another's.
        expanded = Object.freeze([...registry.expand(record.scopes)].sort());
        expandedBySet.set(key, expanded);
      }
      return expanded;
    }
    return [...registry.expand(record.scopes)].filter((scope) => allowed.has(scope)).sort();
  }

  function contextFor(record: TokenRecord, at: Date, allowed: ReadonlySet<string>): PatContext {
    const lastUsedAt = lastUsed.record(record.id, at, record.lastUsedAt);
    return {
      tokenId: record.id,
      userId: record.userId,
      scopes: effectiveScopes(record, allowed),
      token: { ...toMeta(record), lastUsedAt },
    };
  }

  const withLatestUse = (record: TokenRecord): TokenMeta => ({
    ...toMeta(record),
    lastUsedAt: lastUsed.latest(record.id, record.lastUsedAt),
  });

  function issue(fields: Omit<NewTokenRecord, 'digest' | 'hint' | 'pepperId'>): { token: string; record: NewTokenRecord } {
    const token = generateToken(prefix);
    return {
      token,
      record: { ...fields, digest: digestToken(newest.secret, token), pepperId: newest.id, hint: hintOf(prefix, token) },
    };
  }

  /** The scopes `userId` may hold now (implied ones included). A failing callback fails closed. */
  async function scopesOfUser(userId: string): Promise<ReadonlySet<string>> {
    const { allowedScopes } = config;
    if (allowedScopes === undefined) return everyScope;
    return registry.expand(await guarded(() => Promise.resolve(allowedScopes(userId)), config.storeTimeoutMs));
  }

  /** Throws unless every scope in `requested` may be granted by this user (and acting token). */
  async function assertGrantable(userId: string, requested: readonly string[], acting?: ActingToken): Promise<void> {
    const allowed = await scopesOfUser(userId);
    const limit = acting?.via.scopes;
    const refused = requested.filter((scope) => !allowed.has(scope) || (limit !== undefined && !limit.includes(scope)));
    if (refused.length > 0) throw new ScopeNotAllowedError(refused);
  }

  /** A token minted through another token may not outlive it. */
  function assertWithinActingExpiry(expiresAt: Date | null, field: string, acting?: ActingToken): void {
    const limit = acting?.via.token.expiresAt;
    if (limit === undefined || limit === null) return;
    if (expiresAt === null || expiresAt.getTime() > limit.getTime()) {
      throw new ValidationFailedError([
        { field, message: `must not be later than the expiry of the token making the request (${limit.toISOString()})` },
      ]);
    }
  }

  /**
   * The successor keeps the old token's lifetime, within `maxLifetimeDays`; a token without expiry
   * gets the longest lifetime when expiry is required; and through an acting token it never
   * outlives that token (so a token can renew itself without extending its life).
   */
  function successorExpiry(current: TokenRecord, at: Date, acting?: ActingToken): Date | null {
    const capMs = config.maxLifetimeDays * DAY_MS;
    const lifetimeMs =
      current.expiresAt === null
        ? config.requireExpiry
          ? capMs
          : null
        : Math.min(current.expiresAt.getTime() - current.createdAt.getTime(), capMs);
    const own = lifetimeMs === null ? null : new Date(at.getTime() + lifetimeMs);
    const limit = acting?.via.token.expiresAt ?? null;
    if (limit === null) return own;
    return own === null || own.getTime() > limit.getTime() ? limit : own;
  }

  /** @throws NotFoundError when the user has no such token; false when it was revoked already. */
  async function revokeAndAnnounce(record: Pick<TokenRecord, 'id' | 'userId'>, reason: 'user' | 'leak', at: Date): Promise<boolean> {
    const outcome = await store.revoke(record.userId, record.id, at);
    if (outcome === 'not_found') throw new NotFoundError();
    if (outcome !== 'revoked') return false;
    await lookup.invalidate([record.id]);
    events.emit('token.revoked', { tokenId: record.id, userId: record.userId, reason });
    return true;
  }

  /** Finds the token for a presented string, with the index of the pepper that matched. */
  async function findPresented(presented: string): Promise<{ record: DigestedTokenRecord; digests: string[]; pepperIndex: number }> {
    if (!isWellFormedToken(prefix, presented)) throw new TokenInvalidError();
    const digests = peppers.map((pepper) => digestToken(pepper.secret, presented));
    const record = await lookup.findByDigests(digests);
    if (!record) throw new TokenInvalidError();
    const pepperIndex = digests.findIndex((digest) => digestsMatch(record.digest, digest));
    const pepper = peppers[pepperIndex];
    if (pepper === undefined || (record.pepperId !== null && record.pepperId !== pepper.id)) throw new TokenInvalidError();
    return { record, digests, pepperIndex };
  }

  return {
    async create(userId, input, acting) {
      const createdAt = now();
      const valid = validateCreateInput(input, {
        scopes: registry,
        maxLifetimeDays: config.maxLifetimeDays,
        requireExpiry: config.requireExpiry,
        now: createdAt,
      });
      assertWithinActingExpiry(valid.expiresAt, input.expiresAt === undefined ? 'expiresInDays' : 'expiresAt', acting);
      await ready();
      await assertGrantable(userId, valid.scopes, acting);
      if ((await store.countActive(userId, createdAt)) >= config.maxTokensPerUser) {
        throw new TokenLimitReachedError(config.maxTokensPerUser);
      }
      const { token, record } = issue({ userId, ...valid, createdAt });
      const created = await store.insert(record);
      events.emit('token.created', { tokenId: created.id, userId, name: created.name, scopes: created.scopes });
      return { token, ...toMeta(created) };
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
      await revokeAndAnnounce({ id, userId }, 'user', now());
    },

    async revokeAll(userId) {
      const ids = await store.revokeAll(userId, now());
      await lookup.invalidate(ids);
      for (const tokenId of ids) events.emit('token.revoked', { tokenId, userId, reason: 'revoke_all' });
      return ids.length;
    },

    async rotate(userId, id, acting) {
      await ready();
      const current = await store.findOwned(userId, id);
      if (!current) throw new NotFoundError();
      await assertGrantable(userId, current.scopes, acting);
      const expiresAt = successorExpiry(current, now(), acting);
      const rotatedAt = now();
      let token = '';
      const outcome = await store.rotate(userId, id, rotatedAt, (old) => {
        const issued = issue({ userId, name: old.name, scopes: old.scopes, createdAt: rotatedAt, expiresAt });
        token = issued.token;
        return issued.record;
      });
      if (outcome.status === 'not_found') throw new NotFoundError();
      if (outcome.status === 'not_active') throw new TokenNotActiveError();
      await lookup.invalidate([id]);
      events.emit('token.revoked', { tokenId: id, userId, reason: 'rotation' });
      events.emit('token.rotated', { tokenId: outcome.successor.id, previousTokenId: id, userId });
      return { token, ...toMeta(outcome.successor) };
    },

    async verify(presented) {
      const { record, digests, pepperIndex } = await findPresented(presented);
      if (record.revokedAt !== null) throw new TokenRevokedError();
      const at = now();
      if (record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime()) throw new TokenExpiredError();
      if (pepperIndex > 0) {
        await store.redigest(record.id, record.digest, { digest: digests[0] ?? '', pepperId: newest.id });
        await lookup.invalidate([record.id]);
      }
      return contextFor(record, at, config.allowedScopes === undefined ? everyScope : await scopesOfUser(record.userId));
    },

    verifyCached(presented) {
      if (!lookup.serving || config.allowedScopes !== undefined || !isWellFormedToken(prefix, presented)) return undefined;
      const digest = digestToken(newest.secret, presented);
      const record = lookup.peek(digest);
      if (record === undefined || record.revokedAt !== null || !digestsMatch(record.digest, digest)) return undefined;
      if (record.pepperId !== null && record.pepperId !== newest.id) return undefined;
      const at = now();
      if (record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime()) return undefined;
      return contextFor(record, at, everyScope);
    },

    async reportLeaked(tokens) {
      const at = now();
      const wellFormed = [...new Set(tokens)].filter((presented) => isWellFormedToken(prefix, presented));
      if (wellFormed.length === 0) return;
      const digests = wellFormed.flatMap((presented) => peppers.map((pepper) => digestToken(pepper.secret, presented)));
      for (const record of await store.findAllByDigests(digests)) {
        if (record.revokedAt !== null) continue;
        if (await revokeAndAnnounce(record, 'leak', at)) {
          events.emit('token.leaked', { tokenId: record.id, userId: record.userId });
        }
      }
    },

    async pruneExpired(options = {}) {
      const olderThanDays = options.olderThanDays ?? 0;
      if (!Number.isFinite(olderThanDays) || olderThanDays < 0) {
        throw new TypeError('express-pat: pruneExpired({ olderThanDays }) takes a number of days ≥ 0.');
      }
      return store.deleteExpired(new Date(now().getTime() - olderThanDays * DAY_MS));
    },
  };
}
