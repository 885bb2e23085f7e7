/**
 * `createTestApp()`: a real Express app with express-pat mounted as a host app would, for
 * supertest. Users are identified by an `X-Test-User` header (the app's "own login").
 */
import express, { type Express } from 'express';
import {
  createPersonalAccessTokens,
  type PersonalAccessTokens,
  type PersonalAccessTokensOptions,
} from '../../src/index.js';
import type { TestPrismaClient } from './databases.js';

/** A pepper for tests only. */
export const TEST_PEPPER = 'test-pepper-0123456789-abcdefghijklmnopqrstuvwxyz';

/** A three-level `implies` chain plus an unrelated scope. */
export const TEST_SCOPES = {
  'notes:read': 'Read notes',
  'notes:write': { description: 'Write notes', implies: ['notes:read'] },
  'notes:admin': { description: 'Administer notes', implies: ['notes:write'] },
  'billing:read': 'Read invoices',
} as const;

/** A clock tests move by hand. */
export interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

export function createTestClock(start = new Date('2026-06-01T12:00:00.000Z')): TestClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
  };
}

/** The header carrying the signed-in user in test apps. */
export const USER_HEADER = 'X-Test-User';

/**
 * Builds the app: `/tokens` router; `/api/read`, `/api/write`, `/api/admin`, `/api/billing`
 * guarded by those scopes; `/api/any` for any valid token. Each guarded route answers `req.pat`.
 */
export function createTestApp(
  prisma: TestPrismaClient,
  overrides: Partial<PersonalAccessTokensOptions> = {},
): { app: Express; pat: PersonalAccessTokens } {
  const pat = createPersonalAccessTokens({
    prisma,
    pepper: TEST_PEPPER,
    scopes: TEST_SCOPES,
    authenticate: (req) => req.get(USER_HEADER) ?? null,
    onStoreError: () => undefined,
    // Suites hammer one client IP far beyond honest use; the limits have their own suite.
    rateLimits: { failedTokenAuth: false, management: false },
    ...overrides,
  });
  const app = express();
  app.use('/tokens', pat.router);
  const echo: express.RequestHandler = (req, res) => {
    res.json(req.pat);
  };
  app.get('/api/read', pat.requireToken(['notes:read']), echo);
  app.get('/api/write', pat.requireToken(['notes:write']), echo);
  app.get('/api/admin', pat.requireToken(['notes:admin']), echo);
  app.get('/api/billing', pat.requireToken(['billing:read']), echo);
  app.get('/api/any', pat.requireToken(), echo);
  app.use(pat.errorHandler);
  return { app, pat };
}
