/**
 * The one options object of `createPersonalAccessTokens`, and its resolution into a fully filled,
 * validated configuration. Bad options throw a `TypeError` that says how to fix them.
 */
import type { Request } from 'express';
import type { CacheSettings } from './cache/verified-token-cache.js';
import type { InvalidationChannel } from './cache/invalidation.js';
import type { PatPrismaClient } from './store/prisma-client.js';
import type { TokenLookup } from './store/token-store.js';
import type { Store } from 'express-rate-limit';
import { pepperOf, type Pepper } from './token/digest.js';
import { createScopeRegistry, type ScopeDefinition, type ScopeRegistry } from './scopes/registry.js';
import { PREFIX_PATTERN } from './token/format.js';

/**
 * Finds who is managing tokens on a request: returns the user's id, or `null`/`undefined` when
 * nobody is signed in (answered 401 `unauthenticated`). May throw a `PatError` for a more precise
 * answer, as {@link passwordAuth} does.
 */
export type Authenticate = (req: Request) => string | null | undefined | Promise<string | null | undefined>;

/** Options of {@link createPersonalAccessTokens}. */
export interface PersonalAccessTokensOptions {
  /** A Prisma client whose schema holds the express-pat models. Required. */
  readonly prisma: PatPrismaClient;
  /**
   * The app's scope registry: name → description, or `{ description, implies }`. Required.
   * Upserted into the `Scope` table at start-up.
   */
  readonly scopes: Readonly<Record<string, ScopeDefinition>>;
  /**
   * Secret key of the token digest, `HMAC-SHA-256(pepper, token)`; at least 32 characters
   * (e.g. `openssl rand -base64 32`). Required when `NODE_ENV` is `production`; elsewhere a fixed
   * development pepper is used, with a warning. To rotate it, give a list, newest first: tokens
   * digested with an older pepper keep working and are re-digested with the newest on first use.
   */
  readonly pepper?: string | readonly string[] | undefined;
  /**
   * Token prefix, so tokens are recognisable in logs and by secret scanners: a lower-case letter
   * then up to 15 lower-case letters or digits.
   * @default 'pat'
   */
  readonly prefix?: string | undefined;
  /**
   * Who is managing tokens on the management routes.
   * @default reads `req.user.id` (as set by Passport and most session middleware)
   */
  readonly authenticate?: Authenticate | undefined;
  /**
   * Longest lifetime a token may be given, in days. Expiry is optional below this cap (see
   * `requireExpiry`).
   * @default 366
   */
  readonly maxLifetimeDays?: number | undefined;
  /**
   * Whether every token must be given an expiry (`expiresInDays` or `expiresAt`).
   * @default false
   */
  readonly requireExpiry?: boolean | undefined;
  /**
   * Most active (neither revoked nor expired) tokens one user may hold; one more is refused with
   * 409 `token_limit_reached`.
   * @default 10000
   */
  readonly maxTokensPerUser?: number | undefined;
  /**
   * Longest grace period `POST /:id/rotate` accepts (`graceSeconds`): for that long the rotated
   * token keeps working beside its successor, so running jobs are not cut off.
   * @default 604800 (7 days)
   */
  readonly maxRotationGraceSeconds?: number | undefined;
  /**
   * Writes every token lifecycle event (created, rotated, revoked, leaked, used from a new IP,
   * reused after rotation) to the `AuditEvent` table, with who did it, the IP and the user agent;
   * read it back with `pat.tokens.auditTrail()`. A failed audit write is reported to
   * `onStoreError` and never fails the request (the change it records is already committed).
   * @default true
   */
  readonly audit?: boolean | undefined;
  /**
   * Emits `token.expiring` once per threshold for each token that will expire within that many
   * days (GitLab mails at 60, 30 and 7 days), checking every `intervalMinutes` after `ready()`;
   * several instances never send one reminder twice. A token is only reminded at thresholds
   * shorter than its lifetime, so a new 30-day token is not reminded at once. `false` turns the
   * timer off (`pat.tokens.sendExpiryReminders()` still works, e.g. from a cron job).
   * @default { days: [60, 30, 7], intervalMinutes: 60 }
   */
  readonly expiryReminders?:
    | { readonly days?: readonly number[] | undefined; readonly intervalMinutes?: number | undefined }
    | false
    | undefined;
  /**
   * The scopes a user may hold now (implied ones count). Tokens can only be created or rotated
   * with these, and at every request a token's effective scopes are its own ∩ these, so a
   * demoted user's old tokens lose the rights at once. A throwing callback answers 503.
   * @default every registered scope
   */
  readonly allowedScopes?: ((userId: string) => readonly string[] | Promise<readonly string[]>) | undefined;
  /**
   * A registered scope that lets a Personal Access Token manage tokens over the router (e.g.
   * `tokens:write`). Without it, only a user signed in through `authenticate` can. A token can
   * never mint or rotate a token with scopes it lacks itself, nor one that outlives it.
   * @default none: tokens cannot manage tokens
   */
  readonly managementScope?: string | undefined;
  /**
   * Mounts the public `POST /leaked` route, where anyone (a secret scanner, a user) can report up
   * to 100 leaked token strings; every live one is revoked and `token.leaked` is emitted. The
   * answer (202) never says which were real.
   * @default false
   */
  readonly leakReporting?: boolean | undefined;
  /**
   * Per-client-IP limits (see `req.ip` and Express's `trust proxy`): `failedTokenAuth` counts
   * failed token authentications (400/401 from the guard) and answers 429 `rate_limited` before
   * any database lookup once it is reached; `management` counts every request to the management
   * routes. `false` turns a limit off. `store` makes an express-rate-limit `Store` per limiter
   * (e.g. a `rate-limit-redis` store for apps with several instances); each call must return a
   * new store, and `name` suits a key prefix.
   * @default failedTokenAuth 100 per 60 s, management 300 per 60 s, in memory
   */
  readonly rateLimits?:
    | {
        readonly failedTokenAuth?: RateLimitSetting | false | undefined;
        readonly management?: RateLimitSetting | false | undefined;
        readonly store?: ((name: RateLimiterName) => Store) | undefined;
      }
    | undefined;
  /**
   * Longest wait for one database call before answering 503 `store_unavailable`.
   * @default 5000
   */
  readonly storeTimeoutMs?: number | undefined;
  /**
   * Realm named in the `WWW-Authenticate` challenge of a 401 `token_missing`.
   * @default 'express-pat'
   */
  readonly realm?: string | undefined;
  /**
   * `lastUsedAt` is written at most once per token per this many seconds; writes are queued in
   * memory and flushed in batches every second (and by `close()`).
   * @default 60
   */
  readonly lastUsedIntervalSeconds?: number | undefined;
  /**
   * Called with the underlying error whenever the store fails: when a request is answered 503
   * `store_unavailable`, and when a background write (queued `lastUsedAt` values) or an
   * invalidation message fails. The error never contains a plaintext token.
   * @default logs the error's message with `console.error`
   */
  readonly onStoreError?: ((error: unknown) => void) | undefined;
  /**
   * The verified-token cache: an in-process LRU keyed by token digest that saves the database
   * lookup on repeated use. Revoke and rotate evict at once on this instance; give
   * `invalidation` when the app runs as several instances, or they may accept a revoked token
   * for up to `ttlSeconds`. `true` uses the defaults.
   * @default false
   */
  readonly cache?: boolean | { readonly ttlSeconds?: number; readonly maxEntries?: number } | undefined;
  /**
   * Cross-instance cache invalidation, e.g. `postgresInvalidation({ client: () => new pg.Client(url) })`.
   * While its connection is down the cache is bypassed.
   * @default none (single instance)
   */
  readonly invalidation?: InvalidationChannel | undefined;
  /**
   * A faster lookup for the guard's one query, e.g. `sqliteTokenLookup(db)` or
   * `postgresTokenLookup(pool)`, instead of the Prisma query.
   * @default the Prisma client
   */
  readonly lookup?: TokenLookup | undefined;
  /**
   * The clock, for tests that move time (expiry).
   * @default () => new Date()
   */
  readonly now?: (() => Date) | undefined;
}

