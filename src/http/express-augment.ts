import type { PatContext } from '../service/token-service.js';

declare global {
  // Express's own extension point for request properties.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `requireToken` once a Personal Access Token is verified. */
      pat?: PatContext;
    }
  }
}

export {};
