import { guarded } from './guarded.js';
import type { PatPrismaUserClient } from './prisma-client.js';

/** A user's id and bcrypt hash, as `passwordAuth` checks them. */
export interface UserCredentials {
  readonly id: string;
  readonly passwordHash: string | null;
}

/**
 * Reads credentials from the `User` model.
 * @returns null when no user has this email. Store failures throw `StoreUnavailableError`.
 */
export function findUserCredentials(prisma: PatPrismaUserClient, email: string): Promise<UserCredentials | null> {
  return guarded(() => prisma.user.findUnique({ where: { email }, select: { id: true, passwordHash: true } }));
}
