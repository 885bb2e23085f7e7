/**
 * The demo app: express-pat mounted the way a user would mount it, with `passwordAuth` for apps
 * that have no login of their own.
 */
import express, { type Express } from 'express';
import type { Store } from 'express-rate-limit';
import { createPersonalAccessTokens, passwordAuth, type PersonalAccessTokens, type RateLimiterName } from '../index.js';
import { apiRouter } from './notes.js';
import type { DemoPrismaClient } from './prisma.js';
import { usersRouter } from './users.js';

/** The demo's scope registry. */
export const DEMO_SCOPES = {
  'notes:read': 'Read your notes',
  'notes:write': { description: 'Create and edit notes', implies: ['notes:read'] },
  'tokens:write': 'Create, rotate and revoke your tokens with a token',
} as const;

/** Options of {@link createDemoApp}. */
export interface DemoAppOptions {
  readonly prisma: DemoPrismaClient;
  /** `PAT_PEPPER` (a list rotates it); undefined uses the development pepper outside production. */
  readonly pepper?: string | readonly string[] | undefined;
  /** Makes the rate limiters' stores (e.g. Redis, for several demo instances). @default in memory */
  readonly rateLimitStore?: ((name: RateLimiterName) => Store) | undefined;
  /** bcrypt cost of new passwords. @default 10 */
  readonly bcryptCost?: number | undefined;
  /** Clock, for tests. */
  readonly now?: (() => Date) | undefined;
}

/** Builds the demo's Express app and its express-pat instance. */
export function createDemoApp(options: DemoAppOptions): { app: Express; pat: PersonalAccessTokens } {
  const { prisma } = options;
  const bcryptCost = options.bcryptCost ?? 10;
  const pat = createPersonalAccessTokens({
    prisma,
    pepper: options.pepper,
    scopes: DEMO_SCOPES,
    authenticate: passwordAuth({ prisma, bcryptCost, rateLimitStore: options.rateLimitStore }),
    // The opt-in features, so each can be tried with curl: tokens holding tokens:write may
    // manage tokens, and anyone may report leaked tokens at POST /tokens/leaked.
    managementScope: 'tokens:write',
    leakReporting: true,
    rateLimits: { store: options.rateLimitStore },
    now: options.now,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use('/users', usersRouter(prisma, bcryptCost));
  app.use('/tokens', pat.router);
  // The router's OpenAPI 3.1 document; passwordAuth reads HTTP Basic credentials.
  const openapi = pat.openapi({ basePath: '/tokens', loginScheme: { type: 'http', scheme: 'basic' } });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  // The browser page for the same tokens (HTTP Basic sign-in prompt), and the demo's home.
  app.use('/settings/tokens', pat.settingsPage());
  app.get('/', (_req, res) => {
    res.redirect('/settings/tokens');
  });
  app.use('/api', apiRouter(pat));
  app.use(pat.errorHandler);
  return { app, pat };
}
