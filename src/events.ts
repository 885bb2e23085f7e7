/**
 * Token lifecycle events, for audit logs and notifications: `pat.on('token.revoked', handler)`.
 * Handlers run after the change is committed; a throwing handler is reported, never propagated.
 */
import { EventEmitter } from 'node:events';

/** Why a token was revoked. */
export type RevocationReason = 'user' | 'revoke_all' | 'rotation' | 'leak';

/** Every event and its payload. Payloads never hold a plaintext token or a digest. */
export interface PatEventMap {
  'token.created': { readonly tokenId: string; readonly userId: string; readonly name: string; readonly scopes: readonly string[] };
  'token.rotated': { readonly tokenId: string; readonly previousTokenId: string; readonly userId: string };
  'token.revoked': { readonly tokenId: string; readonly userId: string; readonly reason: RevocationReason };
  /** A live token was reported at `POST /leaked` and has been revoked. */
  'token.leaked': { readonly tokenId: string; readonly userId: string };
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
