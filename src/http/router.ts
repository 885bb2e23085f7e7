import express, { type RequestHandler, type Router } from 'express';
import type { PatConfig } from '../options.js';
import type { TokenService } from '../service/token-service.js';
import { managementRoutes, type Access, type OperationId } from './openapi/routes.js';
import type { FailureLimiter } from './rate-limit.js';
import { requestLimiter } from './rate-limit.js';
import type { RequireToken } from './require-token.js';
import { createErrorHandler, JSON_BODY_LIMIT } from './respond.js';
import { reportLeakedRoute } from './routes/leaked.js';
import { introspectSelfRoute } from './routes/self.js';
import { listScopesRoute } from './routes/scopes.js';
import { tokenRoutes } from './routes/tokens.js';
import { bodyValidators } from './validation.js';

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

/**
 * Builds the management router (`pat.router`) from the route table of `openapi/routes.ts`, the
 * same table the OpenAPI document is built from. Paths are relative to where it is mounted.
 */
export function createTokenRouter(config: PatConfig, { service, requireToken, tokenFailures }: RouterDependencies): Router {
  const routes = tokenRoutes(config, service, tokenFailures);
  const router = express.Router();
  const json = express.json({ limit: JSON_BODY_LIMIT });
  const limited = config.managementLimit === undefined ? passThrough : requestLimiter(config.managementLimit);
  const guards: Record<Access, RequestHandler[]> = {
    public: [],
    token: [requireToken([])],
    // Before any body is parsed, so an anonymous caller learns nothing but 401.
    user: [routes.requireManager],
  };
  const handlers: Record<OperationId, RequestHandler> = {
    listScopes: listScopesRoute(config),
    introspectSelf: introspectSelfRoute,
    reportLeaked: reportLeakedRoute(service),
    createToken: routes.create,
    listTokens: routes.list,
    revokeAllTokens: routes.revokeAll,
    getToken: routes.show,
    revokeToken: routes.revoke,
    rotateToken: routes.rotate,
  };
  // Per route, not router.use(): an app may mount the router at "/", and its other routes must
  // not inherit these headers, limits or this authentication.
  for (const route of managementRoutes(config)) {
    router[route.method](
      route.path,
      ...(route.noStore ? [noStore] : []),
      ...(route.limited ? [limited] : []),
      ...guards[route.access],
      ...(route.body === undefined ? [] : [json, ...bodyValidators(route.body)]),
      handlers[route.operationId],
    );
  }
  router.use(createErrorHandler(config.onStoreError));
  return router;
}
