/**
 * CSRF protection of the settings page's forms, without cookies or server state: a synchronizer
 * token that is an HMAC of the signed-in user's id and the time it was issued (OWASP's HMAC-based
 * token pattern), checked together with the browser's `Sec-Fetch-Site` or `Origin` header.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { CsrfError } from '../../errors.js';

/** Name of the hidden form field carrying the token. */
export const CSRF_FIELD = '_csrf';

/** How long a rendered form can be submitted. */
const MAX_AGE_MS = 12 * 60 * 60 * 1000;
/** Tolerated clock skew between instances issuing and checking a token. */
const SKEW_MS = 60 * 1000;
const TOKEN_SHAPE = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;

/** Issues and checks the CSRF tokens of one settings page. */
export interface CsrfGuard {
  /** A token for the forms rendered to `userId`. */
  issue(userId: string): string;
  /**
   * Checks a form post by `userId`: its token must be one issued to that user within 12 hours,
   * and the browser must not report the post as coming from another site.
   * @throws CsrfError (`csrf_failed`)
   */
  verify(req: Request, userId: string): void;
}

/** Whether the browser says the request comes from another origin. Non-browser clients send neither header. */
function fromAnotherSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin';
  const origin = req.get('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    // `Origin: null` (sandboxed frames, some redirects) and anything unparsable.
    return true;
  }
}

/**
 * A guard keyed by a key derived from `secret` (the newest pepper) with HKDF, so no key is
 * shared with the token digests and all instances of an app accept each other's forms.
 */
export function createCsrfGuard(secret: string, now: () => Date): CsrfGuard {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'express-pat settings page CSRF token', 32));
  const mac = (userId: string, issued: string): Buffer => createHmac('sha256', key).update(`${issued}\n${userId}`).digest();

  return {
    issue(userId) {
      const issued = Math.floor(now().getTime() / 1000).toString(36);
      return `${issued}.${mac(userId, issued).toString('base64url')}`;
    },

    verify(req, userId) {
      if (fromAnotherSite(req)) throw new CsrfError();
      const presented: unknown = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      const match = typeof presented === 'string' ? TOKEN_SHAPE.exec(presented) : null;
      if (!match?.[1] || !match[2]) throw new CsrfError();
      const ageMs = now().getTime() - parseInt(match[1], 36) * 1000;
      if (ageMs > MAX_AGE_MS || ageMs < -SKEW_MS) throw new CsrfError();
      if (!timingSafeEqual(Buffer.from(match[2], 'base64url'), mac(userId, match[1]))) throw new CsrfError();
    },
  };
}
