/**
 * The JSON Schemas of the management routes' responses. The fields of a token are listed once,
 * typed against `TokenMeta`: a field added to `TokenMeta` does not compile until it is documented
 * here, and the tests compare real responses with these schemas (no undocumented field passes).
 */
import type { PatConfig } from '../../options.js';
import type { ScopeInfo } from '../../scopes/registry.js';
import type { TokenMeta } from '../../service/token-service.js';
import { CHECKSUM_LENGTH, HINT_LENGTH, RANDOM_LENGTH } from '../../token/format.js';
import type { JsonSchema } from './types.js';

const BASE62 = '[0-9A-Za-z]';
const INSTANT: JsonSchema = { type: 'string', format: 'date-time' };
const INSTANT_OR_NULL: JsonSchema = { type: ['string', 'null'], format: 'date-time' };

/** The pattern of this app's plaintext tokens (`pat_` and 38 base62 characters by default). */
export function plaintextTokenPattern(prefix: string): string {
  return `^${prefix}_${BASE62}{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`;
}

/** An object schema with exactly these properties, all required. */
function exactObject(description: string, properties: Readonly<Record<string, JsonSchema>>): JsonSchema {
  return { type: 'object', description, properties, required: Object.keys(properties), additionalProperties: false };
}

/** What a token shows about itself, as the routes send it. */
function tokenMetaProperties(prefix: string) {
  return {
    id: { type: 'string', format: 'uuid', description: 'Opaque id (a random UUID).' },
    name: { type: 'string' },
    hint: { type: 'string', description: 'Non-secret display hint.', pattern: `^${prefix}_${BASE62}{${HINT_LENGTH}}$` },
    scopes: { type: 'array', description: 'Scopes granted at creation (implied ones not listed).', items: { type: 'string' } },
    createdAt: INSTANT,
    expiresAt: { ...INSTANT_OR_NULL, description: 'null: never expires.' },
    lastUsedAt: INSTANT_OR_NULL,
    lastUsedIp: { type: ['string', 'null'], description: 'Client IP of the last recorded use.' },
    lastUsedUserAgent: { type: ['string', 'null'], description: '`User-Agent` of the last recorded use.', maxLength: 256 },
    revokedAt: {
      ...INSTANT_OR_NULL,
      description: 'When the token stopped working; a future instant while the grace period of a rotation runs.',
    },
    familyId: { type: 'string', description: 'Id of the first token of its rotation family.' },
    replacedById: { type: ['string', 'null'], description: 'The token that replaced this one in a rotation.' },
  } satisfies Record<keyof TokenMeta, JsonSchema>;
}

const ERROR: JsonSchema = {
  type: 'object',
  description: 'Every error answer: a stable `code` (public API, never renamed) and a human `message`.',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          description:
            '`validation_failed`: a list of `{ field, message }`; `insufficient_scope`: `{ required }`; ' +
            '`scope_not_allowed`: `{ scopes }`; `token_limit_reached`: `{ limit }`; `rate_limited`: `{ retryAfterSeconds }`.',
        },
      },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  },
  required: ['error'],
  additionalProperties: false,
};

/** The names of the response schemas under `components.schemas`. */
export type ResponseSchemaName = 'Error' | 'TokenMeta' | 'IssuedToken' | 'TokenList' | 'ScopeList' | 'SelfIntrospection' | 'LeakReportReceipt';

/** Every response schema, for `components.schemas`. */
export function responseSchemas(config: PatConfig): Record<ResponseSchemaName, JsonSchema> {
  const meta = tokenMetaProperties(config.prefix);
  const scopeNames = config.scopes.list.map((scope) => scope.name);
  const scope = {
    name: { type: 'string', enum: scopeNames },
    description: { type: 'string' },
    implies: { type: 'array', description: 'Scopes this one grants too (directly).', items: { type: 'string', enum: scopeNames } },
  } satisfies Record<keyof ScopeInfo, JsonSchema>;
  return {
    Error: ERROR,
    TokenMeta: exactObject('A token as it is shown: never its plaintext, never its digest.', meta),
    IssuedToken: exactObject('A token just created or rotated: the only answer that ever holds its plaintext.', {
      token: { type: 'string', description: 'The plaintext token. Show it once; it cannot be recovered.', pattern: plaintextTokenPattern(config.prefix) },
      ...meta,
    }),
    TokenList: exactObject("The caller's active tokens, newest first.", {
      tokens: { type: 'array', items: { $ref: '#/components/schemas/TokenMeta' } },
    }),
    ScopeList: exactObject('The registered scopes.', { scopes: { type: 'array', items: exactObject('A scope.', scope) } }),
    SelfIntrospection: exactObject('The token the request carries (RFC 7662-shaped).', {
      active: { const: true },
      id: meta.id,
      name: meta.name,
      scopes: meta.scopes,
      userId: { type: 'string' },
      createdAt: meta.createdAt,
      expiresAt: meta.expiresAt,
      lastUsedAt: meta.lastUsedAt,
    }),
    LeakReportReceipt: exactObject('The same answer whether any of the strings was a live token.', {
      received: { type: 'integer', minimum: 1, description: 'How many strings the report held.' },
    }),
  };
}
