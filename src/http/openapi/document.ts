/**
 * Builds the OpenAPI 3.1 document of the management router from its route table, body
 * definitions and response schemas, for one configuration: registered scopes, lifetime cap,
 * `requireExpiry`, `leakReporting`, `managementScope` and the token prefix all show in it.
 */
import type { PatConfig } from '../../options.js';
import { rejectUnknownKeys } from '../../options.js';
import { bodySchema } from './bodies.js';
import { sampleError, type ErrorCode } from './error-catalog.js';
import { CHECKSUM_LENGTH, RANDOM_LENGTH } from '../../token/format.js';
import { managementRoutes, type RouteSpec } from './routes.js';
import { plaintextTokenPattern, responseSchemas } from './schemas.js';
import type {
  JsonSchema,
  OpenApiDocument,
  OpenApiHeader,
  OpenApiOperation,
  OpenApiResponse,
  OpenApiSecurityRequirement,
  OpenApiSecurityScheme,
} from './types.js';

/** Options of `pat.openapi()`. */
export interface OpenApiOptions {
  /**
   * The server's base URL, listed under `servers` (e.g. `https://api.example.com`).
   * @default none: no `servers` entry
   */
  readonly serverUrl?: string | undefined;
  /**
   * Where the router is mounted (`app.use('/tokens', pat.router)` → `'/tokens'`); prefixed to every path.
   * @default '' (mounted at the root)
   */
  readonly basePath?: string | undefined;
  /** @default 'Personal Access Tokens' */
  readonly title?: string | undefined;
  /** Version of the document (`info.version`). @default '1.0.0' */
  readonly version?: string | undefined;
  /**
   * How the app's `authenticate` recognises a signed-in user, as an OpenAPI security scheme: e.g.
   * `{ type: 'http', scheme: 'basic' }` with `passwordAuth`, `{ type: 'apiKey', in: 'cookie', name: 'sid' }`
   * for a session cookie. express-pat cannot know it: without it, the routes that need a signed-in
   * user say so in their description and in `x-express-pat-access: user`.
   * @default none
   */
  readonly loginScheme?: OpenApiSecurityScheme | undefined;
}

const OPTION_NAMES = ['serverUrl', 'basePath', 'title', 'version', 'loginScheme'];
const JSON_TYPE = 'application/json';
const ERROR_REF = '#/components/schemas/Error';
const TOKEN_SCHEME = 'personalAccessToken';
const LOGIN_SCHEME = 'login';

function optionalString(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new TypeError(`express-pat: openapi({ ${name} }) must be a string.`);
  return value;
}

/** The mount path without its trailing slash; '' for the root. */
function resolveBasePath(value: unknown): string {
  const basePath = optionalString('basePath', value) ?? '';
  if (basePath !== '' && !basePath.startsWith('/')) {
    throw new TypeError(`express-pat: openapi({ basePath }) must start with "/", like "/tokens"; got "${basePath}".`);
  }
  return basePath.replace(/\/+$/, '');
}

/** `/:id/rotate` under `/tokens` → `/tokens/{id}/rotate`. */
function documentPath(basePath: string, path: string): string {
  const joined = `${basePath}${path === '/' ? '' : path}`.replace(/:([A-Za-z_]\w*)/g, '{$1}');
  return joined === '' ? '/' : joined;
}

const header = (description: string, schema: JsonSchema = { type: 'string' }): OpenApiHeader => ({ description, schema });

function successResponse(route: RouteSpec): OpenApiResponse {
  const headers: Record<string, OpenApiHeader> = {};
  if (route.noStore) headers['Cache-Control'] = header('Always `no-store`.', { const: 'no-store' });
  if (route.success.location) headers.Location = header('The URL of the token issued.');
  const { schema } = route.success;
  return {
    description: route.success.description,
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    ...(schema === undefined ? {} : { content: { [JSON_TYPE]: { schema: { $ref: `#/components/schemas/${schema}` } } } }),
  };
}

function errorResponse(codes: readonly ErrorCode[]): OpenApiResponse {
  const samples = codes.map(sampleError);
  const headers: Record<string, OpenApiHeader> = {};
  if (samples.some((error) => error.challenge !== undefined)) {
    headers['WWW-Authenticate'] = header('An RFC 6750 challenge, with the codes that carry one.');
  }
  if (codes.includes('rate_limited')) headers['Retry-After'] = header('Seconds to wait (with `rate_limited`).', { type: 'integer' });
  return {
    description: samples.map((error) => `\`${error.code}\`: ${error.message}`).join(' '),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    content: {
      [JSON_TYPE]: {
        schema: { $ref: ERROR_REF, properties: { error: { properties: { code: { enum: [...codes] } } } } },
      },
    },
  };
}

