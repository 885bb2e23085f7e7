import { StoreUnavailableError } from '../errors.js';

/**
 * Runs a database call and turns any failure into `StoreUnavailableError`, as the store port
 * requires: driver and Prisma errors never travel above `src/store/`. With `timeoutMs`, a call
 * that has not settled by then fails too (a hung connection or an exhausted pool must not hold
 * a request forever, nor let it through).
 */
export async function guarded<T>(operation: () => PromiseLike<T>, timeoutMs?: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = Promise.resolve().then(operation);
    if (timeoutMs === undefined) return await work;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`database call took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([work, timeout]);
  } catch (error) {
    throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
  } finally {
    clearTimeout(timer);
  }
}
