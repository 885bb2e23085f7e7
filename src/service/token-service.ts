/**
 * The token use cases — create, list, get, rotate, revoke, verify, leak reports, pruning — with
 * no HTTP in sight. `pat.tokens` is this service; the router and `requireToken` are thin layers.
 */
import { randomUUID } from 'node:crypto';
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
import type { PatEvents, RevocationReason } from '../events.js';
import type { PatConfig } from '../options.js';
import type { DigestedTokenRecord, NewTokenRecord, TokenRecord, TokenStore } from '../store/token-store.js';
import { guarded } from '../store/guarded.js';
import { digestToken, digestsMatch, type Pepper } from '../token/digest.js';
import { generateToken, hintOf, isWellFormedToken } from '../token/format.js';
import { USER_AGENT_MAX_LENGTH, type AuditActor, type AuditEvent, type AuditRecord, type AuditTrail } from './audit-trail.js';
import type { LastUsedRecorder, UseOrigin } from './last-used-recorder.js';
import { DAY_MS, graceSecondsProblem, validateCreateInput, type CreateTokenInput } from './token-input.js';
import { expiredAt, stoppedAt } from './token-state.js';

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
  /** Client IP of the last recorded use (as `req.ip` saw it: set Express's `trust proxy`). */
  readonly lastUsedIp: string | null;
  /** `User-Agent` of the last recorded use, at most 256 characters. */
  readonly lastUsedUserAgent: string | null;
  /**
   * When the token stopped working; a future instant while the grace period of a rotation runs
   * (the token works until then). Null while live.
   */
  readonly revokedAt: Date | null;
  /** Id of the first token of its rotation family (its own id unless it was made by a rotation). */
  readonly familyId: string;
  /** The token that replaced this one in a rotation, if any. */
  readonly replacedById: string | null;
}