/** The error responses of a route, one per status, each listing its codes. */
function errorResponses(codes: readonly ErrorCode[]): Record<string, OpenApiResponse> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = sampleError(code).status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [String(status), errorResponse(list)]));
}

function securityOf(route: RouteSpec, config: PatConfig, hasLogin: boolean): { security?: OpenApiSecurityRequirement[]; note: string } {
  switch (route.access) {
    case 'public':
      return { security: [], note: 'Anyone may call it.' };
    case 'token':
      return { security: [{ [TOKEN_SCHEME]: [] }], note: 'Needs a valid Personal Access Token (any scope).' };
    case 'user': {
      const { managementScope } = config;
      const security: OpenApiSecurityRequirement[] = [
        ...(hasLogin ? [{ [LOGIN_SCHEME]: [] }] : []),
        ...(managementScope === undefined ? [] : [{ [TOKEN_SCHEME]: [managementScope] }]),
      ];
      const note =
        "Needs a user signed in through the app's login (the `authenticate` option)" +
        (managementScope === undefined ? '.' : `, or a Personal Access Token holding \`${managementScope}\` acting for its user.`);
      return { ...(security.length === 0 ? {} : { security }), note };
    }
  }
}

function operationOf(route: RouteSpec, config: PatConfig, hasLogin: boolean): OpenApiOperation {
  const { security, note } = securityOf(route, config, hasLogin);
  const { body } = route;
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description} ${note}`,
    ...(route.path.includes(':id')
      ? { parameters: [{ name: 'id', in: 'path', required: true, description: "The token's id.", schema: { type: 'string' } }] }
      : {}),
    ...(body === undefined
      ? {}
      : {
          requestBody: {
            description: body.description,
            required: !body.optional,
            content: { [JSON_TYPE]: { schema: { $ref: `#/components/schemas/${body.name}` } } },
          },
        }),
    responses: { [String(route.success.status)]: successResponse(route), ...errorResponses(route.errors) },
    ...(security === undefined ? {} : { security }),
    'x-express-pat-access': route.access,
  };
}

/**
 * The OpenAPI 3.1 document of `pat.router` under `config`.
 * @throws TypeError for an unknown option or a `basePath` that does not start with "/".
 */
export function buildOpenApiDocument(config: PatConfig, options: OpenApiOptions = {}): OpenApiDocument {
  if (typeof options !== 'object' || options === null) throw new TypeError('express-pat: openapi(options) takes an options object.');
  rejectUnknownKeys('openapi(options)', options, OPTION_NAMES);
  const basePath = resolveBasePath(options.basePath);
  const serverUrl = optionalString('serverUrl', options.serverUrl);
  const { loginScheme } = options;
  if (loginScheme !== undefined && (typeof loginScheme !== 'object' || loginScheme === null || typeof loginScheme.type !== 'string')) {
    throw new TypeError("express-pat: openapi({ loginScheme }) must be an OpenAPI security scheme, e.g. { type: 'http', scheme: 'basic' }.");
  }
  const routes = managementRoutes(config);
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  for (const route of routes) {
    const path = documentPath(basePath, route.path);
    paths[path] = { ...paths[path], [route.method]: operationOf(route, config, loginScheme !== undefined) };
  }
  const bodies = routes.flatMap((route) => (route.body === undefined ? [] : [route.body]));
  const tokenFormat = plaintextTokenPattern(config.prefix);
  return {
    openapi: '3.1.0',
    info: {
      title: optionalString('title', options.title) ?? 'Personal Access Tokens',
      version: optionalString('version', options.version) ?? '1.0.0',
      description: 'Create, list, rotate and revoke Personal Access Tokens (express-pat). Errors share one shape: `{ error: { code, message, details? } }`.',
    },
    ...(serverUrl === undefined ? {} : { servers: [{ url: serverUrl }] }),
    paths,
    components: {
      schemas: { ...responseSchemas(config), ...Object.fromEntries(bodies.map((body) => [body.name, bodySchema(body)])) },
      securitySchemes: {
        [TOKEN_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: `${config.prefix}_ and ${RANDOM_LENGTH + CHECKSUM_LENGTH} base62 characters`,
          description: `A Personal Access Token in \`Authorization: Bearer <token>\`; it matches \`${tokenFormat}\`.`,
        },
        ...(loginScheme === undefined ? {} : { [LOGIN_SCHEME]: loginScheme }),
      },
    },
  };
}
