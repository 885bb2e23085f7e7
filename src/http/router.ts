import express, { type RequestHandler, type Router } from 'express';
import type { PatConfig } from '../options.js';
import type { TokenService } from '../service/token-service.js';
import type { RequireToken } from './require-token.js';
import { createErrorHandler, JSON_BODY_LIMIT } from './respond.js';
import { introspectSelfRoute } from './routes/self.js';
import { listScopesRoute } from './routes/scopes.js';
import { tokenRoutes } from './routes/tokens.js';
import { createTokenBodyValidators } from './validation.js';

/** Token responses must never be cached by browsers or proxies. */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** Builds the management router (`pat.router`). Paths are relative to where it is mounted. */
export function createTokenRouter(config: PatConfig, service: TokenService, requireToken: RequireToken): Router {
  const routes = tokenRoutes(config, service);
  const router = express.Router();
  // Per route, not router.use(): an app may mount the router at "/", and its other routes must
  // not inherit these headers or this authentication.
  const asUser = [noStore, routes.requireUser];
  router.get('/scopes', listScopesRoute(config));
  router.get('/self', noStore, requireToken([]), introspectSelfRoute);
  router.post(
    '/',
    ...asUser,
    express.json({ limit: JSON_BODY_LIMIT }),
    ...createTokenBodyValidators(config),
    routes.create,
  );
  router.get('/', ...asUser, routes.list);
  router.get('/:id', ...asUser, routes.show);
  router.delete('/:id', ...asUser, routes.revoke);
  router.post('/:id/rotate', ...asUser, routes.rotate);
  router.use(createErrorHandler(config.onStoreError));
  return router;
}
