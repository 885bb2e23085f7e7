/**
 * The administrator's use cases, across users: list every user's tokens, revoke a token by id
 * without knowing its owner. `pat.admin` is this service; the `express-pat` CLI is built on it.
 * Revocations go through {@link TokenService.revoke}, so they emit `token.revoked` and evict the
 * token from every instance's cache exactly as the HTTP API's do.
 */
import { NotFoundError } from '../errors.js';
import type { TokenRecord, TokenStore } from '../store/token-store.js';
import type { LastUsedRecorder } from './last-used-recorder.js';
import { toMeta, type TokenMeta, type TokenService } from './token-service.js';
import { expiredAt, stoppedAt } from './token-state.js';

/**
 * Whether a token works now, or why not (`revoked` wins when both apply). A token in a
 * rotation's grace period is `active` until its `revokedAt`, which is then in the future.
 */
export type TokenStatus = 'active' | 'revoked' | 'expired';

/**
 * A token as an administrator sees it: what its owner sees at `GET /tokens/:id` (never the
 * plaintext, never the digest), plus the owner and the status now.
 */
export interface AdminTokenMeta extends TokenMeta {
  /** The token's owner. */
  readonly userId: string;
  readonly status: TokenStatus;
}

/** Which tokens {@link AdminService.list} returns. */
export interface AdminListOptions {
  /**
   * Only this user's tokens.
   * @default every user's
   */
  readonly userId?: string | undefined;
  /**
   * Include revoked and expired tokens too.
   * @default false
   */
  readonly includeInactive?: boolean | undefined;
}

/** What {@link AdminService.revoke} did. */
export interface AdminRevokeResult {
  readonly id: string;
  /** The token's owner. */
  readonly userId: string;
  /**
   * True when the token had already stopped working before this call revoked it (nothing
   * changed); of concurrent calls on one token, exactly one gets false.
   */
  readonly alreadyRevoked: boolean;
}

/** Token administration across users, available as `pat.admin`. */
export interface AdminService {
  /**
   * Active tokens (neither revoked nor expired) of every user, or of one, newest first.
   * @throws StoreUnavailableError (`store_unavailable`)
   * @example const tokens = await pat.admin.list({ userId, includeInactive: true });
   */
  list(options?: AdminListOptions): Promise<AdminTokenMeta[]>;
  /**
   * Revokes a token by id, whoever owns it; it stops working at once on every instance.
   * Revoking twice is not an error.
   * @throws NotFoundError (`not_found`) when no token has this id;
   * StoreUnavailableError (`store_unavailable`)
   * @example await pat.admin.revoke(tokenId);
   */
  revoke(id: string): Promise<AdminRevokeResult>;
}

/** What the admin service is built from. */
export interface AdminServiceDependencies {
  readonly store: TokenStore;
  /** The token service: revocations take its path (events, cache eviction). */
  readonly tokens: TokenService;
  readonly lastUsed: LastUsedRecorder;
  readonly now: () => Date;
}

function statusAt(record: TokenRecord, at: Date): TokenStatus {
  if (stoppedAt(record, at)) return 'revoked';
  if (expiredAt(record, at)) return 'expired';
  return 'active';
}

/** Builds the service. */
export function createAdminService(dependencies: AdminServiceDependencies): AdminService {
  const { store, tokens, lastUsed, now } = dependencies;

  /**
   * The owner's view (built as `pat.tokens.get` builds it) with the owner and the status, in a
   * stable order: `id`, `userId`, the other fields of `TokenMeta`, `status` (the CLI prints these
   * objects as they are).
   */
  function toAdminMeta(record: TokenRecord, at: Date): AdminTokenMeta {
    const { id, ...meta } = toMeta(record, lastUsed.latest(record));
    return { id, userId: record.userId, ...meta, status: statusAt(record, at) };
  }

  return {
    async list(options = {}) {
      const at = now();
      const records = await store.listAll({
        userId: options.userId,
        workingAt: options.includeInactive === true ? undefined : at,
      });
      return records.map((record) => toAdminMeta(record, at));
    },

    async revoke(id) {
      const record = await store.findById(id);
      if (record === null) throw new NotFoundError();
      // Decided by the revoke itself: of two concurrent calls, only one revokes.
      const alreadyRevoked = !(await tokens.revoke(record.userId, id, { admin: true }));
      return { id, userId: record.userId, alreadyRevoked };
    },
  };
}
