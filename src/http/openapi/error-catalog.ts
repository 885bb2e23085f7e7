/**
 * Every error code the management routes can answer, with the status it is answered with. The
 * status (and an example message) comes from an instance of the class in `errors.ts`, so the
 * document can never disagree with what is sent.
 */
import {
  InsufficientScopeError,
  InternalError,
  InvalidCredentialsError,
  InvalidJsonError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ScopeNotAllowedError,
  StoreUnavailableError,
  TokenExpiredError,
  TokenInvalidError,
  TokenLimitReachedError,
  TokenMissingError,
  TokenNotActiveError,
  TokenRevokedError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationFailedError,
  type PatError,
} from '../../errors.js';

const SAMPLES = {
  token_missing: () => new TokenMissingError('express-pat'),
  invalid_request: () => new InvalidRequestError(),
  token_invalid: () => new TokenInvalidError(),
  token_expired: () => new TokenExpiredError(),
  token_revoked: () => new TokenRevokedError(),
  insufficient_scope: () => new InsufficientScopeError(['tokens:write']),
  unauthenticated: () => new UnauthenticatedError(),
  invalid_credentials: () => new InvalidCredentialsError('Basic'),
  validation_failed: () => new ValidationFailedError([]),
  invalid_json: () => new InvalidJsonError(),
  payload_too_large: () => new PayloadTooLargeError(),
  unsupported_media_type: () => new UnsupportedMediaTypeError(),
  not_found: () => new NotFoundError(),
  token_not_active: () => new TokenNotActiveError(),
  scope_not_allowed: () => new ScopeNotAllowedError(['notes:write']),
  token_limit_reached: () => new TokenLimitReachedError(10),
  rate_limited: () => new RateLimitedError(60),
  store_unavailable: () => new StoreUnavailableError(),
  internal_error: () => new InternalError(),
} satisfies Record<string, () => PatError>;

/** A stable error code a management route can answer with. */
export type ErrorCode = keyof typeof SAMPLES;

/** Every code of the catalog, in a stable order. */
export const ERROR_CODES = Object.keys(SAMPLES) as ErrorCode[];

/** An instance of the error answered with `code` (for its status and a typical message). */
export function sampleError(code: ErrorCode): PatError {
  return SAMPLES[code]();
}
