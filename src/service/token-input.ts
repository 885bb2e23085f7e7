/**
 * The rules for a new token's name, scopes and expiry, and for a rotation's grace period. One
 * source for both entry points: the HTTP validators call the per-field checks, and the service
 * runs them all before writing. The constants are shared with the OpenAPI document.
 */
import { ValidationFailedError, type FieldProblem } from '../errors.js';
import type { ScopeRegistry } from '../scopes/registry.js';

/** Longest token name, in characters. */
export const NAME_MAX_LENGTH = 100;
/** At most this many scopes in one request (duplicates included). */
export const SCOPES_MAX_COUNT = 100;
/** One day in milliseconds. */
export const DAY_MS = 86_400_000;
/**
 * The written form of `expiresAt` (a regular expression source, also the `pattern` of the OpenAPI
 * document): a date, or a date and time with a time zone; seconds and a fraction of up to nine
 * digits optional. Whether the date exists in the calendar (no 2027-02-30) is checked after.
 */
export const EXPIRES_AT_PATTERN =
  '^(\\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])' +
  '(?:T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d))?$';
const EXPIRES_AT = new RegExp(EXPIRES_AT_PATTERN, 'u');
/**
 * The characters no name may hold, as the inside of a regular expression character class:
 * control characters (U+0000 cannot even be stored by PostgreSQL) and unpaired surrogates (no
 * UTF-8 form: both databases refuse them), which no name needs.
 */
export const UNSTORABLE_CHARACTERS = '\\u0000-\\u001f\\u007f\\p{Cs}';
const UNSTORABLE_TEXT = new RegExp(`[${UNSTORABLE_CHARACTERS}]`, 'u');

/** What a caller asks for when creating a token. */
export interface CreateTokenInput {
  /** 1–100 characters, shown in token lists. */
  readonly name: string;
  /** Registered scope names; at least one. */
  readonly scopes: readonly string[];
  /** Lifetime in whole days, 1..`maxLifetimeDays`. Give this or `expiresAt`, or neither for no expiry. */
  readonly expiresInDays?: number | undefined;
  /** A future instant within `maxLifetimeDays` (ISO 8601 with a time zone, or a Date). */
  readonly expiresAt?: string | Date | undefined;
}

/** A create request that passed every rule. */
export interface ValidCreateTokenInput {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly expiresAt: Date | null;
}

/** What the rules need to know. */
export interface InputContext {
  readonly scopes: ScopeRegistry;
  readonly maxLifetimeDays: number;
  /** Whether a token must be given an expiry. */
  readonly requireExpiry: boolean;
  readonly now: Date;
}

/** The problem when both `expiresInDays` and `expiresAt` are given. */
export const BOTH_EXPIRIES = 'give either expiresInDays or expiresAt, not both';

/** The problem when no expiry is given although the app requires one. */
export const EXPIRY_REQUIRED = 'is required: give expiresInDays or expiresAt (this app requires tokens to expire)';

/** Why `value` is not a valid token name, or undefined. */
export function nameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const trimmed = value.trim();
  if (trimmed.length === 0) return 'must not be empty';
  if (trimmed.length > NAME_MAX_LENGTH) return `must be at most ${NAME_MAX_LENGTH} characters`;
  if (UNSTORABLE_TEXT.test(trimmed)) return 'must not contain control characters or unpaired surrogates';
  return undefined;
}

/** Why `value` is not a valid list of scopes (its elements aside), or undefined. */
export function scopesListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be an array of scope names';
  if (value.length === 0) return 'must name at least one scope';
  if (value.length > SCOPES_MAX_COUNT) return `must name at most ${SCOPES_MAX_COUNT} scopes`;
  return undefined;
}

/** Why one element of `scopes` is not a registered scope name, or undefined. */
export function scopeProblem(value: unknown, registry: ScopeRegistry): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (!registry.has(value)) return 'is not a registered scope';
  return undefined;
}

