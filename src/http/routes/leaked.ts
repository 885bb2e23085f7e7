import type { RequestHandler } from 'express';
import type { TokenService } from '../../service/token-service.js';
import { presentedFrom } from '../require-token.js';

/** Most token strings one leak report may carry. */
export const LEAK_REPORT_MAX_TOKENS = 100;

/**
 * `POST /leaked` (opt-in, public): `{ tokens: string[] }` → 202. Every live token among them is
 * revoked; the answer is the same whether none or all of them were real.
 */
export function reportLeakedRoute(service: TokenService): RequestHandler {
  return async (req, res) => {
    const { tokens } = req.body as { tokens: string[] };
    await service.reportLeaked(tokens, presentedFrom(req));
    res.status(202).json({ received: tokens.length });
  };
}
