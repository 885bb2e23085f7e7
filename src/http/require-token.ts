import type { RequestHandler } from 'express';
import { InsufficientScopeError, InvalidRequestError, TokenMissingError } from '../errors.js';
import type { PatConfig } from '../options.js';
import type { TokenService } from '../service/token-service.js';
import { reportAndSend } from './respond.js';

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

/** Builds `requireToken` over the verify use case. */
export function createRequireToken(config: PatConfig, service: TokenService): RequireToken {
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

    return async function patRequireToken(req, res, next) {
      if (acceptedScopes !== '') res.set('X-Accepted-Scopes', acceptedScopes);
      try {
        const header = req.headers.authorization;
        if (header === undefined) throw new TokenMissingError(config.realm);
        const match = BEARER_HEADER.exec(header);
        if (!match?.[1]) throw new InvalidRequestError();
        const context = await service.verify(match[1]);
        res.set('X-Token-Scopes', context.token.scopes.join(', '));
        if (required.some((scope) => !context.scopes.includes(scope))) {
          throw new InsufficientScopeError(required);
        }
        req.pat = context;
      } catch (error) {
        reportAndSend(res, error, config.onStoreError);
        return;
      }
      next();
    };
  };
}
