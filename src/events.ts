/**
 * Token lifecycle events, for audit logs and notifications: `pat.on('token.revoked', handler)`.
 * Handlers run after the change is committed; a throwing handler is reported, never propagated.
 */
import { EventEmitter } from 'node:events';

/** Why a token was revoked. */
export type RevocationReason = 'user' | 'admin' | 'revoke_all' | 'rotation' | 'leak';

/** Every event and its payload. Payloads never hold a plaintext token or a digest. */
export interface PatEventMap {
  'token.created': { readonly tokenId: string; readonly userId: string; readonly name: string; readonly scopes: readonly string[] };
  /**
   * A token was replaced by `tokenId`. The previous one stops working at `previousStopsAt`: at
   * once, or when the rotation's grace period ends.
   */
  'token.rotated': {
    readonly tokenId: string;
    readonly previousTokenId: string;
    readonly userId: string;
    readonly familyId: string;
    readonly previousStopsAt: Date;
  };
  /** A token was revoked; it stops working at `at` (later than now only for a rotation with grace). */
  'token.revoked': { readonly tokenId: string; readonly userId: string; readonly reason: RevocationReason; readonly at: Date };
  /** A live token was reported at `POST /leaked` and has been revoked. */
  'token.leaked': { readonly tokenId: string; readonly userId: string };
  /**
   * A token was used from an IP other than the one it was last used from (`previousIp` is null
   * on its first use). Several instances each compare with what they last saw.
   */
  'token.used_from_new_ip': {
    readonly tokenId: string;
    readonly userId: string;
    readonly ip: string;
    readonly previousIp: string | null;
    readonly userAgent: string | null;
  };
  /**
   * Reuse detection: a token that was rotated was presented after it stopped working (after its
   * grace period). It was refused (401 `token_revoked`); someone may still hold a copy.
   */
  'token.reused': {
    readonly tokenId: string;
    readonly userId: string;
    readonly familyId: string;
    readonly replacedById: string;
    readonly ip: string | null;
    readonly userAgent: string | null;
  };
  /** A token will expire within `withinDays` days (sent once per configured threshold). */
  'token.expiring': {
    readonly tokenId: string;
    readonly userId: string;
    readonly name: string;
    readonly expiresAt: Date;
    readonly withinDays: number;
  };
}

export type PatEventName = keyof PatEventMap;
export type PatEventHandler<E extends PatEventName> = (payload: PatEventMap[E]) => void | Promise<void>;

/** The typed event bus behind `pat.on` / `pat.off`. */
export interface PatEvents {
  on<E extends PatEventName>(event: E, handler: PatEventHandler<E>): void;
  off<E extends PatEventName>(event: E, handler: PatEventHandler<E>): void;
  emit<E extends PatEventName>(event: E, payload: PatEventMap[E]): void;
}

export function createEvents(onHandlerError: (error: unknown) => void): PatEvents {
  const emitter = new EventEmitter();
  /** The listener registered for each (event, handler) pair, so `off` finds exactly that one. */
  const wrapped = new Map<PatEventName, Map<unknown, (payload: unknown) => void>>();
  return {
    on(event, handler) {
      const forEvent = wrapped.get(event) ?? new Map<unknown, (payload: unknown) => void>();
      wrapped.set(event, forEvent);
      if (forEvent.has(handler)) return;
      const listener = (payload: unknown): void => {
        try {
          void Promise.resolve(handler(payload as never)).catch(onHandlerError);
        } catch (error) {
          onHandlerError(error);
        }
      };
      forEvent.set(handler, listener);
      emitter.on(event, listener);
    },
    off(event, handler) {
      const listener = wrapped.get(event)?.get(handler);
      if (listener === undefined) return;
      emitter.off(event, listener);
      wrapped.get(event)?.delete(handler);
    },
    emit(event, payload) {
      emitter.emit(event, payload);
    },
  };
}
