/**
 * The route table of `pat.router`: method, path, who may call it, its body, its success answer
 * and every error code it can answer. The router registers its routes from this table, and the
 * OpenAPI document is built from it.
 */
import type { PatConfig } from '../../options.js';
import { createTokenBody, leakReportBody, rotateTokenBody, type BodyDefinition } from './bodies.js';
import { ERROR_CODES, type ErrorCode } from './error-catalog.js';
import type { ResponseSchemaName } from './schemas.js';
import type { HttpMethod } from './types.js';

/** The operations of the management router. */
export type OperationId =
  | 'listScopes'
  | 'introspectSelf'
  | 'reportLeaked'
  | 'createToken'
  | 'listTokens'
  | 'revokeAllTokens'
  | 'getToken'
  | 'revokeToken'
  | 'rotateToken';

/**
 * Who may call a route: anyone (`public`), any valid token (`token`), or a user signed in
 * through `authenticate`, or a token holding `managementScope` when that option is set (`user`).
 */
export type Access = 'public' | 'token' | 'user';

/** One route of the management router. */
export interface RouteSpec {
  readonly operationId: OperationId;
  readonly method: HttpMethod;
  /** Express path syntax, relative to where the router is mounted. */
  readonly path: string;
  readonly summary: string;
  readonly description: string;
  readonly access: Access;
  /** Whether the answer carries `Cache-Control: no-store`. */
  readonly noStore: boolean;
  /** Whether the `management` request limit counts this route. */
  readonly limited: boolean;
  /** The JSON body it reads, if any. */
  readonly body?: BodyDefinition;
  readonly success: {
    readonly status: number;
    readonly description: string;
    readonly schema?: ResponseSchemaName;
    /** Whether the answer carries a `Location` header (of the token it issued). */
    readonly location?: boolean;
  };
  /** Every code it can answer with, in catalog order. */
  readonly errors: readonly ErrorCode[];
}

type RouteDraft = Omit<RouteSpec, 'errors'> & { readonly ownErrors?: readonly ErrorCode[] };

const BODY_ERRORS: readonly ErrorCode[] = ['invalid_json', 'payload_too_large', 'unsupported_media_type', 'validation_failed'];
const TOKEN_ERRORS: readonly ErrorCode[] = ['token_invalid', 'token_expired', 'token_revoked'];

/** Every code `route` can answer with under `config`: its own, and those of its guards and body. */
function errorsOf(route: Omit<RouteSpec, 'errors'>, own: readonly ErrorCode[], config: PatConfig): ErrorCode[] {
  const codes = new Set<ErrorCode>(own);
  if (route.operationId !== 'listScopes') codes.add('store_unavailable');
  if (route.limited && config.managementLimit !== undefined) codes.add('rate_limited');
  if (route.access === 'token') {
    for (const code of ['token_missing', 'invalid_request', ...TOKEN_ERRORS] as const) codes.add(code);
    if (config.failedTokenAuthLimit !== undefined) codes.add('rate_limited');
  }
  if (route.access === 'user') {
    // `passwordAuth` answers invalid_credentials and rate_limited; other `authenticate`s may too.
    for (const code of ['unauthenticated', 'invalid_credentials', 'rate_limited'] as const) codes.add(code);
    if (config.managementScope !== undefined) for (const code of [...TOKEN_ERRORS, 'insufficient_scope'] as const) codes.add(code);
  }
  if (route.body !== undefined) for (const code of BODY_ERRORS) codes.add(code);
  codes.add('internal_error');
  return ERROR_CODES.filter((code) => codes.has(code));
}

/** The routes `pat.router` registers under `config`, in registration order. */
export function managementRoutes(config: PatConfig): RouteSpec[] {
  const manager = { access: 'user', noStore: true, limited: true } as const;
  const drafts: RouteDraft[] = [
    {
      operationId: 'listScopes',
      method: 'get',
      path: '/scopes',
      summary: 'List the registered scopes',
      description: 'For building a scope picker. No authentication.',
      access: 'public',
      noStore: false,
      limited: false,
      success: { status: 200, description: 'The scope registry.', schema: 'ScopeList' },
    },
    {
      operationId: 'introspectSelf',
      method: 'get',
      path: '/self',
      summary: 'Introspect the token the request carries',
      description: 'Answers for the bearer token of the request itself; no user login needed.',
      access: 'token',
      noStore: true,
      limited: false,
      success: { status: 200, description: 'The token is active.', schema: 'SelfIntrospection' },
    },
    ...(config.leakReporting
      ? [
          {
            operationId: 'reportLeaked',
            method: 'post',
            path: '/leaked',
            summary: 'Report leaked tokens',
            description: 'Public: every live token among the strings is revoked. The answer never says which were real.',
            access: 'public',
            noStore: true,
            limited: true,
            body: leakReportBody,
            success: { status: 202, description: 'Received.', schema: 'LeakReportReceipt' },
          } satisfies RouteDraft,
        ]
      : []),
    {
      ...manager,
      operationId: 'createToken',
      method: 'post',
      path: '/',
      summary: 'Create a token',
      description: 'The answer holds the plaintext token: the only time it is ever shown.',
      body: createTokenBody(config),
      success: { status: 201, description: 'Created.', schema: 'IssuedToken', location: true },
      ownErrors: ['scope_not_allowed', 'token_limit_reached'],
    },
    {
      ...manager,
      operationId: 'listTokens',
      method: 'get',
      path: '/',
      summary: "List the caller's active tokens",
      description: 'Neither revoked nor expired, newest first; never the plaintext.',
      success: { status: 200, description: 'The active tokens.', schema: 'TokenList' },
    },
    {
      ...manager,
      operationId: 'revokeAllTokens',
      method: 'delete',
      path: '/',
      summary: 'Revoke every token of the caller',
      description: 'They stop working at once.',
      success: { status: 204, description: 'Revoked.' },
    },
    {
      ...manager,
      operationId: 'getToken',
      method: 'get',
      path: '/:id',
      summary: 'Show one token',
      description: 'Active or not. Another user\'s token answers 404, as an unknown one does.',
      success: { status: 200, description: 'The token.', schema: 'TokenMeta' },
      ownErrors: ['not_found'],
    },
    {
      ...manager,
      operationId: 'revokeToken',
      method: 'delete',
      path: '/:id',
      summary: 'Revoke one token',
      description: 'It stops working at once; revoking twice is not an error.',
      success: { status: 204, description: 'Revoked.' },
      ownErrors: ['not_found'],
    },
    {
      ...manager,
      operationId: 'rotateToken',
      method: 'post',
      path: '/:id/rotate',
      summary: 'Rotate a token',
      description:
        'Issues a successor with the same name, scopes and lifetime and revokes the old token, at once or when ' +
        '`graceSeconds` have passed.',
      body: rotateTokenBody(config),
      success: { status: 201, description: 'The successor.', schema: 'IssuedToken', location: true },
      ownErrors: ['not_found', 'token_not_active', 'scope_not_allowed'],
    },
  ];
  return drafts.map(({ ownErrors = [], ...route }) => ({ ...route, errors: errorsOf(route, ownErrors, config) }));
}
