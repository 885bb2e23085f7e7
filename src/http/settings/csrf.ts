/**
 * CSRF protection of the settings page's forms, without cookies or sessions: a synchronizer token
 * that is an HMAC of the signed-in user's id, the time it was issued and a random id of the
 * rendered form (OWASP's HMAC-based token pattern), checked together with the browser's
 * `Sec-Fetch-Site` or `Origin` header. The form id lets the page accept each form only once.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { CsrfError } from '../../errors.js';

/** Name of the hidden form field carrying the token. */
export const CSRF_FIELD = '_csrf';

/** How long a rendered form can be submitted. */
const MAX_AGE_MS = 12 * 60 * 60 * 1000;
/** Tolerated clock skew between instances issuing and checking a token. */
const SKEW_MS = 60 * 1000;
/** Random bytes of a form id (128 bits, 22 base64url characters). */
const FORM_ID_BYTES = 16;
/** `<issued, base 36 seconds>.<form id>.<HMAC>`, all URL-safe. */
const TOKEN_SHAPE = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** A form post whose CSRF token checked out. */
export interface SubmittedForm {
  /** The random id of the rendered form: every rendering gets a new one. */
  readonly id: string;
  /** When the token stops being accepted (ms since the epoch); from then on the form is refused anyway. */
  readonly expiresAtMs: number;
}

/** Issues and checks the CSRF tokens of one settings page. */
export interface CsrfGuard {
  /** A token for one form rendered to `userId`, with a new form id. */
  issue(userId: string): string;
  /**
   * Checks a form post by `userId`: its token must be one issued to that user within 12 hours,
   * and the browser must not report the post as coming from another site.
   * @returns which rendered form was posted.
   * @throws CsrfError (`csrf_failed`)
   */
  verify(req: Request, userId: string): SubmittedForm;
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
  const mac = (userId: string, issued: string, formId: string): Buffer =>
    createHmac('sha256', key).update(`${issued}\n${formId}\n${userId}`).digest();

  return {
    issue(userId) {
      const issued = Math.floor(now().getTime() / 1000).toString(36);
      const formId = randomBytes(FORM_ID_BYTES).toString('base64url');
      return `${issued}.${formId}.${mac(userId, issued, formId).toString('base64url')}`;
    },

    verify(req, userId) {
      if (fromAnotherSite(req)) throw new CsrfError();
      const presented: unknown = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      const match = typeof presented === 'string' ? TOKEN_SHAPE.exec(presented) : null;
      const [, issued, formId, presentedMac] = match ?? [];
      if (!issued || !formId || !presentedMac) throw new CsrfError();
      const issuedAtMs = parseInt(issued, 36) * 1000;
      const ageMs = now().getTime() - issuedAtMs;
      if (ageMs > MAX_AGE_MS || ageMs < -SKEW_MS) throw new CsrfError();
      if (!timingSafeEqual(Buffer.from(presentedMac, 'base64url'), mac(userId, issued, formId))) throw new CsrfError();
      return { id: formId, expiresAtMs: issuedAtMs + MAX_AGE_MS };
    },
  };
}
