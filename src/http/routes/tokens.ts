/** The routes where a signed-in user manages their own tokens. */
import type { Request, RequestHandler, Response } from 'express';
import type { PatConfig } from '../../options.js';
import type { IssuedToken, TokenMeta, TokenService } from '../../service/token-service.js';
import { UnauthenticatedError } from '../../errors.js';
import { authenticatedUserId } from '../authenticate-user.js';

type UserHandler = (req: Request, res: Response, userId: string) => Promise<void>;

/** The `:id` route parameter (Express 5 types allow arrays for wildcard params). */
function idParam(req: Request): string {
  const { id } = req.params;
  return typeof id === 'string' ? id : '';
}

/** Fields of a token response, in a stable order: never the digest. */
function metaBody(meta: TokenMeta) {
  return {
    id: meta.id,
    name: meta.name,
    hint: meta.hint,
    scopes: meta.scopes,
    createdAt: meta.createdAt,
    expiresAt: meta.expiresAt,
    lastUsedAt: meta.lastUsedAt,
    revokedAt: meta.revokedAt,
  };
}

function sendIssued(req: Request, res: Response, issued: IssuedToken): void {
  res
    .status(201)
    .location(`${req.baseUrl}/${encodeURIComponent(issued.id)}`)
    .json({ token: issued.token, ...metaBody(issued) });
}

/**
 * Handlers of the user-managed routes. `authenticate` runs first on each of them, before any body
 * is parsed, so an anonymous caller learns nothing but 401.
 */
export function tokenRoutes(config: PatConfig, service: TokenService) {
  const users = new WeakMap<Request, string>();

  /** Middleware: resolves the signed-in user, or answers 401 `unauthenticated`. */
  const requireUser: RequestHandler = async (req, _res, next) => {
    users.set(req, await authenticatedUserId(req, config));
    next();
  };

  /** Runs `handler` with the user `requireUser` resolved. */
  const forUser =
    (handler: UserHandler): RequestHandler =>
    async (req, res) => {
      const userId = users.get(req);
      if (userId === undefined) throw new UnauthenticatedError();
      await handler(req, res, userId);
    };

  return {
    requireUser,
    /** `POST /`: 201 `{ token, ...meta }`. Body validated before this runs. */
    create: forUser(async (req, res, userId) => {
      sendIssued(req, res, await service.create(userId, req.body as Parameters<TokenService['create']>[1]));
    }),
    /** `GET /`: 200 `{ tokens: [meta] }`, the caller's active tokens, newest first. */
    list: forUser(async (_req, res, userId) => {
      res.json({ tokens: (await service.list(userId)).map(metaBody) });
    }),
    /** `GET /:id`: 200 `meta`, or 404 `not_found`. */
    show: forUser(async (req, res, userId) => {
      res.json(metaBody(await service.get(userId, idParam(req))));
    }),
    /** `DELETE /:id`: 204; the token stops working at once. */
    revoke: forUser(async (req, res, userId) => {
      await service.revoke(userId, idParam(req));
      res.status(204).end();
    }),
    /** `POST /:id/rotate`: 201 `{ token, ...meta }` of the successor. */
    rotate: forUser(async (req, res, userId) => {
      sendIssued(req, res, await service.rotate(userId, idParam(req)));
    }),
  };
}
