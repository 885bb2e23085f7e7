/**
 * The token format, `<prefix>_<random><checksum>`: 32 base62 characters from a CSPRNG
 * (190 bits), then 6 base62 characters of the CRC32 of everything before them. The checksum lets
 * the guard and secret scanners reject typos and made-up strings without a database lookup.
 * Pure: no I/O.
 */
import { crc32 } from 'node:zlib';
import { encodeBase62, randomBase62 } from './base62.js';

/** Characters of randomness: 32 × log2(62) ≈ 190.5 bits. */
export const RANDOM_LENGTH = 32;
/** Characters of checksum: 62^6 > 2^32, so any CRC32 fits. */
export const CHECKSUM_LENGTH = 6;
/** Characters of the random part shown in a token's non-secret `hint`. */
export const HINT_LENGTH = 4;
/** What a prefix may look like: a lower-case letter, then up to 15 lower-case letters or digits. */
export const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

const BODY_PATTERN = new RegExp(`^[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

function checksumOf(payload: string): string {
  return encodeBase62(crc32(payload), CHECKSUM_LENGTH);
}

/** A new plaintext token for `prefix`. */
export function generateToken(prefix: string): string {
  const payload = `${prefix}_${randomBase62(RANDOM_LENGTH)}`;
  return payload + checksumOf(payload);
}

/** Total length of a token with this prefix. */
export function tokenLength(prefix: string): number {
  return prefix.length + 1 + RANDOM_LENGTH + CHECKSUM_LENGTH;
}

/**
 * Whether `candidate` is a well-formed token for `prefix`: right prefix, length, alphabet and
 * checksum. A `true` says nothing about whether the token exists.
 */
export function isWellFormedToken(prefix: string, candidate: string): boolean {
  if (candidate.length !== tokenLength(prefix) || !candidate.startsWith(`${prefix}_`)) return false;
  const body = candidate.slice(prefix.length + 1);
  if (!BODY_PATTERN.test(body)) return false;
  const payload = candidate.slice(0, -CHECKSUM_LENGTH);
  return checksumOf(payload) === candidate.slice(-CHECKSUM_LENGTH);
}

/** The non-secret display hint of a token: its prefix and first random characters, e.g. `pat_x7Qa`. */
export function hintOf(prefix: string, token: string): string {
  return token.slice(0, prefix.length + 1 + HINT_LENGTH);
}

/**
 * A regular expression that matches tokens with `prefix` anywhere in a text, for secret scanners
 * (matches still need {@link isWellFormedToken} to check the checksum).
 */
export function tokenPattern(prefix: string): RegExp {
  return new RegExp(`\\b${prefix}_[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}\\b`, 'g');
}