/** Every problem with a `scopes` value, each naming its element. */
export function scopesProblems(value: unknown, registry: ScopeRegistry): FieldProblem[] {
  const listProblem = scopesListProblem(value);
  if (listProblem !== undefined) return [{ field: 'scopes', message: listProblem }];
  return (value as unknown[]).flatMap((scope, index) => {
    const problem = scopeProblem(scope, registry);
    return problem === undefined ? [] : [{ field: `scopes[${index}]`, message: problem }];
  });
}

/** Why `value` is not a valid `expiresInDays`, or undefined. */
export function expiresInDaysProblem(value: unknown, maxLifetimeDays: number): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number of days';
  if (value < 1 || value > maxLifetimeDays) return `must be between 1 and ${maxLifetimeDays}`;
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function parseInstant(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  const match = typeof value === 'string' ? EXPIRES_AT.exec(value) : null;
  if (!match) return undefined;
  // JavaScript's Date rolls impossible dates over (2027-02-30 → 2027-03-02): refuse them. The
  // pattern already keeps every field in its range (no month 13, no 24:00).
  const [year, month, day] = match.slice(1, 4).map(Number);
  if (year === undefined || month === undefined || day === undefined || day > daysInMonth(year, month)) return undefined;
  const instant = new Date(value as string);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** Why `value` is not a valid `expiresAt` at `now`, or undefined. */
export function expiresAtProblem(value: unknown, maxLifetimeDays: number, now: Date): string | undefined {
  const instant = parseInstant(value);
  if (instant === undefined) return 'must be an ISO 8601 date, with a time zone if it has a time';
  if (instant.getTime() <= now.getTime()) return 'must be in the future';
  if (instant.getTime() - now.getTime() > maxLifetimeDays * DAY_MS) {
    return `must be at most ${maxLifetimeDays} days from now`;
  }
  return undefined;
}

/** Why `value` is not a valid `graceSeconds` of a rotation, or undefined. */
export function graceSecondsProblem(value: unknown, maxGraceSeconds: number): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number of seconds';
  if (value < 0 || value > maxGraceSeconds) return `must be between 0 and ${maxGraceSeconds}`;
  return undefined;
}

/** The expiry instant `now + days`. */
export function expiryAfterDays(now: Date, days: number): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/**
 * Runs every rule over a create request.
 * @throws ValidationFailedError listing each problem (code `validation_failed`).
 */
export function validateCreateInput(input: CreateTokenInput, context: InputContext): ValidCreateTokenInput {
  const problems: FieldProblem[] = [];
  const raw = input as unknown as Record<string, unknown>;
  const name = nameProblem(raw.name);
  if (name !== undefined) problems.push({ field: 'name', message: name });
  problems.push(...scopesProblems(raw.scopes, context.scopes));
  const { expiresInDays, expiresAt } = raw;
  if (expiresInDays !== undefined && expiresAt !== undefined) {
    problems.push({ field: 'expiresAt', message: BOTH_EXPIRIES });
  } else if (expiresInDays !== undefined) {
    const problem = expiresInDaysProblem(expiresInDays, context.maxLifetimeDays);
    if (problem !== undefined) problems.push({ field: 'expiresInDays', message: problem });
  } else if (expiresAt !== undefined) {
    const problem = expiresAtProblem(expiresAt, context.maxLifetimeDays, context.now);
    if (problem !== undefined) problems.push({ field: 'expiresAt', message: problem });
  } else if (context.requireExpiry) {
    problems.push({ field: 'expiresInDays', message: EXPIRY_REQUIRED });
  }
  if (problems.length > 0) throw new ValidationFailedError(problems);

  let expiry: Date | null = null;
  if (typeof expiresInDays === 'number') expiry = expiryAfterDays(context.now, expiresInDays);
  else if (expiresAt !== undefined) expiry = parseInstant(expiresAt) ?? null;
  return {
    name: input.name.trim(),
    scopes: [...new Set(input.scopes)],
    expiresAt: expiry,
  };
}
