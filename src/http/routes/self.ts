import type { RequestHandler } from 'express';
import { InternalError } from '../../errors.js';

/**
 * `GET /self`: RFC 7662-shaped introspection of the token the request carries. Mounted behind
 * `requireToken([])`, which answers every invalid token before this runs.
 */
export const introspectSelfRoute: RequestHandler = (req, res) => {
  const context = req.pat;
  if (!context) throw new InternalError(new Error('GET /self mounted without requireToken'));
  const { token } = context;
  res.json({
    active: true,
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    userId: context.userId,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt,
  });
};
