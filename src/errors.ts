/**
 * Typed outcomes of express-pat. Every error a client can see is a {@link PatError} with a stable
 * `code` (public API: never renamed) and an HTTP status; the HTTP layer renders all of them as
 * `{ "error": { "code", "message", "details"? } }`.
 */

/** One problem with one field of a request, listed in `error.details` of `validation_failed`. */
export interface FieldProblem {
  /** Where the value was: `name`, `scopes[1]`, `expiresAt`, or the unknown field's name. */
  readonly field: string;
  readonly message: string;
}

/** Base class of every outcome express-pat reports to a client. */
export class PatError extends Error {
  /** Stable, machine-readable code, e.g. `token_expired`. */
  readonly code: string;
  /** HTTP status the error is answered with. */
  readonly status: number;
  /** Extra, non-secret data for the client (field problems, required scopes). */
  readonly details?: unknown;
  /** Value of the `WWW-Authenticate` header sent with the error, if any. */
  readonly challenge?: string;

  constructor(
    code: string,
    status: number,
    message: string,
    extra: { details?: unknown; challenge?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    if (extra.details !== undefined) this.details = extra.details;
    if (extra.challenge !== undefined) this.challenge = extra.challenge;
  }
}

const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/** 401 `token_missing`: the request has no `Authorization` header. */
export class TokenMissingError extends PatError {
  constructor(realm: string) {
    super('token_missing', 401, 'This route needs a Personal Access Token: send "Authorization: Bearer <token>".', {
      challenge: `Bearer realm="${realm}"`,
    });
  }
}

/** 400 `invalid_request`: the `Authorization` header is not of the form `Bearer <token>`. */
export class InvalidRequestError extends PatError {
  constructor(message = 'The Authorization header must be of the form "Bearer <token>".') {
    super('invalid_request', 400, message, { challenge: 'Bearer error="invalid_request"' });
  }
}

/** 401 `token_invalid`: wrong format or checksum, or no such token. */
export class TokenInvalidError extends PatError {
  constructor() {
    super('token_invalid', 401, 'The token is not valid.', { challenge: INVALID_TOKEN_CHALLENGE });
  }
}

/** 401 `token_expired`: the token's expiry date has passed. */
export class TokenExpiredError extends PatError {
  constructor() {
    super('token_expired', 401, 'The token has expired.', { challenge: INVALID_TOKEN_CHALLENGE });
  }
}

/** 401 `token_revoked`: the token was revoked (or rotated). */
export class TokenRevokedError extends PatError {
  constructor() {
    super('token_revoked', 401, 'The token has been revoked.', { challenge: INVALID_TOKEN_CHALLENGE });
  }
}

/** 403 `insufficient_scope`: the token is valid but lacks a scope the route needs. */
export class InsufficientScopeError extends PatError {
  constructor(required: readonly string[]) {
    const scope = required.join(' ');
    super('insufficient_scope', 403, `This route needs the scopes: ${required.join(', ')}.`, {
      details: { required },
      challenge: `Bearer error="insufficient_scope", scope="${scope}"`,
    });
  }
}

/** 400 `validation_failed`: the request body or parameters break the documented rules. */
export class ValidationFailedError extends PatError {
  declare readonly details: readonly FieldProblem[];

  constructor(problems: readonly FieldProblem[]) {
    super('validation_failed', 400, 'The request is not valid; see details.', { details: problems });
  }
}

/** 400 `invalid_json`: the body is not well-formed JSON. */
export class InvalidJsonError extends PatError {
  constructor() {
    super('invalid_json', 400, 'The request body is not valid JSON.');
  }
}

/** 413 `payload_too_large`: the body is larger than the route accepts. */
export class PayloadTooLargeError extends PatError {
  constructor(limitBytes?: number) {
    super(
      'payload_too_large',
      413,
      limitBytes === undefined ? 'The request body is too large.' : `The request body is larger than ${limitBytes} bytes.`,
    );
  }
}

/** 415 `unsupported_media_type`: the JSON body's charset or content encoding is not supported. */
export class UnsupportedMediaTypeError extends PatError {
  constructor() {
    super('unsupported_media_type', 415, 'The request body must be application/json.');
  }
}

/** 404 `not_found`: no such token for this user (another user's token looks the same). */
export class NotFoundError extends PatError {
  constructor(what = 'token') {
    super('not_found', 404, `No such ${what}.`);
  }
}

/** 409 `token_not_active`: the token is revoked or expired, so it cannot be rotated. */
export class TokenNotActiveError extends PatError {
  constructor() {
    super('token_not_active', 409, 'Only an active token can be rotated.');
  }
}

/** 401 `unauthenticated`: a token-management route was called without a signed-in user. */
export class UnauthenticatedError extends PatError {
  constructor(challenge?: string) {
    super(
      'unauthenticated',
      401,
      'Sign in to manage tokens.',
      challenge === undefined ? {} : { challenge },
    );
  }
}

/** 401 `invalid_credentials`: wrong email or password (which one is never said). */
export class InvalidCredentialsError extends PatError {
  constructor(challenge: string) {
    super('invalid_credentials', 401, 'The email or password is wrong.', { challenge });
  }
}

/** 503 `store_unavailable`: the database failed; the request was not let through. */
export class StoreUnavailableError extends PatError {
  constructor(cause?: unknown) {
    super('store_unavailable', 503, 'The token store is unavailable; try again shortly.', { cause });
  }
}

/** 500 `internal_error`: an unexpected failure; details stay in the server's logs. */
export class InternalError extends PatError {
  constructor(cause?: unknown) {
    super('internal_error', 500, 'Something went wrong.', { cause });
  }
}

/**
 * 403 `csrf_failed`: a form of the settings page was posted without a valid CSRF token, or from
 * another site (its `Origin` or `Sec-Fetch-Site` says so). Nothing was changed.
 */
export class CsrfError extends PatError {
  constructor() {
    super('csrf_failed', 403, 'The form could not be verified; reload the page and try again.');
  }
}

/**
 * 409 `form_already_submitted`: a create or rotate form of the settings page was posted a second
 * time (a reload re-posting it, a double click). Its token was issued by the first post and shown
 * then, once; nothing was changed by this one.
 */
export class FormAlreadySubmittedError extends PatError {
  constructor() {
    super(
      'form_already_submitted',
      409,
      'This form was already submitted: the token it created was shown then, only once, and cannot be shown again. It is in your list of tokens; if you did not copy it, rotate it or create another.',
    );
  }
}

/** 403 `scope_not_allowed`: the user (or the token making the request) may not grant these scopes. */
export class ScopeNotAllowedError extends PatError {
  constructor(scopes: readonly string[]) {
    super('scope_not_allowed', 403, `You may not grant the scopes: ${scopes.join(', ')}.`, { details: { scopes } });
  }
}

/** 409 `token_limit_reached`: the user has `maxTokensPerUser` active tokens already. */
export class TokenLimitReachedError extends PatError {
  constructor(limit: number) {
    super('token_limit_reached', 409, `You have ${limit} active tokens, the most allowed; revoke one first.`, {
      details: { limit },
    });
  }
}

/** 429 `rate_limited`: too many requests (or failed authentications) from this client. */
export class RateLimitedError extends PatError {
  /** Seconds until the client may try again, sent as `Retry-After`. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('rate_limited', 429, `Too many requests; try again in ${retryAfterSeconds} seconds.`, {
      details: { retryAfterSeconds },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