/** A token found by {@link TokenService.expiringWithin}, with its owner. */
export interface ExpiringToken extends TokenMeta {
  readonly userId: string;
  readonly expiresAt: Date;
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
 * Who makes a token-management call, for the audit trail and for the limits on tokens that
 * manage tokens. Every field is optional: without any, the call is the user's own.
 */
export interface CallContext {
  /**
   * The Personal Access Token making the call instead of a signed-in user (see the
   * `managementScope` option): what it mints can never be broader or longer-lived than itself.
   */
  readonly via?: PatContext | undefined;
  /** Set by operator tools (the CLI, `pat.admin`): recorded as actor `admin`. */
  readonly admin?: boolean | undefined;
  /** Client IP and user agent, recorded in the audit trail. */
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

/** Options of {@link TokenService.rotate}. */
export interface RotateOptions {
  /**
   * How long the rotated token keeps working beside its successor, in whole seconds,
   * 0..`maxRotationGraceSeconds`.
   * @default 0
   */
  readonly graceSeconds?: number | undefined;
}

/** Where a presented token came from, when it came over HTTP. */
export interface PresentedFrom {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

/** The token use cases, available as `pat.tokens`. */
export interface TokenService {
  /**
   * Creates a token for `userId`.
   * @throws ValidationFailedError (`validation_failed`), ScopeNotAllowedError (`scope_not_allowed`),
   * TokenLimitReachedError (`token_limit_reached`), StoreUnavailableError (`store_unavailable`)
   */
  create(userId: string, input: CreateTokenInput, caller?: CallContext): Promise<IssuedToken>;
  /**
   * The user's tokens that still work (neither revoked nor expired; a rotated token in its grace
   * period included), newest first.
   */
  list(userId: string): Promise<TokenMeta[]>;
  /**
   * One of the user's tokens, active or not.
   * @throws NotFoundError (`not_found`) also when the token belongs to someone else.
   */
  get(userId: string, id: string): Promise<TokenMeta>;
  /**
   * Revokes one of the user's tokens; it stops working at once. Revoking twice is not an error.
   * @returns true when this call revoked it, false when it had already stopped working
   * @throws NotFoundError (`not_found`)
   */
  revoke(userId: string, id: string, caller?: CallContext): Promise<boolean>;
  /** Revokes every token of the user; returns how many were revoked. */
  revokeAll(userId: string, caller?: CallContext): Promise<number>;
  /**
   * Issues a new token with the same name, scopes and lifetime, in the same rotation family, and
   * in the same transaction stops the old one: at once, or after `graceSeconds`. A token can be
   * rotated once; presenting it after it stopped emits `token.reused`.
   * @throws NotFoundError (`not_found`), TokenNotActiveError (`token_not_active`, also for a token
   * already rotated), ScopeNotAllowedError (`scope_not_allowed`), ValidationFailedError
   * (`validation_failed`, bad `graceSeconds`)
   */
  rotate(userId: string, id: string, options?: RotateOptions, caller?: CallContext): Promise<IssuedToken>;
  /**
   * Checks a presented token: format and checksum first (no database), then one indexed lookup
   * by digest (or a cache hit). Queues `lastUsedAt`, written at most once per token per interval.
   * A token digested with an older pepper is re-digested with the newest. Given `from`, records
   * the IP and user agent and emits `token.used_from_new_ip` when the IP changed.
   * @throws TokenInvalidError, TokenExpiredError, TokenRevokedError, StoreUnavailableError
   */
  verify(token: string, from?: PresentedFrom): Promise<PatContext>;
  /**
   * Revokes every live token among `tokens` (strings found in a leak), without telling which
   * were real. Emits `token.leaked` for each.
   */
  reportLeaked(tokens: readonly string[], from?: PresentedFrom): Promise<void>;
  /** Deletes tokens that expired more than `olderThanDays` ago (default 0); returns how many. */
  pruneExpired(options?: { readonly olderThanDays?: number }): Promise<number>;
  /**
   * Every user's working tokens that expire within `days` days, soonest first: for reminder
   * mails (or use the `token.expiring` event).
   * @throws TypeError when `days` is not a positive number
   */
  expiringWithin(days: number): Promise<ExpiringToken[]>;
  /**
   * Emits `token.expiring` for every token that crossed a reminder threshold (the
   * `expiryReminders.days` option) since its last reminder; returns how many were sent. Runs on
   * a timer after `ready()` unless `expiryReminders` is false; call it from a cron job otherwise.
   */
  sendExpiryReminders(): Promise<number>;
  /**
   * The audit trail, newest first, by token owner and/or token id.
   * @default limit 100 (at most 1000)
   */
  auditTrail(filter?: { readonly userId?: string; readonly tokenId?: string; readonly limit?: number }): Promise<AuditEvent[]>;
}

/**
 * Exactly the documented fields, in a stable order: responses send these objects as they are.
 * `use` replaces the stored last use (built in one object: this runs on every guarded request).
 */
export function toMeta(
  record: TokenRecord,
  use: Pick<TokenMeta, 'lastUsedAt' | 'lastUsedIp' | 'lastUsedUserAgent'> = record,
): TokenMeta {
  return {
    id: record.id,
    name: record.name,
    hint: record.hint,
    scopes: record.scopes,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    lastUsedAt: use.lastUsedAt,
    lastUsedIp: use.lastUsedIp,
    lastUsedUserAgent: use.lastUsedUserAgent,
    revokedAt: record.revokedAt,
    familyId: record.familyId ?? record.id,
    replacedById: record.replacedById,
  };
}


function originOf(from: PresentedFrom | undefined): UseOrigin | undefined {
  if (from?.ip === undefined) return undefined;
  return { ip: from.ip, userAgent: from.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) };
}

/** The audit fields of a caller. */
function auditedCaller(caller: CallContext | undefined): Pick<AuditRecord, 'actor' | 'actorTokenId' | 'ip' | 'userAgent'> {
  const actor: AuditActor = caller?.admin === true ? 'admin' : caller?.via !== undefined ? 'token' : 'user';
  return { actor, actorTokenId: caller?.via?.tokenId, ip: caller?.ip, userAgent: caller?.userAgent };
}


/** The service plus what only the guard uses. */
export interface InternalTokenService extends TokenService {
  /**
   * A cache hit verified without any await, or undefined whenever anything needs the async path
   * (a miss, `allowedScopes`, an older pepper, a revoked or expired token: their answers come from
   * {@link TokenService.verify}, with the failed-authentication limit).
   */
  verifyCached(token: string, from?: PresentedFrom): PatContext | undefined;
  /** Starts the expiry reminder timer (when configured): a sweep now, then one per interval. */
  startReminders(): void;
  /** Stops the timer; resolves once a running sweep has finished. */
  stopReminders(): Promise<void>;
}

/** What the service is built from. */
export interface TokenServiceDependencies {
  readonly store: TokenStore;
  /** The verify path's lookup (the cache in front of the store, or a driver-level lookup). */
  readonly lookup: CachedLookup;
  readonly lastUsed: LastUsedRecorder;
  readonly events: PatEvents;
  readonly audit: AuditTrail;
  /** Resolves once the scope registry is stored; every write waits for it. */
  readonly ready: () => Promise<void>;
}

/** Builds the service. */
export function createTokenService(config: PatConfig, dependencies: TokenServiceDependencies): InternalTokenService {
  const { scopes: registry, peppers, prefix, now } = config;
  const { store, lookup, lastUsed, events, audit, ready } = dependencies;
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

  function contextFor(record: TokenRecord, at: Date, allowed: ReadonlySet<string>, from: PresentedFrom | undefined): PatContext {
    const origin = originOf(from);
    const use = lastUsed.record(record, at, origin);
    if (use.newIpAfter !== undefined && origin?.ip !== undefined) announceNewIp(record, origin, use.newIpAfter);
    return {
      tokenId: record.id,
      userId: record.userId,
      scopes: effectiveScopes(record, allowed),
      token: toMeta(
        record,
        origin === undefined
          ? { lastUsedAt: use.lastUsedAt, lastUsedIp: record.lastUsedIp, lastUsedUserAgent: record.lastUsedUserAgent }
          : { lastUsedAt: use.lastUsedAt, lastUsedIp: origin.ip ?? null, lastUsedUserAgent: origin.userAgent ?? null },
      ),
    };
  }

  /** Off the request's path: the event, then the audit row in the background. */
  function announceNewIp(record: TokenRecord, origin: UseOrigin, previousIp: string | null): void {
    const ip = origin.ip ?? '';
    const userAgent = origin.userAgent ?? null;
    events.emit('token.used_from_new_ip', { tokenId: record.id, userId: record.userId, ip, previousIp, userAgent });
    audit.recordInBackground({
      action: 'token.used_from_new_ip',
      userId: record.userId,
      actor: 'system',
      tokenId: record.id,
      ip,
      userAgent: origin.userAgent,
      details: { previousIp },
    });
  }

  const withLatestUse = (record: TokenRecord): TokenMeta => toMeta(record, lastUsed.latest(record));

  function issue(fields: Omit<NewTokenRecord, 'id' | 'familyId' | 'digest' | 'hint' | 'pepperId'>, familyId?: string): {
    token: string;
    record: NewTokenRecord;
  } {
    const token = generateToken(prefix);
    const id = randomUUID();
    return {
      token,
      record: {
        ...fields,
        id,
        familyId: familyId ?? id,
        digest: digestToken(newest.secret, token),
        pepperId: newest.id,
        hint: hintOf(prefix, token),
      },
    };
  }

  /** The scopes `userId` may hold now (implied ones included). A failing callback fails closed. */
  async function scopesOfUser(userId: string): Promise<ReadonlySet<string>> {
    const { allowedScopes } = config;
    if (allowedScopes === undefined) return everyScope;
    return registry.expand(await guarded(() => Promise.resolve(allowedScopes(userId)), config.storeTimeoutMs));
  }

  /** Throws unless every scope in `requested` may be granted by this user (and acting token). */
  async function assertGrantable(userId: string, requested: readonly string[], caller?: CallContext): Promise<void> {
    const allowed = await scopesOfUser(userId);
    const limit = caller?.via?.scopes;
    const refused = requested.filter((scope) => !allowed.has(scope) || (limit !== undefined && !limit.includes(scope)));
    if (refused.length > 0) throw new ScopeNotAllowedError(refused);
  }

  /** A token minted through another token may not outlive it. */
  function assertWithinActingExpiry(expiresAt: Date | null, field: string, caller?: CallContext): void {
    const limit = caller?.via?.token.expiresAt;
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
  function successorExpiry(current: TokenRecord, at: Date, caller?: CallContext): Date | null {
    const capMs = config.maxLifetimeDays * DAY_MS;
    const lifetimeMs =
      current.expiresAt === null
        ? config.requireExpiry
          ? capMs
          : null
        : Math.min(current.expiresAt.getTime() - current.createdAt.getTime(), capMs);
    const own = lifetimeMs === null ? null : new Date(at.getTime() + lifetimeMs);
    const limit = caller?.via?.token.expiresAt ?? null;
    if (limit === null) return own;
    return own === null || own.getTime() > limit.getTime() ? limit : own;
  }

  /** Emits `token.revoked` and records it, for each of `tokenIds`. */
  async function announceRevoked(
    userId: string,
    tokenIds: readonly string[],
    reason: RevocationReason,
    at: Date,
    by: Pick<AuditRecord, 'actor' | 'actorTokenId' | 'ip' | 'userAgent'>,
  ): Promise<void> {
    for (const tokenId of tokenIds) events.emit('token.revoked', { tokenId, userId, reason, at });
    await audit.record(
      ...tokenIds.map((tokenId) => ({ action: 'token.revoked', userId, tokenId, ...by, details: { reason, at: at.toISOString() } })),
    );
  }

  /** @throws NotFoundError when the user has no such token; false when it was revoked already. */
  async function revokeAndAnnounce(
    record: Pick<TokenRecord, 'id' | 'userId'>,
    reason: 'user' | 'admin' | 'leak',
    at: Date,
    by: Pick<AuditRecord, 'actor' | 'actorTokenId' | 'ip' | 'userAgent'>,
  ): Promise<boolean> {
    const outcome = await store.revoke(record.userId, record.id, at);
    if (outcome === 'not_found') throw new NotFoundError();
    if (outcome !== 'revoked') return false;
    await lookup.invalidate([record.id]);
    await announceRevoked(record.userId, [record.id], reason, at, by);
    return true;
  }

  /** When each reused token was last reported (bounded), so a replaying client is reported once per interval. */
  const reuseReportedAt = new Map<string, number>();

  /**
   * A rotated token presented after it stopped: refused, and reported at most once per token per
   * `lastUsedIntervalSeconds` (a forgotten cron job replaying it must not write a row a request).
   */
  async function reportReuse(record: TokenRecord, from: PresentedFrom | undefined): Promise<void> {
    if (record.replacedById === null) return;
    const atMs = now().getTime();
    const reported = reuseReportedAt.get(record.id);
    if (reported !== undefined && atMs - reported < config.lastUsedIntervalMs) return;
    if (reuseReportedAt.size >= 10_000) reuseReportedAt.clear();
    reuseReportedAt.set(record.id, atMs);
    const familyId = record.familyId ?? record.id;
    const ip = from?.ip ?? null;
    const userAgent = from?.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null;
    events.emit('token.reused', { tokenId: record.id, userId: record.userId, familyId, replacedById: record.replacedById, ip, userAgent });
    await audit.record({
      action: 'token.reused',
      userId: record.userId,
      actor: 'system',
      tokenId: record.id,
      ip: from?.ip,
      userAgent: from?.userAgent,
      details: { familyId, replacedById: record.replacedById },
    });
  }

  /** The reminder threshold a token is due for now, or undefined. */
  function dueThreshold(record: TokenRecord & { readonly expiresAt: Date }, noticeDays: number | null, at: Date): number | undefined {
    const remainingMs = record.expiresAt.getTime() - at.getTime();
    const lifetimeMs = record.expiresAt.getTime() - record.createdAt.getTime();
    let due: number | undefined;
    for (const days of config.expiryReminders.days) {
      if (remainingMs <= days * DAY_MS && lifetimeMs > days * DAY_MS) due = days;
    }
    if (due === undefined || (noticeDays !== null && noticeDays <= due)) return undefined;
    return due;
  }

  let reminderTimer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();

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
    async create(userId, input, caller) {
      const createdAt = now();
      const valid = validateCreateInput(input, {
        scopes: registry,
        maxLifetimeDays: config.maxLifetimeDays,
        requireExpiry: config.requireExpiry,
        now: createdAt,
      });
      assertWithinActingExpiry(valid.expiresAt, input.expiresAt === undefined ? 'expiresInDays' : 'expiresAt', caller);
      await ready();
      await assertGrantable(userId, valid.scopes, caller);
      if ((await store.countActive(userId, createdAt)) >= config.maxTokensPerUser) {
        throw new TokenLimitReachedError(config.maxTokensPerUser);
      }
      const { token, record } = issue({ userId, ...valid, createdAt });
      const created = await store.insert(record);
      events.emit('token.created', { tokenId: created.id, userId, name: created.name, scopes: created.scopes });
      await audit.record({
        action: 'token.created',
        userId,
        tokenId: created.id,
        ...auditedCaller(caller),
        details: { name: created.name, scopes: created.scopes, expiresAt: created.expiresAt?.toISOString() ?? null },
      });
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

    async revoke(userId, id, caller) {
      return revokeAndAnnounce({ id, userId }, caller?.admin === true ? 'admin' : 'user', now(), auditedCaller(caller));
    },

    async revokeAll(userId, caller) {
      const at = now();
      const ids = await store.revokeAll(userId, at);
      await lookup.invalidate(ids);
      await announceRevoked(userId, ids, 'revoke_all', at, auditedCaller(caller));
      return ids.length;
    },

    async rotate(userId, id, options = {}, caller) {
      // A caller passing `{ via }` here (the third argument before grace periods existed) would
      // otherwise lose the acting token's limits without a word.
      if (typeof options !== 'object' || options === null || Object.keys(options).some((key) => key !== 'graceSeconds')) {
        throw new TypeError(
          'express-pat: rotate(userId, id, options, caller): options take only `graceSeconds`; pass an acting token as the fourth argument, { via }.',
        );
      }
      const graceSeconds = options.graceSeconds ?? 0;
      const problem = graceSecondsProblem(graceSeconds, config.maxRotationGraceSeconds);
      if (problem !== undefined) throw new ValidationFailedError([{ field: 'graceSeconds', message: problem }]);
      await ready();
      const current = await store.findOwned(userId, id);
      if (!current) throw new NotFoundError();
      await assertGrantable(userId, current.scopes, caller);
      const rotatedAt = now();
      const expiresAt = successorExpiry(current, rotatedAt, caller);
      const stopsAt = new Date(rotatedAt.getTime() + graceSeconds * 1000);
      let token = '';
      const outcome = await store.rotate(userId, id, rotatedAt, stopsAt, (old) => {
        const issued = issue(
          { userId, name: old.name, scopes: old.scopes, createdAt: rotatedAt, expiresAt },
          old.familyId ?? old.id,
        );
        token = issued.token;
        return issued.record;
      });
      if (outcome.status === 'not_found') throw new NotFoundError();
      if (outcome.status === 'not_active') throw new TokenNotActiveError();
      await lookup.invalidate([id]);
      const { successor } = outcome;
      const familyId = successor.familyId ?? id;
      const by = auditedCaller(caller);
      await announceRevoked(userId, [id], 'rotation', stopsAt, by);
      events.emit('token.rotated', { tokenId: successor.id, previousTokenId: id, userId, familyId, previousStopsAt: stopsAt });
      await audit.record({
        action: 'token.rotated',
        userId,
        tokenId: successor.id,
        ...by,
        details: { previousTokenId: id, familyId, graceSeconds },
      });
      return { token, ...toMeta(successor) };
    },

    async verify(presented, from) {
      const { record, digests, pepperIndex } = await findPresented(presented);
      const at = now();
      if (stoppedAt(record, at)) {
        await reportReuse(record, from);
        throw new TokenRevokedError();
      }
      if (expiredAt(record, at)) throw new TokenExpiredError();
      if (pepperIndex > 0) {
        await store.redigest(record.id, record.digest, { digest: digests[0] ?? '', pepperId: newest.id });
        await lookup.invalidate([record.id]);
      }
      return contextFor(record, at, config.allowedScopes === undefined ? everyScope : await scopesOfUser(record.userId), from);
    },

    verifyCached(presented, from) {
      if (!lookup.serving || config.allowedScopes !== undefined || !isWellFormedToken(prefix, presented)) return undefined;
      const digest = digestToken(newest.secret, presented);
      const record = lookup.peek(digest);
      if (record === undefined || !digestsMatch(record.digest, digest)) return undefined;
      if (record.pepperId !== null && record.pepperId !== newest.id) return undefined;
      const at = now();
      if (stoppedAt(record, at) || expiredAt(record, at)) return undefined;
      return contextFor(record, at, everyScope, from);
    },

    async reportLeaked(tokens, from) {
      const at = now();
      const wellFormed = [...new Set(tokens)].filter((presented) => isWellFormedToken(prefix, presented));
      if (wellFormed.length === 0) return;
      const digests = wellFormed.flatMap((presented) => peppers.map((pepper) => digestToken(pepper.secret, presented)));
      for (const record of await store.findAllByDigests(digests)) {
        if (stoppedAt(record, at)) continue;
        const by = { actor: 'system', ip: from?.ip, userAgent: from?.userAgent } as const;
        if (await revokeAndAnnounce(record, 'leak', at, by)) {
          events.emit('token.leaked', { tokenId: record.id, userId: record.userId });
          await audit.record({ action: 'token.leaked', userId: record.userId, tokenId: record.id, ...by });
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

    async expiringWithin(days) {
      if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) {
        throw new TypeError('express-pat: expiringWithin(days) takes a number of days > 0.');
      }
      const at = now();
      const records = await store.listExpiring(at, new Date(at.getTime() + days * DAY_MS));
      return records.flatMap((record) => {
        const { expiresAt } = record;
        return expiresAt === null ? [] : [{ ...withLatestUse(record), userId: record.userId, expiresAt }];
      });
    },

    async sendExpiryReminders() {
      const at = now();
      const [longest] = config.expiryReminders.days;
      if (longest === undefined) return 0;
      let sent = 0;
      for (const record of await store.listExpiring(at, new Date(at.getTime() + longest * DAY_MS))) {
        const { expiresAt } = record;
        if (expiresAt === null) continue;
        const withinDays = dueThreshold({ ...record, expiresAt }, record.expiryNoticeDays, at);
        if (withinDays === undefined || !(await store.claimExpiryNotice(record.id, withinDays))) continue;
        events.emit('token.expiring', { tokenId: record.id, userId: record.userId, name: record.name, expiresAt, withinDays });
        sent += 1;
      }
      return sent;
    },

    async auditTrail(filter = {}) {
      const limit = filter.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new TypeError('express-pat: auditTrail({ limit }) takes a whole number from 1 to 1000.');
      }
      return store.listAudit({ userId: filter.userId, tokenId: filter.tokenId, limit });
    },

    startReminders() {
      const { intervalMs } = config.expiryReminders;
      if (intervalMs === undefined || reminderTimer !== undefined) return;
      const sweep = (): void => {
        sweeping = sweeping.then(() => this.sendExpiryReminders()).then(() => undefined, config.onStoreError);
      };
      reminderTimer = setInterval(sweep, intervalMs).unref();
      sweep();
    },

    async stopReminders() {
      clearInterval(reminderTimer);
      reminderTimer = undefined;
      await sweeping;
    },
  };
}
