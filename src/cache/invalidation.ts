/**
 * Cross-instance cache invalidation. When one instance revokes or rotates a token, every other
 * instance must drop it from its verified-token cache at once.
 */

/** What a channel calls on the instance that subscribed. */
export interface InvalidationHandlers {
  /** These token ids changed elsewhere: forget them. */
  onInvalidate(tokenIds: readonly string[]): void;
  /**
   * Messages may have been missed (the connection dropped or came back): forget everything, and
   * do not cache until `onReady`.
   */
  onReset(): void;
  /** The channel is listening again; caching may resume. */
  onReady(): void;
}

/**
 * A publish/subscribe channel between the instances of an app, such as
 * {@link postgresInvalidation}. Implement it for another broker if you like.
 */
export interface InvalidationChannel {
  /**
   * Starts listening; called once. Resolves once messages are being received. If the connection
   * fails (now or later), the channel calls `onReset`, keeps retrying, and calls `onReady` when
   * it listens again.
   */
  subscribe(handlers: InvalidationHandlers): Promise<void>;
  /** Tells every instance that these tokens changed. */
  publish(tokenIds: readonly string[]): Promise<void>;
  /** Stops listening and releases the connection. */
  close(): Promise<void>;
}
