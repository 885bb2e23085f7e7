import type { ErrorRequestHandler, Router } from 'express';
import { CachedLookup } from './cache/cached-lookup.js';
import { createEvents, type PatEventHandler, type PatEventName } from './events.js';
import { failureLimiter } from './http/rate-limit.js';
import { createRequireToken, type RequireToken } from './http/require-token.js';
import { createErrorHandler } from './http/respond.js';
import { createTokenRouter } from './http/router.js';
import { buildOpenApiDocument, type OpenApiOptions } from './http/openapi/document.js';
import type { OpenApiDocument } from './http/openapi/types.js';
import { createSettingsRouter } from './http/settings/router.js';
import type { SettingsPageOptions } from './http/settings/options.js';
import { resolveOptions, type PersonalAccessTokensOptions } from './options.js';
import type { ScopeInfo } from './scopes/registry.js';
import { AuditTrail } from './service/audit-trail.js';
import { LastUsedRecorder } from './service/last-used-recorder.js';
import { createAdminService, type AdminService } from './service/admin-service.js';
import { createTokenService, type TokenService } from './service/token-service.js';
import { guarded } from './store/guarded.js';
import { PrismaTokenStore } from './store/prisma-token-store.js';
import type { TokenLookup } from './store/token-store.js';
import { tokenPattern } from './token/format.js';

/** What {@link createPersonalAccessTokens} returns. */
export interface PersonalAccessTokens {
  /**
   * The management routes; mount it where you like.
   * @example app.use('/tokens', pat.router);
   */
  readonly router: Router;
  /**
   * Middleware guarding a route: the request needs a valid token holding every listed scope.
   * @example app.get('/notes', pat.requireToken(['notes:read']), (req, res) => res.json(req.pat));
   */
  readonly requireToken: RequireToken;
  /**
   * Error handler for the app's own routes, answering in express-pat's JSON error shape
   * (`PatError`s, bad JSON bodies; anything else 500 `internal_error` without a stack trace).
   * @example app.use(pat.errorHandler); // after your routes
   */
  readonly errorHandler: ErrorRequestHandler;
  /**
   * A new router serving the token settings page: a signed-in user (the `authenticate` option)
   * lists their tokens, creates one with scope checkboxes and an expiry picker (shown once, with a
   * copy button), and rotates (optionally keeping the old token working for a grace period) or
   * revokes one after a confirmation step. Server-rendered HTML with a strict CSP; every form post
   * needs its CSRF token (403 `csrf_failed` otherwise), and a create or rotate form works once
   * (a reload re-posting it gets 409 `form_already_submitted`). Anonymous visitors get 401 with
   * the authenticator's challenge. Mount it apart from {@link router}.
   * @throws TypeError when an option is unknown or wrong.
   * @example app.use('/settings/tokens', pat.settingsPage({ title: 'API tokens' }));
   */
  settingsPage(options?: SettingsPageOptions): Router;
  /** The token use cases without HTTP: create, list, get, revoke, rotate, verify, prune… */
  readonly tokens: TokenService;
  /**
   * Administration across users, for operators (the `express-pat` CLI uses it): list every
   * user's tokens, revoke a token by id without knowing its owner. Revocations take the same path
   * as the API's (events, cache eviction on every instance). Never expose it to end users.
   * @example for (const token of await pat.admin.list()) console.log(token.userId, token.name);
   */
  readonly admin: AdminService;
  /**
   * The OpenAPI 3.1 document of {@link router}, built from the same route table and validation
   * rules the router uses, for this configuration (scopes, lifetime cap, `requireExpiry`,
   * `leakReporting`, `managementScope`, token prefix). A fresh plain object on every call.
   * @throws TypeError when an option is unknown or wrong.
   * @example app.get('/openapi.json', (req, res) => res.json(pat.openapi({ basePath: '/tokens' })));
   */
  openapi(options?: OpenApiOptions): OpenApiDocument;
  /** The registered scopes. */
  readonly scopes: readonly ScopeInfo[];
  /** Matches this app's tokens in any text (global flag), for secret scanning. */
  readonly tokenPattern: RegExp;
  /**
   * Subscribes to a lifecycle event (`token.created`, `token.rotated`, `token.revoked`,
   * `token.leaked`). Handlers run after the change is committed; a failing handler is logged
   * with `console.error` and never affects the request.
   * @example pat.on('token.revoked', ({ tokenId, reason }) => audit.log('revoked', tokenId, reason));
   */
  on<E extends PatEventName>(event: E, handler: PatEventHandler<E>): void;
  /** Removes a handler added with {@link PersonalAccessTokens.on}. */
  off<E extends PatEventName>(event: E, handler: PatEventHandler<E>): void;
  /**
   * Stores the scope registry in the `Scope` table (done once; retried after a failure) and
   * starts listening on the `invalidation` channel and the `expiryReminders` timer. Token writes
   * wait for the scopes anyway: await it at start-up to fail fast when the database is unreachable.
   */
  ready(): Promise<void>;
  /**
   * Stops the reminder timer, writes the queued last uses and background audit entries, and
   * closes the invalidation channel. Call it on shutdown, before disconnecting Prisma.
   */
  close(): Promise<void>;
}

