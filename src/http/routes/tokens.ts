/** The routes where a signed-in user (or a token with `managementScope`) manages their tokens. */
import type { Request, RequestHandler, Response } from 'express';
import { InsufficientScopeError, UnauthenticatedError } from '../../errors.js';
import type { PatConfig } from '../../options.js';
import type { CallContext, IssuedToken, TokenService } from '../../service/token-service.js';
import { isWellFormedToken } from '../../token/format.js';
import { authenticatedUserId } from '../authenticate-user.js';
import { idParam } from '../params.js';
import type { FailureLimiter } from '../rate-limit.js';
import { authenticateToken, presentedFrom } from '../require-token.js';

/** Who is managing tokens: a signed-in user, or a token acting for its user; and from where. */
interface Manager {
  readonly userId: string;
  readonly caller: CallContext;
}

type ManagerHandler = (req: Request, res: Response, manager: Manager) => Promise<void>;

/** 201 with the one-time plaintext; the service's objects hold only the documented fields. */
function sendIssued(req: Request, res: Response, issued: IssuedToken): void {
  res.status(201).location(`${req.baseUrl}/${encodeURIComponent(issued.id)}`).json(issued);
}

/**
 * Handlers of the management routes. `requireManager` runs first on each of them, before any
 * body is parsed, so an anonymous caller learns nothing but 401.
 */
export function tokenRoutes(config: PatConfig, service: TokenService, tokenFailures: FailureLimiter | undefined) {
  const managers = new WeakMap<Request, Manager>();

  async function resolveManager(req: Request): Promise<Manager> {
    const { managementScope } = config;
    // Only a bearer credential that is one of our tokens is taken as a PAT: an app whose own
    // login also uses bearer tokens (JWTs) still reaches `authenticate`.
    const bearer = /^bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
    if (managementScope !== undefined && bearer !== undefined && isWellFormedToken(config.prefix, bearer)) {
      const via = await authenticateToken(req, config, service, tokenFailures);
      // A token replaced by a rotation keeps working for its grace period, but manages nothing:
      // whoever stole it must not rotate or revoke the successor its owner just issued.
      if (!via.scopes.includes(managementScope) || via.token.replacedById !== null) {
        throw new InsufficientScopeError([managementScope]);
      }
      return { userId: via.userId, caller: { via, ...presentedFrom(req) } };
    }
    return { userId: await authenticatedUserId(req, config), caller: presentedFrom(req) };
  }

  /** Middleware: resolves who manages tokens, or answers 401/403. */
  const requireManager: RequestHandler = async (req, _res, next) => {
    managers.set(req, await resolveManager(req));
    next();
  };

  /** Runs `handler` with the manager `requireManager` resolved. */
  const asManager =
    (handler: ManagerHandler): RequestHandler =>
    async (req, res) => {
      const manager = managers.get(req);
      if (manager === undefined) throw new UnauthenticatedError();
      await handler(req, res, manager);
    };

  return {
    requireManager,
    /** `POST /`: 201 `{ token, ...meta }`. Body validated before this runs. */
    create: asManager(async (req, res, { userId, caller }) => {
      sendIssued(req, res, await service.create(userId, req.body as Parameters<TokenService['create']>[1], caller));
    }),
    /** `GET /`: 200 `{ tokens: [meta] }`, the caller's active tokens, newest first. */
    list: asManager(async (_req, res, { userId }) => {
      res.json({ tokens: await service.list(userId) });
    }),
    /** `DELETE /`: 204; revokes every token of the caller. */
    revokeAll: asManager(async (_req, res, { userId, caller }) => {
      await service.revokeAll(userId, caller);
      res.status(204).end();
    }),
    /** `GET /:id`: 200 `meta`, or 404 `not_found`. */
    show: asManager(async (req, res, { userId }) => {
      res.json(await service.get(userId, idParam(req)));
    }),
    /** `DELETE /:id`: 204; the token stops working at once. */
    revoke: asManager(async (req, res, { userId, caller }) => {
      await service.revoke(userId, idParam(req), caller);
      res.status(204).end();
    }),
    /**
     * `POST /:id/rotate`: 201 `{ token, ...meta }` of the successor. The optional body
     * `{ graceSeconds }` is validated before this runs.
     */
    rotate: asManager(async (req, res, { userId, caller }) => {
      const body = req.body as { graceSeconds?: number } | undefined;
      sendIssued(req, res, await service.rotate(userId, idParam(req), { graceSeconds: body?.graceSeconds }, caller));
    }),
  };
}
