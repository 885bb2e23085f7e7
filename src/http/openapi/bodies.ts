/**
 * The request bodies of the management routes, declared once: each field's JSON Schema fragment
 * sits next to the rule that checks it. `validation.ts` builds the router's validators from these
 * definitions and `document.ts` builds the OpenAPI request bodies from them, so the two cannot
 * drift. Where JSON Schema cannot say what the rule checks, the field's `description` says it.
 */
import type { PatConfig } from '../../options.js';
import {
  BOTH_EXPIRIES,
  EXPIRES_AT_PATTERN,
  EXPIRY_REQUIRED,
  expiresAtProblem,
  expiresInDaysProblem,
  graceSecondsProblem,
  NAME_MAX_LENGTH,
  nameProblem,
  scopeProblem,
  SCOPES_MAX_COUNT,
  scopesListProblem,
  UNSTORABLE_CHARACTERS,
} from '../../service/token-input.js';
import { LEAK_REPORT_MAX_TOKENS } from '../routes/leaked.js';
import type { JsonSchema } from './types.js';

/** A parsed JSON object body. */
export type JsonBody = Readonly<Record<string, unknown>>;

/** One field of a request body. */
export interface BodyField {
  /** Whether the field must be present. */
  readonly required: boolean;
  /** The JSON Schema of a valid value (what it cannot express is written in its description). */
  readonly schema: JsonSchema;
  /** Why `value` is not valid, or undefined. Runs on absent values only for required fields. */
  readonly problem: (value: unknown, body: JsonBody) => string | undefined;
  /** For array fields: why one element is not valid, or undefined (reported as `field[i]`). */
  readonly itemProblem?: (value: unknown) => string | undefined;
}

/** A rule over several fields of a body, reported on one of them. */
export interface BodyRule {
  /** The field its problem is reported on. */
  readonly field: string;
  /** The rule as a JSON Schema fragment applied to the whole body. */
  readonly schema: JsonSchema;
  readonly problem: (body: JsonBody) => string | undefined;
}

/** A JSON request body: a JSON object holding only these fields. */
export interface BodyDefinition {
  /** Its name under `components.schemas` in the OpenAPI document. */
  readonly name: string;
  readonly description: string;
  /** Whether the request may come without a body (it then counts as `{}`). */
  readonly optional: boolean;
  readonly fields: Readonly<Record<string, BodyField>>;
  readonly rules: readonly BodyRule[];
}

/** Longest string a leak report may carry, in code points (a token is at most 55 characters). */
export const LEAK_TOKEN_MAX_LENGTH = 128;

/** A name character: anything but a control character or an unpaired surrogate. */
const NAME_CHARACTER = `[^${UNSTORABLE_CHARACTERS}]`;
/** The first and last character of a trimmed name: a name character that is not white space. */
const NAME_EDGE = `[^\\s${UNSTORABLE_CHARACTERS}]`;

