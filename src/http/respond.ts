/**
 * Renders outcomes as HTTP: one JSON error shape, RFC 6750 challenges, and the mapping of
 * body-parser and unexpected errors to typed `PatError`s.
 */
import type { ErrorRequestHandler, Response } from 'express';
import {
  InternalError,
  InvalidJsonError,
  NotFoundError,
  PatError,
  PayloadTooLargeError,
  RateLimitedError,
  StoreUnavailableError,
  UnsupportedMediaTypeError,
} from '../errors.js';
import type { PatConfig } from '../options.js';

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** Largest JSON body the management routes accept. */
export const JSON_BODY_LIMIT = '16kb';

/**
 * Whether `error` is what Express's router passes on when a path parameter has malformed
 * percent-encoding (`/tokens/%zz`): a URIError with status 400 whose message holds the raw path.
 * No token has such an id; never log the error (the path may hold anything).
 */
export function isMalformedPathParameter(error: unknown): boolean {
  return error instanceof URIError && 'status' in error && error.status === 400;
}

function bodyParserError(error: unknown): PatError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (isMalformedPathParameter(error)) return new NotFoundError();
  if (!('type' in error)) {
    // body-parser: a gzip/deflate/br body that does not inflate is a zlib error with status 400.
    const clientError = 'status' in error && error.status === 400 && 'expose' in error && error.expose === true;
    return clientError ? new InvalidJsonError() : undefined;
  }
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError('limit' in error && typeof error.limit === 'number' ? error.limit : undefined);
    case 'entity.parse.failed':
      return new InvalidJsonError();
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError();
    default:
      return undefined;
  }
}

/** Any thrown value as a `PatError`: unknown failures become 500 `internal_error`. */
export function toPatError(error: unknown): PatError {
  if (error instanceof PatError) return error;
  return bodyParserError(error) ?? new InternalError(error);
}

/** Sends `error` as `{ error: { code, message, details? } }` with its status and challenge. */
export function sendError(res: Response, error: PatError): void {
  setErrorHeaders(res, error);
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  res.status(error.status).json(body);
}

/** The headers an error's answer carries: its authentication challenge, and `Retry-After`. */
export function setErrorHeaders(res: Response, error: PatError): void {
  if (error.challenge !== undefined) res.set('WWW-Authenticate', error.challenge);
  if (error instanceof RateLimitedError) res.set('Retry-After', String(error.retryAfterSeconds));
}

/**
 * The `PatError` to answer `thrown` with, after reporting what must be reported: store outages to
 * `onStoreError`, unexpected errors to `console.error`.
 */
export function reportedPatError(thrown: unknown, onStoreError: PatConfig['onStoreError']): PatError {
  const error = toPatError(thrown);
  if (error instanceof StoreUnavailableError) onStoreError(error.cause ?? error);
  else if (error instanceof InternalError) console.error('express-pat: unexpected error', error.cause);
  return error;
}

/** Reports what must be reported (store outages, unexpected errors), then sends the error. */
export function reportAndSend(res: Response, thrown: unknown, onStoreError: PatConfig['onStoreError']): void {
  const error = reportedPatError(thrown, onStoreError);
  // Another middleware may have answered while the store was slow; there is nothing left to say.
  if (!res.headersSent) sendError(res, error);
}

/**
 * An Express error handler answering in express-pat's JSON error shape: `PatError`s with their
 * status and code, malformed or oversized JSON bodies as 400 `invalid_json` / 413
 * `payload_too_large`, anything else as 500 `internal_error` without a stack trace.
 */
export function createErrorHandler(onStoreError: PatConfig['onStoreError']): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    reportAndSend(res, error, onStoreError);
  };
}
