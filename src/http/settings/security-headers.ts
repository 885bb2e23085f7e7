/** Response headers of every settings page response, errors included. */
import type { RequestHandler } from 'express';

/**
 * Scripts and styles only from the router's own asset files (no inline code), no plugins, no
 * framing, forms posting only back to this origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Sets the CSP, `nosniff`, `no-referrer`, `no-store` and `DENY` framing for older browsers. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
  });
  next();
};
