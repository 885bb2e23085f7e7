import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InsufficientScopeError, InvalidRequestError, PatError, TokenMissingError } from '../errors.js';
import type { PatConfig } from '../options.js';
import type { InternalTokenService, PatContext, PresentedFrom, TokenService } from '../service/token-service.js';
import type { FailureLimiter } from './rate-limit.js';
import { reportAndSend, sendError } from './respond.js';

/** `Bearer <b64token>` (RFC 6750 §2.1); the scheme is case-insensitive. */
const BEARER_HEADER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The guard factory `pat.requireToken`.
 * @param scopes every scope the route needs (implied scopes count); empty for "any valid token".
 */
export type RequireToken = (scopes?: readonly string[]) => RequestHandler;

function looksLikeRequest(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'headers' in value && 'method' in value;
}

/** A client error of the guard that counts as a failed authentication. */
function isAuthenticationFailure(error: unknown): boolean {
  return error instanceof PatError && (error.status === 400 || error.status === 401);
}

/**
 * The client IP (as Express's `trust proxy` resolves it) and user agent of a request. `req.ip`
 * runs proxy-addr over the forwarding headers on every read (≈8 µs of the guard's budget in the
 * benchmark); without `trust proxy` it is the socket's address, read directly.
 */
export function presentedFrom(req: Request): PresentedFrom {
  const ip: string | undefined = req.app.get('trust proxy') === false ? req.socket.remoteAddress : req.ip;
  return { ip, userAgent: req.headers['user-agent'] };
}

/**
 * Reads and verifies the request's bearer token, behind the failed-authentication limit.
 * @throws the guard's `PatError`s, `RateLimitedError` past the limit
 */
export async function authenticateToken(
  req: Request,
  config: PatConfig,
  service: TokenService,
  limiter: FailureLimiter | undefined,
): Promise<PatContext> {
  await limiter?.check(req);
  try {
    const header = req.headers.authorization;
    if (header === undefined) throw new TokenMissingError(config.realm);
    const match = BEARER_HEADER.exec(header);
    if (!match?.[1]) throw new InvalidRequestError();
    return await service.verify(match[1], presentedFrom(req));
  } catch (error) {
    // A missing header is not a failed attempt: browsers and health checks send none.
    if (limiter !== undefined && isAuthenticationFailure(error) && !(error instanceof TokenMissingError)) {
      await limiter.recordFailure(req);
    }
    throw error;
  }
}

/** Builds `requireToken` over the verify use case. */
export function createRequireToken(config: PatConfig, service: InternalTokenService, limiter?: FailureLimiter): RequireToken {
  return function requireToken(...args: unknown[]): RequestHandler {
    const [scopes = []] = args;
    if (looksLikeRequest(scopes) || args.length > 1) {
      throw new TypeError(
        'express-pat: it looks like you wrote `app.use(pat.requireToken)`; call it: `app.use(pat.requireToken(["scope"]))`.',
      );
    }
    if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string')) {
      throw new TypeError('express-pat: requireToken(scopes) takes an array of scope names, e.g. ["notes:read"].');
    }
    const required: string[] = [...new Set(scopes as string[])];
    const unknown = required.find((scope) => !config.scopes.has(scope));
    if (unknown !== undefined) {
      throw new TypeError(`express-pat: requireToken names "${unknown}", which is not in the \`scopes\` option.`);
    }
    const acceptedScopes = required.join(', ');

    /** Lets a verified request through, or answers 403 when a scope is missing. */
    function admit(req: Request, res: Response, next: NextFunction, context: PatContext): void {
      // Something else (a request timeout, a load shedder) answered while the lookup ran.
      if (res.headersSent) return;
      res.set('X-Token-Scopes', context.token.scopes.join(', '));
      if (context.token.expiresAt !== null) res.set('X-Token-Expires-At', context.token.expiresAt.toISOString());
      if (required.some((scope) => !context.scopes.includes(scope))) {
        sendError(res, new InsufficientScopeError(required));
        return;
      }
      req.pat = context;
      next();
    }

    async function verifyAndAdmit(req: Request, res: Response, next: NextFunction): Promise<void> {
      let context: PatContext;
      try {
        context = await authenticateToken(req, config, service, limiter);
      } catch (error) {
        reportAndSend(res, error, config.onStoreError);
        return;
      }
      admit(req, res, next, context);
    }

    return function patRequireToken(req, res, next) {
      if (acceptedScopes !== '') res.set('X-Accepted-Scopes', acceptedScopes);
      // A valid token in the verified-token cache is admitted without a single await (and, doing
      // no lookup, without the failed-authentication check); everything else takes the full path.
      const presented = BEARER_HEADER.exec(req.headers.authorization ?? '')?.[1];
      const cached = presented === undefined ? undefined : service.verifyCached(presented, presentedFrom(req));
      if (cached !== undefined) admit(req, res, next, cached);
      else verifyAndAdmit(req, res, next).catch(next);
    };
  };
}
