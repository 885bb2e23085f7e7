import type { ErrorRequestHandler, Router } from 'express';
import { createTokenRouter } from './http/router.js';
import { createRequireToken, type RequireToken } from './http/require-token.js';
import { createErrorHandler } from './http/respond.js';
import { resolveOptions, type PersonalAccessTokensOptions } from './options.js';
import type { ScopeInfo } from './scopes/registry.js';
import { createTokenService, type TokenService } from './service/token-service.js';
import { PrismaTokenStore } from './store/prisma-token-store.js';
import { CachedLookup } from './cache/cached-lookup.js';
import { LastUsedRecorder } from './service/last-used-recorder.js';
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
  /** The token use cases without HTTP: create, list, get, revoke, rotate, verify. */
  readonly tokens: TokenService;
  /**
   * Error handler for the app's own routes, answering in express-pat's JSON error shape
   * (`PatError`s, bad JSON bodies; anything else 500 `internal_error` without a stack trace).
   * @example app.use(pat.errorHandler); // after your routes
   */
  readonly errorHandler: ErrorRequestHandler;
  /** The registered scopes. */
  readonly scopes: readonly ScopeInfo[];
  /** Matches this app's tokens in any text (global flag), for secret scanning. */
  readonly tokenPattern: RegExp;
  /**
   * Stores the scope registry in the `Scope` table (done once; retried after a failure) and
   * starts listening on the `invalidation` channel. Token writes wait for the scopes anyway:
   * await it at start-up to fail fast when the database is unreachable.
   */
  ready(): Promise<void>;
  /**
   * Writes the queued `lastUsedAt` values and closes the invalidation channel. Call it on
   * shutdown, before disconnecting Prisma.
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
  const store = new PrismaTokenStore(config.prisma);
  const lookup = new CachedLookup(config.lookup ?? store, config.cache, config.invalidation, config.onStoreError, () =>
    config.now().getTime(),
  );
  const lastUsed = new LastUsedRecorder(store, config.lastUsedIntervalMs, config.onStoreError);
  let synced: Promise<void> | undefined;
  const syncScopes = (): Promise<void> => {
    synced ??= store.syncScopes(config.scopes.list).catch((error: unknown) => {
      synced = undefined;
      throw error;
    });
    return synced;
  };
  const tokens = createTokenService(config, { store, lookup, lastUsed, ready: syncScopes });
  const requireToken = createRequireToken(config, tokens);
  return {
    router: createTokenRouter(config, tokens, requireToken),
    requireToken,
    errorHandler: createErrorHandler(config.onStoreError),
    tokens,
    scopes: config.scopes.list,
    tokenPattern: tokenPattern(config.prefix),
    async ready() {
      await Promise.all([syncScopes(), lookup.start()]);
    },
    async close() {
      await lastUsed.flush();
      await lookup.close();
    },
  };
}
