/**
 * express-pat: Personal Access Tokens for Express apps, stored with Prisma.
 * @packageDocumentation
 */
import './http/express-augment.js';

export { createPersonalAccessTokens, type PersonalAccessTokens } from './create-personal-access-tokens.js';
export type { Authenticate, PersonalAccessTokensOptions, RateLimiterName, RateLimitSetting } from './options.js';
export type { PatEventHandler, PatEventMap, PatEventName, RevocationReason } from './events.js';
export { passwordAuth, hashPassword, type PasswordAuthOptions } from './auth/password-auth.js';
export type { RequireToken } from './http/require-token.js';
export { rejectInvalidRequest, requireJsonObject } from './http/validation.js';
export type { ErrorBody } from './http/respond.js';
export type { OpenApiOptions } from './http/openapi/document.js';
export type {
  HttpMethod,
  JsonSchema,
  JsonType,
  JsonValue,
  OpenApiDocument,
  OpenApiHeader,
  OpenApiMediaType,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiResponse,
  OpenApiSecurityRequirement,
  OpenApiSecurityScheme,
} from './http/openapi/types.js';
export type { SettingsPageOptions } from './http/settings/options.js';
export type {
  CallContext,
  ExpiringToken,
  IssuedToken,
  PatContext,
  PresentedFrom,
  RotateOptions,
  TokenMeta,
  TokenService,
} from './service/token-service.js';
export type { AuditActor, AuditEvent } from './service/audit-trail.js';
export type { CreateTokenInput } from './service/token-input.js';
export type { AdminListOptions, AdminRevokeResult, AdminService, AdminTokenMeta, TokenStatus } from './service/admin-service.js';
export type { ScopeDefinition, ScopeInfo } from './scopes/registry.js';
export type {
  PatPrismaClient,
  PatPrismaUserClient,
  PatScopeDelegate,
  PatTokenDelegate,
  PatTransactionClient,
  PatUserDelegate,
} from './store/prisma-client.js';
export { isWellFormedToken, tokenPattern } from './token/format.js';
export type { InvalidationChannel, InvalidationHandlers } from './cache/invalidation.js';
export {
  postgresInvalidation,
  type PgListenClient,
  type PostgresInvalidationOptions,
} from './cache/postgres-invalidation.js';
export { sqliteTokenLookup, type SqliteDatabase } from './store/lookups/sqlite-lookup.js';
export { postgresTokenLookup, type PgQueryable } from './store/lookups/postgres-lookup.js';
export type { DigestedTokenRecord, TokenLookup, TokenRecord } from './store/token-store.js';
export {
  CsrfError,
  FormAlreadySubmittedError,
  InsufficientScopeError,
  InternalError,
  InvalidCredentialsError,
  InvalidJsonError,
  InvalidRequestError,
  NotFoundError,
  PatError,
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
  type FieldProblem,
} from './errors.js';