/**
 * Creates Personal Access Tokens for an Express app. Runs no I/O until a request or `ready()`.
 * @throws TypeError when an option is missing or wrong, saying how to fix it.
 * @example
 * const pat = createPersonalAccessTokens({
 *   prisma,
 *   pepper: process.env.PAT_PEPPER,
 *   scopes: {
 *     'notes:read': 'Read your notes',
 *     'notes:write': { description: 'Create and edit notes', implies: ['notes:read'] },
 *   },
 * });
 * app.use('/tokens', pat.router);
 * app.get('/notes', pat.requireToken(['notes:read']), listNotes);
 */
export function createPersonalAccessTokens(options: PersonalAccessTokensOptions): PersonalAccessTokens {
  const config = resolveOptions(options);
  const store = new PrismaTokenStore(config.prisma, config.storeTimeoutMs);
  const customLookup = config.lookup;
  const timedLookup: TokenLookup =
    customLookup === undefined
      ? store
      : { findByDigests: (digests) => guarded(() => customLookup.findByDigests(digests), config.storeTimeoutMs) };
  const lookup = new CachedLookup(timedLookup, config.cache, config.invalidation, config.onStoreError, () =>
    config.now().getTime(),
  );
  const lastUsed = new LastUsedRecorder(store, config.lastUsedIntervalMs, config.onStoreError);
  const events = createEvents((error) => console.error('express-pat: an event handler failed', error));
  let synced: Promise<void> | undefined;
  const syncScopes = (): Promise<void> => {
    synced ??= store.syncScopes(config.scopes.list).catch((error: unknown) => {
      synced = undefined;
      throw error;
    });
    return synced;
  };
  const audit = new AuditTrail(store, config.audit, config.onStoreError, config.now);
  const tokens = createTokenService(config, { store, lookup, lastUsed, events, audit, ready: syncScopes });
  const tokenFailures = config.failedTokenAuthLimit === undefined ? undefined : failureLimiter(config.failedTokenAuthLimit);
  const requireToken = createRequireToken(config, tokens, tokenFailures);
  return {
    router: createTokenRouter(config, { service: tokens, requireToken, tokenFailures }),
    requireToken,
    errorHandler: createErrorHandler(config.onStoreError),
    settingsPage: (settings) => createSettingsRouter(config, tokens, settings),
    openapi: (openApiOptions) => buildOpenApiDocument(config, openApiOptions),
    tokens,
    admin: createAdminService({ store, tokens, lastUsed, now: config.now }),
    scopes: config.scopes.list,
    tokenPattern: tokenPattern(config.prefix),
    on: events.on,
    off: events.off,
    async ready() {
      await Promise.all([syncScopes(), lookup.start()]);
      tokens.startReminders();
    },
    async close() {
      await tokens.stopReminders();
      await Promise.all([lastUsed.flush(), audit.drain()]);
      await lookup.close();
    },
  };
}
