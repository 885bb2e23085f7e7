/**
 * `passwordAuth`: an `authenticate` function for apps without their own login, checking HTTP Basic
 * `email:password` against the `User` model's bcrypt `passwordHash`.
 */
import bcrypt from 'bcrypt';
import type { Request } from 'express';
import { InvalidCredentialsError, UnauthenticatedError } from '../errors.js';
import type { Store } from 'express-rate-limit';
import { failureLimiter } from '../http/rate-limit.js';
import {
  rejectUnknownKeys,
  resolveRateLimit,
  type Authenticate,
  type RateLimiterName,
  type RateLimitSetting,
} from '../options.js';
import type { PatPrismaUserClient } from '../store/prisma-client.js';
import { findUserCredentials } from '../store/prisma-user-store.js';

/** bcrypt cost used by {@link hashPassword} and for the stand-in hash of unknown emails. */
export const DEFAULT_BCRYPT_COST = 10;
/** bcrypt reads at most 72 bytes of a password. */
export const MAX_PASSWORD_BYTES = 72;

/** Options of {@link passwordAuth}. */
export interface PasswordAuthOptions {
  /** A Prisma client whose schema holds the express-pat `User` model. */
  readonly prisma: PatPrismaUserClient;
  /**
   * Realm of the `WWW-Authenticate: Basic` challenge.
   * @default 'express-pat'
   */
  readonly realm?: string | undefined;
  /**
   * bcrypt cost of the stand-in hash compared for unknown emails; match the cost of your stored
   * hashes so a wrong email takes as long as a wrong password.
   * @default 10
   */
  readonly bcryptCost?: number | undefined;
  /**
   * Failed sign-ins allowed per client IP; past it, 429 `rate_limited` with `Retry-After` before
   * any password is checked. `false` turns it off.
   * @default { limit: 30, windowSeconds: 900 }
   */
  readonly failureLimit?: RateLimitSetting | false | undefined;
  /**
   * Makes the express-rate-limit `Store` of the failure limit (e.g. a `rate-limit-redis` store).
   * @default in memory
   */
  readonly rateLimitStore?: ((name: RateLimiterName) => Store) | undefined;
}

const PASSWORD_AUTH_OPTIONS = ['prisma', 'realm', 'bcryptCost', 'failureLimit', 'rateLimitStore'];

/**
 * Hashes a password for the `User.passwordHash` column.
 * @throws TypeError if the password is longer than bcrypt's 72 bytes.
 */
export async function hashPassword(password: string, cost: number = DEFAULT_BCRYPT_COST): Promise<string> {
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    throw new TypeError(`express-pat: a password may be at most ${MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest).`);
  }
  return bcrypt.hash(password, cost);
}

function readBasicCredentials(req: Request): { email: string; password: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { email: decoded.slice(0, colon).trim().toLowerCase(), password: decoded.slice(colon + 1) };
}

/**
 * An `authenticate` function reading `Authorization: Basic base64(email:password)`.
 * Unknown emails are compared against a stand-in hash of the same cost, so the answer time does
 * not reveal which emails exist.
 * Answers 401 `unauthenticated` (no Basic credentials) or 401 `invalid_credentials`, both with a
 * `WWW-Authenticate: Basic` challenge; 503 `store_unavailable` when the database fails.
 * @example
 * const pat = createPersonalAccessTokens({ prisma, scopes, authenticate: passwordAuth({ prisma }) });
 */
export function passwordAuth(options: PasswordAuthOptions): Authenticate {
  const { prisma } = options;
  if (typeof prisma !== 'object' || prisma === null || !('user' in prisma)) {
    throw new TypeError('express-pat: passwordAuth({ prisma }) needs a PrismaClient whose schema holds the User model.');
  }
  rejectUnknownKeys('the passwordAuth options', options, PASSWORD_AUTH_OPTIONS);
  const realm = options.realm ?? 'express-pat';
  if (typeof realm !== 'string' || !/^[\x20-\x7e]+$/.test(realm) || realm.includes('"')) {
    throw new TypeError('express-pat: passwordAuth `realm` must be printable ASCII without double quotes.');
  }
  const cost = options.bcryptCost ?? DEFAULT_BCRYPT_COST;
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) {
    throw new TypeError('express-pat: passwordAuth `bcryptCost` must be a whole number from 4 to 31.');
  }
  const challenge = `Basic realm="${realm}", charset="UTF-8"`;
  const limit = resolveRateLimit(
    'password-auth',
    options.failureLimit,
    { limit: 30, windowSeconds: 900 },
    options.rateLimitStore,
  );
  const limiter = limit === undefined ? undefined : failureLimiter(limit);
  let standIn: Promise<string> | undefined;

  async function check(credentials: { email: string; password: string }): Promise<string | undefined> {
    const user = await findUserCredentials(prisma, credentials.email);
    if (!user?.passwordHash) {
      standIn ??= bcrypt.hash('express-pat stand-in password', cost);
      await bcrypt.compare(credentials.password, await standIn);
      return undefined;
    }
    return (await bcrypt.compare(credentials.password, user.passwordHash)) ? user.id : undefined;
  }

  return async (req) => {
    const credentials = readBasicCredentials(req);
    if (!credentials) throw new UnauthenticatedError(challenge);
    await limiter?.check(req);
    const userId = await check(credentials);
    if (userId === undefined) {
      await limiter?.recordFailure(req);
      throw new InvalidCredentialsError(challenge);
    }
    return userId;
  };
}
