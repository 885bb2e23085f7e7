import { StoreUnavailableError } from '../errors.js';

/**
 * Runs a database call and turns any failure into `StoreUnavailableError`, as the store port
 * requires: driver and Prisma errors never travel above `src/store/`.
 */
export async function guarded<T>(operation: () => PromiseLike<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
  }
}
