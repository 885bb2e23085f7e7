/**
 * Opens the demo's Prisma client for a database target. The project generates one client per
 * provider (`generated/sqlite`, `generated/postgresql`); both fit the library's structural types.
 */
import type { PatPrismaClient, PatPrismaUserClient } from '../index.js';
import { createAdapter, type DatabaseTarget } from './database.js';

/** The demo's own use of the `User` model, on top of what the library needs. */
export interface DemoPrismaClient extends PatPrismaClient, PatPrismaUserClient {
  user: PatPrismaUserClient['user'] & {
    create(args: {
      data: { email: string; passwordHash?: string | null };
      select: { id: true; email: true };
    }): PromiseLike<{ id: string; email: string }>;
  };
  $disconnect(): Promise<void>;
}

/** A connected Prisma client for `target`, through its driver adapter. */
export async function openPrismaClient(target: DatabaseTarget): Promise<DemoPrismaClient> {
  const adapter = createAdapter(target);
  if (target.provider === 'sqlite') {
    const { PrismaClient } = await import('../../generated/sqlite/client.js');
    return new PrismaClient({ adapter });
  }
  const { PrismaClient } = await import('../../generated/postgresql/client.js');
  return new PrismaClient({ adapter });
}
