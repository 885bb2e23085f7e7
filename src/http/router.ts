import express, { type RequestHandler, type Router } from 'express';
import type { PatConfig } from '../options.js';
import type { TokenService } from '../service/token-service.js';
import type { FailureLimiter } from './rate-limit.js';
import { requestLimiter } from './rate-limit.js';
import type { RequireToken } from './require-token.js';
import { createErrorHandler, JSON_BODY_LIMIT } from './respond.js';
import { reportLeakedRoute } from './routes/leaked.js';
import { introspectSelfRoute } from './routes/self.js';
import { listScopesRoute } from './routes/scopes.js';
import { tokenRoutes } from './routes/tokens.js';
import { createTokenBodyValidators, leakReportValidators } from './validation.js';

/** Token responses must never be cached by browsers or proxies. */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

const passThrough: RequestHandler = (_req, _res, next) => next();

/** What the router is built from. */
export interface RouterDependencies {
  readonly service: TokenService;
  readonly requireToken: RequireToken;
  readonly tokenFailures: FailureLimiter | undefined;
}

/** Builds the management router (`pat.router`). Paths are relative to where it is mounted. */
export function createTokenRouter(config: PatConfig, { service, requireToken, tokenFailures }: RouterDependencies): Router {
  const routes = tokenRoutes(config, service, tokenFailures);
  const router = express.Router();
  const json = express.json({ limit: JSON_BODY_LIMIT });
  const limited = config.managementLimit === undefined ? passThrough : requestLimiter(config.managementLimit);
  // Per route, not router.use(): an app may mount the router at "/", and its other routes must
  // not inherit these headers, limits or this authentication.
  const asManager = [noStore, limited, routes.requireManager];
  router.get('/scopes', listScopesRoute(config));
  router.get('/self', noStore, requireToken([]), introspectSelfRoute);
  if (config.leakReporting) {
    router.post('/leaked', noStore, limited, json, ...leakReportValidators, reportLeakedRoute(service));
  }
  router.post('/', ...asManager, json, ...createTokenBodyValidators(config), routes.create);
  router.get('/', ...asManager, routes.list);
  router.delete('/', ...asManager, routes.revokeAll);
  router.get('/:id', ...asManager, routes.show);
  router.delete('/:id', ...asManager, routes.revoke);
  router.post('/:id/rotate', ...asManager, routes.rotate);
  router.use(createErrorHandler(config.onStoreError));
  return router;
}