/** The body of `POST /` (create). */
export function createTokenBody(config: PatConfig): BodyDefinition {
  const { maxLifetimeDays, requireExpiry, scopes } = config;
  const expiry = requireExpiry
    ? 'this app requires `expiresInDays` or `expiresAt`'
    : 'optional: with neither `expiresInDays` nor `expiresAt` the token never expires';
  const rules: BodyRule[] = [
    {
      field: 'expiresAt',
      schema: { description: 'Give `expiresInDays` or `expiresAt`, not both.', not: { required: ['expiresInDays', 'expiresAt'] } },
      problem: (body) => (body.expiresInDays !== undefined && body.expiresAt !== undefined ? BOTH_EXPIRIES : undefined),
    },
  ];
  if (requireExpiry) {
    rules.push({
      field: 'expiresInDays',
      schema: {
        description: 'This app requires tokens to expire: give `expiresInDays` or `expiresAt`.',
        anyOf: [{ required: ['expiresInDays'] }, { required: ['expiresAt'] }],
      },
      problem: (body) => (body.expiresInDays === undefined && body.expiresAt === undefined ? EXPIRY_REQUIRED : undefined),
    });
  }
  return {
    name: 'CreateTokenRequest',
    description: 'A new token: its name, scopes and expiry.',
    optional: false,
    fields: {
      name: {
        required: true,
        schema: {
          type: 'string',
          description:
            `Shown in token lists; white space around it is trimmed. After trimming: 1 to ${NAME_MAX_LENGTH} ` +
            'UTF-16 code units, without control characters or unpaired surrogates. Beyond JSON Schema: ' +
            'the pattern counts code points, so a character outside the Basic Multilingual Plane (an emoji) ' +
            `counts once there but twice for the ${NAME_MAX_LENGTH}-unit limit.`,
          pattern: `^\\s*${NAME_EDGE}(?:${NAME_CHARACTER}{0,${NAME_MAX_LENGTH - 2}}${NAME_EDGE})?\\s*$`,
        },
        problem: nameProblem,
      },
      scopes: {
        required: true,
        schema: {
          type: 'array',
          description: 'Registered scope names to grant (duplicates are ignored).',
          minItems: 1,
          maxItems: SCOPES_MAX_COUNT,
          items: { type: 'string', enum: scopes.list.map((scope) => scope.name) },
        },
        problem: scopesListProblem,
        itemProblem: (value) => scopeProblem(value, scopes),
      },
      expiresInDays: {
        required: false,
        schema: { type: 'integer', description: `Lifetime in whole days; ${expiry}.`, minimum: 1, maximum: maxLifetimeDays },
        problem: (value) => expiresInDaysProblem(value, maxLifetimeDays),
      },
      expiresAt: {
        required: false,
        schema: {
          type: 'string',
          description:
            'The expiry instant: a date (`2027-01-31`, midnight UTC) or an ISO 8601 date and time with a time ' +
            `zone (\`2027-01-31T18:00:00Z\`, \`2027-01-31T19:00+01:00\`); ${expiry}. Beyond JSON Schema: ` +
            `the date must exist in the calendar (no \`2027-02-30\`), and the instant must be in the future and at most ${maxLifetimeDays} ` +
            'days after the request.',
          pattern: EXPIRES_AT_PATTERN,
        },
        // Both given: the rule below reports it, and nothing else is said about this one.
        problem: (value, body) => (body.expiresInDays === undefined ? expiresAtProblem(value, maxLifetimeDays, config.now()) : undefined),
      },
    },
    rules,
  };
}

/** The body of `POST /:id/rotate`: optional. */
export function rotateTokenBody(config: PatConfig): BodyDefinition {
  const max = config.maxRotationGraceSeconds;
  return {
    name: 'RotateTokenRequest',
    description: 'Optional: without a body (or with `{}`) the old token stops working at once.',
    optional: true,
    fields: {
      graceSeconds: {
        required: false,
        schema: {
          type: 'integer',
          description: 'For this many seconds the old token keeps working beside its successor.',
          minimum: 0,
          maximum: max,
          default: 0,
        },
        problem: (value) => graceSecondsProblem(value, max),
      },
    },
    rules: [],
  };
}

/** The body of `POST /leaked`. */
export const leakReportBody: BodyDefinition = {
  name: 'LeakReportRequest',
  description: 'Strings found in a leak; every live token among them is revoked.',
  optional: false,
  fields: {
    tokens: {
      required: true,
      schema: {
        type: 'array',
        minItems: 1,
        maxItems: LEAK_REPORT_MAX_TOKENS,
        items: { type: 'string', maxLength: LEAK_TOKEN_MAX_LENGTH },
      },
      problem: (value) =>
        Array.isArray(value) && value.length >= 1 && value.length <= LEAK_REPORT_MAX_TOKENS
          ? undefined
          : `must be an array of 1 to ${LEAK_REPORT_MAX_TOKENS} strings`,
      itemProblem(value) {
        if (typeof value !== 'string') return 'must be a string';
        return [...value].length > LEAK_TOKEN_MAX_LENGTH ? `must be at most ${LEAK_TOKEN_MAX_LENGTH} characters` : undefined;
      },
    },
  },
  rules: [],
};

/** The JSON Schema of a whole body: an object with exactly its fields, and its rules. */
export function bodySchema(definition: BodyDefinition): JsonSchema {
  const entries = Object.entries(definition.fields);
  return {
    type: 'object',
    description: definition.description,
    properties: Object.fromEntries(entries.map(([name, field]) => [name, field.schema])),
    required: entries.filter(([, field]) => field.required).map(([name]) => name),
    additionalProperties: false,
    ...(definition.rules.length === 0 ? {} : { allOf: definition.rules.map((rule) => rule.schema) }),
  };
}
