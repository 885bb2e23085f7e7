/**
 * Token digests: only `HMAC-SHA-256(pepper, token)` is stored. A token carries 190 bits of
 * entropy, so a fast keyed hash is as strong as bcrypt here and costs microseconds, not the
 * ~60 ms bcrypt would add to every request. Pure: no I/O.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The stored digest of `token` under `pepper`, base64url (43 characters). */
export function digestToken(pepper: string, token: string): string {
  return createHmac('sha256', pepper).update(token).digest('base64url');
}

/** Compares two digests in constant time (for equal lengths; unequal lengths are simply unequal). */
export function digestsMatch(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A pepper and its non-secret id, recorded next to each digest it made. */
export interface Pepper {
  readonly id: string;
  readonly secret: string;
}

/** The non-secret id of a pepper: 12 characters of a keyed hash, which reveal nothing of it. */
export function pepperOf(secret: string): Pepper {
  return { id: createHmac('sha256', secret).update('express-pat pepper id').digest('base64url').slice(0, 12), secret };
}
