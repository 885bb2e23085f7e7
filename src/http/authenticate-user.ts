import type { Request } from 'express';
import { UnauthenticatedError } from '../errors.js';
import type { PatConfig } from '../options.js';

/**
 * The id of the user managing tokens on `req`, from the `authenticate` option.
 * @throws UnauthenticatedError (`unauthenticated`) when nobody is signed in, or what `authenticate` throws.
 */
export async function authenticatedUserId(req: Request, config: PatConfig): Promise<string> {
  const userId = await config.authenticate(req);
  if (typeof userId !== 'string' || userId === '') throw new UnauthenticatedError();
  return userId;
}