/** A limit: at most `limit` counted requests per `windowSeconds` per client. */
export interface RateLimitSetting {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** Names of the limiters, passed to the `rateLimits.store` factory. */
export type RateLimiterName = 'failed-token-auth' | 'management' | 'password-auth';

/** A resolved limiter: its setting and a fresh store. */
export interface ResolvedRateLimit extends RateLimitSetting {
  readonly store: Store | undefined;
}

/** The resolved configuration every module reads. */
export interface PatConfig {
  readonly prisma: PatPrismaClient;
  readonly scopes: ScopeRegistry;
  /** Newest first. */
  readonly peppers: readonly Pepper[];
  readonly prefix: string;
  readonly authenticate: Authenticate;
  readonly maxLifetimeDays: number;
  readonly requireExpiry: boolean;
  readonly maxTokensPerUser: number;
  readonly maxRotationGraceSeconds: number;
  readonly audit: boolean;
  /** Reminder thresholds in days, largest first, and the sweep interval (undefined: no timer). */
  readonly expiryReminders: { readonly days: readonly number[]; readonly intervalMs: number | undefined };
  readonly allowedScopes: PersonalAccessTokensOptions['allowedScopes'];
  readonly managementScope: string | undefined;
  readonly leakReporting: boolean;
  readonly failedTokenAuthLimit: ResolvedRateLimit | undefined;
  readonly managementLimit: ResolvedRateLimit | undefined;
  readonly storeTimeoutMs: number;
  readonly realm: string;
  readonly lastUsedIntervalMs: number;
  readonly onStoreError: (error: unknown) => void;
  readonly now: () => Date;
  /** Undefined when the cache is off. */
  readonly cache: CacheSettings | undefined;
  readonly invalidation: InvalidationChannel | undefined;
  readonly lookup: TokenLookup | undefined;
}

const OPTION_NAMES = [
  'prisma',
  'scopes',
  'pepper',
  'prefix',
  'authenticate',
  'maxLifetimeDays',
  'requireExpiry',
  'maxTokensPerUser',
  'maxRotationGraceSeconds',
  'audit',
  'expiryReminders',
  'allowedScopes',
  'managementScope',
  'leakReporting',
  'rateLimits',
  'storeTimeoutMs',
  'realm',
  'lastUsedIntervalSeconds',
  'onStoreError',
  'cache',
  'invalidation',
  'lookup',
  'now',
] as const;

/** Used outside production when no pepper is given. Public knowledge: never use it for real tokens. */
const DEVELOPMENT_PEPPER = 'express-pat-development-pepper-do-not-use-in-production';
const MIN_PEPPER_LENGTH = 32;

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] ?? 0;
      const substitution = diagonal + (a[i - 1] === b[j - 1] ? 0 : 1);
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, substitution);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** `' Did you mean "x"?'` for a misspelt name, or an empty string. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` Did you mean "${best}"?`;
}

