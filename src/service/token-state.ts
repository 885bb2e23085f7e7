/**
 * Whether a stored token still works at an instant. One rule for the guard, the services and the
 * admin views: `revokedAt` may lie in the future (a rotation's grace period).
 */
import type { TokenRecord } from '../store/token-store.js';

/** Revoked by `at` (a revocation, or the end of a rotation's grace period). */
export const stoppedAt = (record: Pick<TokenRecord, 'revokedAt'>, at: Date): boolean =>
  record.revokedAt !== null && record.revokedAt.getTime() <= at.getTime();

/** Expired by `at`. */
export const expiredAt = (record: Pick<TokenRecord, 'expiresAt'>, at: Date): boolean =>
  record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime();
