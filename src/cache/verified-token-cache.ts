/**
 * The verified-token cache: an in-process LRU of token records keyed by digest, each entry kept
 * at most `ttlMs`. It only saves the database lookup: revocation and expiry are still checked on
 * every hit, entries are evicted at once by revoke and rotate, and across instances through an
 * `InvalidationChannel`.
 */
import type { DigestedTokenRecord } from '../store/token-store.js';

interface Entry {
  readonly record: DigestedTokenRecord;
  readonly storedAt: number;
}

/** Cache settings, resolved. */
export interface CacheSettings {
  readonly ttlMs: number;
  readonly maxEntries: number;
}

export class VerifiedTokenCache {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  /** tokenId → digest, so an eviction by id (from revoke or a notification) is O(1). */
  private readonly digestsById = new Map<string, string>();
  /**
   * Bumped by every eviction. A lookup that started before an eviction must not store its
   * (possibly stale) result: see {@link setIfUnchanged}.
   */
  private generation = 0;

  constructor(
    private readonly settings: CacheSettings,
    private readonly clockMs: () => number = Date.now,
  ) {}

  /** The record cached for `digest`, unless it is older than the TTL. */
  get(digest: string): DigestedTokenRecord | undefined {
    const entry = this.entries.get(digest);
    if (entry === undefined) return undefined;
    if (this.clockMs() - entry.storedAt >= this.settings.ttlMs) {
      this.delete(digest, entry.record.id);
      return undefined;
    }
    this.entries.delete(digest);
    this.entries.set(digest, entry);
    return entry.record;
  }

  /** The current generation, to pass to {@link setIfUnchanged} after a lookup. */
  get epoch(): number {
    return this.generation;
  }

  /**
   * Stores `record` unless anything was evicted since `epoch` was read: a revoke that committed
   * while the lookup was in flight can never be hidden by the lookup's older result.
   */
  setIfUnchanged(epoch: number, record: DigestedTokenRecord): void {
    if (epoch === this.generation) this.set(record);
  }

  private set(record: DigestedTokenRecord): void {
    // One id may be cached under a second digest (its old-pepper one): drop that entry, so an
    // eviction by id can never leave a copy behind.
    const previous = this.digestsById.get(record.id);
    if (previous !== undefined && previous !== record.digest) this.entries.delete(previous);
    this.entries.delete(record.digest);
    this.entries.set(record.digest, { record, storedAt: this.clockMs() });
    this.digestsById.set(record.id, record.digest);
    while (this.entries.size > this.settings.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      const evicted = this.entries.get(oldest.value);
      this.delete(oldest.value, evicted?.record.id);
    }
  }

  /** Forgets the token with this id, if cached. */
  evict(tokenId: string): void {
    this.generation += 1;
    const digest = this.digestsById.get(tokenId);
    if (digest !== undefined) this.delete(digest, tokenId);
  }

  /** Forgets everything (used when the invalidation channel reconnects and may have missed messages). */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.digestsById.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(digest: string, tokenId: string | undefined): void {
    this.entries.delete(digest);
    if (tokenId !== undefined && this.digestsById.get(tokenId) === digest) this.digestsById.delete(tokenId);
  }
}