function readUserIdFromRequest(req: Request): string | undefined {
  const user: unknown = (req as Request & { user?: unknown }).user;
  if (typeof user !== 'object' || user === null || !('id' in user)) return undefined;
  const { id } = user;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`express-pat: \`${name}\` must be a positive whole number; got ${String(value)}.`);
  }
  return value;
}

const DEFAULT_REMINDER_DAYS = [60, 30, 7];
/** `setInterval` turns a delay over 2³¹−1 ms (≈ 24.8 days) into 1 ms. */
const MAX_REMINDER_INTERVAL_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

function reminderIntervalMs(minutes: number | undefined): number {
  const value = positiveInteger('expiryReminders.intervalMinutes', minutes, 60);
  if (value > MAX_REMINDER_INTERVAL_MINUTES) {
    throw new TypeError(`express-pat: \`expiryReminders.intervalMinutes\` must be at most ${MAX_REMINDER_INTERVAL_MINUTES} (about 24 days).`);
  }
  return value * 60_000;
}

function resolveExpiryReminders(setting: PersonalAccessTokensOptions['expiryReminders']): PatConfig['expiryReminders'] {
  if (setting === false) return { days: DEFAULT_REMINDER_DAYS, intervalMs: undefined };
  const given = setting ?? {};
  if (typeof given !== 'object' || given === null) {
    throw new TypeError('express-pat: `expiryReminders` must be false or { days, intervalMinutes }.');
  }
  rejectUnknownKeys('`expiryReminders`', given, ['days', 'intervalMinutes']);
  const days = given.days ?? DEFAULT_REMINDER_DAYS;
  if (!Array.isArray(days) || days.length === 0 || !days.every((day) => Number.isInteger(day) && day > 0)) {
    throw new TypeError('express-pat: `expiryReminders.days` must be a non-empty list of whole numbers of days, e.g. [60, 30, 7].');
  }
  return {
    days: [...new Set(days)].sort((a, b) => b - a),
    intervalMs: reminderIntervalMs(given.intervalMinutes),
  };
}

