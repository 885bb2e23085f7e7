/**
 * Rate limits on express-rate-limit. Two kinds:
 * - request limits (`management`): the library's own middleware, counting every request;
 * - failure limits (`failedTokenAuth`, `passwordAuth`): only failures count, and once a client
 *   is over the limit it is answered 429 before anything else runs (no database lookup). Counting
 *   only failures means a busy honest client is never limited by its successful requests, however
 *   many run at once.
 */
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import { RateLimitedError, StoreUnavailableError } from '../errors.js';
import type { ResolvedRateLimit } from '../options.js';

/** Keys of recently seen addresses: masking an IPv6 address costs ~7 µs, a lookup here ~0.1. */
const keysByAddress = new Map<string, string>();
const MAX_REMEMBERED_ADDRESSES = 10_000;

/** The client key: its IP address (IPv6 grouped by /56, as express-rate-limit recommends). */
export function clientKey(req: Request): string {
  const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  let key = keysByAddress.get(address);
  if (key === undefined) {
    if (keysByAddress.size >= MAX_REMEMBERED_ADDRESSES) keysByAddress.clear();
    key = ipKeyGenerator(address);
    keysByAddress.set(address, key);
  }
  return key;
}

function retryAfterSeconds(resetTime: Date | undefined, windowSeconds: number): number {
  if (resetTime === undefined) return windowSeconds;
  return Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000));
}

/** A limiter's store failing (Redis down) refuses the request with 503, like any store failure. */
function storeFailure(error: unknown): unknown {
  return error instanceof RateLimitedError || error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
}

/** Counts every request; past the limit answers 429 `rate_limited` with `Retry-After`. */
export function requestLimiter(setting: ResolvedRateLimit): RequestHandler {
  const limiter = rateLimit({
    windowMs: setting.windowSeconds * 1000,
    limit: setting.limit,
    keyGenerator: clientKey,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(setting.store === undefined ? {} : { store: setting.store }),
    handler: (req, _res, next, options) => {
      const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
      next(new RateLimitedError(retryAfterSeconds(info?.resetTime, options.windowMs / 1000)));
    },
  });
  return (req, res, next) =>
    Promise.resolve(limiter(req, res, (error?: unknown) => next(error === undefined ? undefined : storeFailure(error)))).catch(
      (error: unknown) => next(storeFailure(error)),
    );
}

/** A limit on failures: check before the work, record after a failure. */
export interface FailureLimiter {
  /** @throws RateLimitedError when the client already failed `limit` times in the window. */
  check(req: Request): Promise<void>;
  /** Counts one failure of the client. */
  recordFailure(req: Request): Promise<void>;
}

/**
 * @throws TypeError when the store cannot be read without counting (no `get`): the check before
 * a lookup needs it.
 */
export function failureLimiter(setting: ResolvedRateLimit): FailureLimiter {
  if (setting.store !== undefined && typeof setting.store.get !== 'function') {
    throw new TypeError('express-pat: a failure limit needs a rate-limit store with a get() method (MemoryStore, rate-limit-redis).');
  }
  // The middleware is only used to count (its handler never answers), so the increment, windows
  // and stores all stay express-rate-limit's.
  const counter: RateLimitRequestHandler = rateLimit({
    windowMs: setting.windowSeconds * 1000,
    limit: setting.limit,
    keyGenerator: clientKey,
    standardHeaders: false,
    legacyHeaders: false,
    ...(setting.store === undefined ? {} : { store: setting.store }),
    handler: (_req, _res, next) => next(),
  });
  return {
    async check(req) {
      const info = await Promise.resolve()
        .then(() => counter.getKey(clientKey(req)))
        .catch((error: unknown) => {
          throw storeFailure(error);
        });
      if (info !== undefined && info.totalHits >= setting.limit) {
        throw new RateLimitedError(retryAfterSeconds(info.resetTime, setting.windowSeconds));
      }
    },
    async recordFailure(req) {
      const res = (req as Request & { res?: Parameters<RequestHandler>[1] }).res;
      if (res === undefined) return;
      await new Promise<void>((resolve, reject) => {
        const fail = (error: unknown): void => reject(storeFailure(error));
        void Promise.resolve(counter(req, res, (error?: unknown) => (error ? fail(error) : resolve()))).catch(fail);
      });
    },
  };
}
