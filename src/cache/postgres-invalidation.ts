/**
 * {@link InvalidationChannel} over PostgreSQL `LISTEN/NOTIFY`: no extra infrastructure for apps
 * already on PostgreSQL. It holds one dedicated listening connection; if that connection drops,
 * the cache is cleared and bypassed until a new connection is listening again. Each publish
 * (a revoke, a rotation: rare) uses a short-lived connection of its own.
 */
import type { InvalidationChannel, InvalidationHandlers } from './invalidation.js';

/** The part of a `pg.Client` the channel uses. */
export interface PgListenClient {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  end(): Promise<void>;
}

/** Options of {@link postgresInvalidation}. */
export interface PostgresInvalidationOptions {
  /** Makes a new, unconnected client, e.g. `() => new pg.Client({ connectionString })`. */
  readonly client: () => PgListenClient;
  /**
   * The NOTIFY channel name; every instance of one app must use the same.
   * @default 'express_pat_invalidations'
   */
  readonly channel?: string | undefined;
  /**
   * Wait before reconnecting after the connection dropped, in milliseconds.
   * @default 1000
   */
  readonly reconnectDelayMs?: number | undefined;
}

/** NOTIFY payloads are limited to 8000 bytes: ids are sent in batches well below it. */
const IDS_PER_MESSAGE = 100;

/**
 * Cross-instance invalidation through PostgreSQL `LISTEN/NOTIFY`.
 * @example
 * createPersonalAccessTokens({
 *   prisma, scopes, cache: true,
 *   invalidation: postgresInvalidation({ client: () => new pg.Client({ connectionString }) }),
 * });
 */
export function postgresInvalidation(options: PostgresInvalidationOptions): InvalidationChannel {
  const channel = options.channel ?? 'express_pat_invalidations';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) {
    throw new TypeError('express-pat: the invalidation `channel` must be a lower-case SQL identifier.');
  }
  const reconnectDelayMs = options.reconnectDelayMs ?? 1000;
  let client: PgListenClient | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  async function listen(handlers: InvalidationHandlers): Promise<void> {
    const next = options.client();
    let dropped = false;
    const drop = (): void => {
      if (dropped) return;
      dropped = true;
      if (client === next) client = undefined;
      handlers.onReset();
      void next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void listen(handlers).catch(() => undefined), reconnectDelayMs).unref();
    };
    next.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      handlers.onInvalidate(message.payload.split(','));
    });
    next.on('error', drop);
    next.on('end', drop);
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      drop();
      throw error;
    }
    if (closed) {
      // close() ran while this connection was being made: it must not outlive it.
      dropped = true;
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    handlers.onReady();
  }

  return {
    subscribe: listen,
    async publish(tokenIds) {
      // A connection of its own: a revoke must be announced even while the listening
      // connection is down or reconnecting on this instance.
      const publisher = options.client();
      publisher.on('error', () => undefined);
      try {
        await publisher.connect();
        for (let start = 0; start < tokenIds.length; start += IDS_PER_MESSAGE) {
          await publisher.query('SELECT pg_notify($1, $2)', [channel, tokenIds.slice(start, start + IDS_PER_MESSAGE).join(',')]);
        }
      } finally {
        await publisher.end().catch(() => undefined);
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const connected = client;
      client = undefined;
      await connected?.end();
    },
  };
}