function resolveCache(cache: PersonalAccessTokensOptions['cache']): CacheSettings | undefined {
  if (cache === undefined || cache === false) return undefined;
  const settings = cache === true ? {} : cache;
  if (typeof settings !== 'object' || settings === null) {
    throw new TypeError('express-pat: `cache` must be true, false or { ttlSeconds, maxEntries }.');
  }
  return {
    ttlMs: positiveInteger('cache.ttlSeconds', settings.ttlSeconds, 10) * 1000,
    maxEntries: positiveInteger('cache.maxEntries', settings.maxEntries, 10_000),
  };
}

function requireMethods<T>(name: string, value: T | undefined, methods: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === 'object' && value !== null && methods.every((method) => method in value);
  if (!ok) throw new TypeError(`express-pat: \`${name}\` must have the methods ${methods.join(', ')}.`);
  return value;
}

function checkedPepper(pepper: unknown): string {
  if (typeof pepper !== 'string' || pepper.length < MIN_PEPPER_LENGTH) {
    throw new TypeError(
      `express-pat: \`pepper\` must be a secret string of at least ${MIN_PEPPER_LENGTH} characters (e.g. openssl rand -base64 32).`,
    );
  }
  return pepper;
}

function resolvePeppers(pepper: PersonalAccessTokensOptions['pepper']): Pepper[] {
  if (Array.isArray(pepper)) {
    // A list is a rotation: every entry must be a real pepper, never the development fallback.
    if (pepper.length === 0) throw new TypeError('express-pat: `pepper` must not be an empty list.');
    const peppers = pepper.map((one: unknown) => pepperOf(checkedPepper(one)));
    if (new Set(peppers.map((one) => one.id)).size !== peppers.length) {
      throw new TypeError('express-pat: `pepper` lists the same pepper twice.');
    }
    return peppers;
  }
  return [pepperOf(resolvePepper(pepper as string | undefined))];
}

/**
 * Validates one limit setting (`false` turns it off) and makes its store.
 * @throws TypeError for anything but `{ limit, windowSeconds }` of positive whole numbers, or false.
 */
export function resolveRateLimit(
  name: RateLimiterName,
  setting: RateLimitSetting | false | undefined,
  fallback: RateLimitSetting,
  store: ((name: RateLimiterName) => Store) | undefined,
): ResolvedRateLimit | undefined {
  if (setting === false) return undefined;
  const chosen: unknown = setting ?? fallback;
  if (typeof chosen !== 'object' || chosen === null || Array.isArray(chosen)) {
    throw new TypeError(`express-pat: the \`${name}\` rate limit must be { limit, windowSeconds } or false.`);
  }
  rejectUnknownKeys(`the \`${name}\` rate limit`, chosen, ['limit', 'windowSeconds']);
  const { limit, windowSeconds } = chosen as Partial<RateLimitSetting>;
  if (store !== undefined && typeof store !== 'function') {
    throw new TypeError('express-pat: a rate-limit store option must be a function (name) => new Store(), one store per limiter.');
  }
  return {
    limit: positiveInteger(`${name} limit`, limit, fallback.limit),
    windowSeconds: positiveInteger(`${name} windowSeconds`, windowSeconds, fallback.windowSeconds),
    store: store?.(name),
  };
}

/** @throws TypeError naming an unknown key of `value`, with a suggestion. */
export function rejectUnknownKeys(what: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`express-pat: unknown key \`${key}\` in ${what}.${didYouMean(key, known)}`);
  }
}

function optionalBoolean(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`express-pat: \`${name}\` must be true or false.`);
  return value;
}

function resolvePepper(pepper: string | undefined): string {
  if (pepper === undefined || pepper === '') {
    if (process.env.NODE_ENV === 'production') {
      throw new TypeError(
        'express-pat: `pepper` is required in production. Set it from a secret, e.g. PAT_PEPPER=$(openssl rand -base64 32).',
      );
    }
    process.emitWarning('express-pat: no `pepper` given; using the public development pepper. Never do this in production.', {
      code: 'EXPRESS_PAT_DEV_PEPPER',
    });
    return DEVELOPMENT_PEPPER;
  }
  return checkedPepper(pepper);
}

/**
 * Validates `options` and fills in every default. Never mutates `options`.
 * @throws TypeError naming the option to fix.
 */
