/**
 * The verify path's lookup: the verified-token cache in front of the store (when enabled), kept
 * correct by local eviction and by the cross-instance invalidation channel (when configured).
 */
import type { DigestedTokenRecord, TokenLookup } from '../store/token-store.js';
import type { InvalidationChannel } from './invalidation.js';
import { VerifiedTokenCache, type CacheSettings } from './verified-token-cache.js';

export class CachedLookup implements TokenLookup {
  private readonly cache: VerifiedTokenCache | undefined;
  /** Without a channel the cache serves at once; with one, only while it is listening. */
  private listening: boolean;
  private subscribed: Promise<void> | undefined;

  constructor(
    private readonly lookup: TokenLookup,
    settings: CacheSettings | undefined,
    private readonly channel: InvalidationChannel | undefined,
    private readonly onError: (error: unknown) => void,
    clockMs?: () => number,
  ) {
    this.cache = settings === undefined ? undefined : new VerifiedTokenCache(settings, clockMs);
    this.listening = channel === undefined;
  }

  async findByDigests(digests: readonly string[]): Promise<DigestedTokenRecord | null> {
    const cache = this.listening ? this.cache : undefined;
    if (cache === undefined) {
      if (this.cache !== undefined && this.subscribed === undefined) void this.start().catch(this.onError);
      return this.lookup.findByDigests(digests);
    }
    for (const digest of digests) {
      const hit = cache.get(digest);
      if (hit !== undefined) return hit;
    }
    const epoch = cache.epoch;
    const record = await this.lookup.findByDigests(digests);
    if (record !== null) cache.setIfUnchanged(epoch, record);
    return record;
  }

  /**
   * The cached record for `digest`, synchronously, when the cache is serving; never a lookup.
   * Lets the guard answer a cache hit without a single await.
   */
  peek(digest: string): DigestedTokenRecord | undefined {
    return this.listening ? this.cache?.get(digest) : undefined;
  }

  /** Whether {@link peek} can answer at all: the cache is on and serving. */
  get serving(): boolean {
    return this.listening && this.cache !== undefined;
  }

  /**
   * Starts listening on the channel, once. A channel that cannot connect keeps retrying by
   * itself and calls `onReady` when it can; until then this answers with its first failure.
   */
  start(): Promise<void> {
    if (this.channel === undefined || this.listening) return Promise.resolve();
    const channel = this.channel;
    this.subscribed ??= channel
      .subscribe({
        onInvalidate: (ids) => {
          for (const id of ids) this.cache?.evict(id);
        },
        onReset: () => {
          this.listening = false;
          this.cache?.clear();
        },
        onReady: () => {
          this.cache?.clear();
          this.listening = true;
        },
      });
    return this.subscribed;
  }

  /**
   * Forgets these tokens here and tells the other instances. A failed publish is reported, not
   * thrown: the change is already committed, and the other caches' TTL bounds their staleness.
   */
  async invalidate(tokenIds: readonly string[]): Promise<void> {
    for (const id of tokenIds) this.cache?.evict(id);
    if (this.channel === undefined || tokenIds.length === 0) return;
    await this.channel.publish(tokenIds).catch(this.onError);
  }

  async close(): Promise<void> {
    await this.channel?.close();
  }
}
