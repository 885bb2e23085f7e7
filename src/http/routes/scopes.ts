import type { RequestHandler } from 'express';
import type { PatConfig } from '../../options.js';

/** `GET /scopes`: the registered scopes, for building a scope picker. No authentication. */
export function listScopesRoute(config: PatConfig): RequestHandler {
  const body = { scopes: config.scopes.list };
  return (_req, res) => {
    res.json(body);
  };
}