export function resolveOptions(options: PersonalAccessTokensOptions): PatConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('express-pat: createPersonalAccessTokens(options) needs an options object with `prisma` and `scopes`.');
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new TypeError(`express-pat: unknown option \`${key}\`.${didYouMean(key, OPTION_NAMES)}`);
    }
  }
  const { prisma } = options;
  if (typeof prisma !== 'object' || prisma === null || !('personalAccessToken' in prisma) || !('scope' in prisma)) {
    throw new TypeError(
      'express-pat: `prisma` must be a PrismaClient whose schema holds the express-pat models (PersonalAccessToken, Scope); see the README.',
    );
  }
  if (options.scopes === undefined) {
    throw new TypeError('express-pat: `scopes` is required, e.g. { "notes:read": "Read your notes" }.');
  }
  const prefix = options.prefix ?? 'pat';
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(
      `express-pat: \`prefix\` must be a lower-case letter then up to 15 lower-case letters or digits (like "pat"); got "${String(prefix)}".`,
    );
  }
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw new TypeError('express-pat: `authenticate` must be a function (req) => userId.');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('express-pat: `now` must be a function returning a Date.');
  }
  if (options.onStoreError !== undefined && typeof options.onStoreError !== 'function') {
    throw new TypeError('express-pat: `onStoreError` must be a function (error) => void.');
  }
  const realm = options.realm ?? 'express-pat';
  if (typeof realm !== 'string' || !/^[\x20-\x7e]+$/.test(realm) || realm.includes('"')) {
    throw new TypeError('express-pat: `realm` must be printable ASCII without double quotes.');
  }
  const scopes = createScopeRegistry(options.scopes);
  const { managementScope } = options;
  if (managementScope !== undefined && !scopes.has(managementScope)) {
    throw new TypeError(
      `express-pat: \`managementScope\` "${String(managementScope)}" must be one of the \`scopes\`, e.g. "tokens:write": "Manage your tokens".`,
    );
  }
  if (options.allowedScopes !== undefined && typeof options.allowedScopes !== 'function') {
    throw new TypeError('express-pat: `allowedScopes` must be a function (userId) => scope names.');
  }
  const rateLimits = options.rateLimits ?? {};
  rejectUnknownKeys('`rateLimits`', rateLimits, ['failedTokenAuth', 'management', 'store']);
  return {
    prisma,
    scopes,
    peppers: resolvePeppers(options.pepper),
    prefix,
    authenticate: options.authenticate ?? readUserIdFromRequest,
    maxLifetimeDays: positiveInteger('maxLifetimeDays', options.maxLifetimeDays, 366),
    requireExpiry: optionalBoolean('requireExpiry', options.requireExpiry),
    maxTokensPerUser: positiveInteger('maxTokensPerUser', options.maxTokensPerUser, 10_000),
    maxRotationGraceSeconds: positiveInteger('maxRotationGraceSeconds', options.maxRotationGraceSeconds, 604_800),
    audit: options.audit === undefined ? true : optionalBoolean('audit', options.audit),
    expiryReminders: resolveExpiryReminders(options.expiryReminders),
    allowedScopes: options.allowedScopes,
    managementScope,
    leakReporting: optionalBoolean('leakReporting', options.leakReporting),
    failedTokenAuthLimit: resolveRateLimit(
      'failed-token-auth',
      rateLimits.failedTokenAuth,
      { limit: 100, windowSeconds: 60 },
      rateLimits.store,
    ),
    managementLimit: resolveRateLimit('management', rateLimits.management, { limit: 300, windowSeconds: 60 }, rateLimits.store),
    storeTimeoutMs: positiveInteger('storeTimeoutMs', options.storeTimeoutMs, 5000),
    realm,
    lastUsedIntervalMs: positiveInteger('lastUsedIntervalSeconds', options.lastUsedIntervalSeconds, 60) * 1000,
    onStoreError:
      options.onStoreError ??
      ((error: unknown) => {
        console.error(`express-pat: token store unavailable: ${error instanceof Error ? error.message : String(error)}`);
      }),
    now: options.now ?? (() => new Date()),
    cache: resolveCache(options.cache),
    invalidation: requireMethods('invalidation', options.invalidation, ['subscribe', 'publish', 'close']),
    lookup: requireMethods('lookup', options.lookup, ['findByDigests']),
  };
}
