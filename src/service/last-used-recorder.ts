/**
 * Coalesces `lastUsedAt` writes: a busy token is queued at most once per interval, and the
 * queue is written in one batch every second (and on `close()`), so the guard never waits for a
 * write and a token used a thousand times a second costs one write a minute.
 */
import type { LastUse, TokenStore } from '../store/token-store.js';

const FLUSH_EVERY_MS = 1000;

export class LastUsedRecorder {
  private readonly pending = new Map<string, Date>();
  /** When each token was last queued; entries older than the interval are dropped at flush. */
  private readonly queuedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<TokenStore, 'recordLastUses'>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Notes that token `id`, whose stored `lastUsedAt` is `stored`, was used at `at`.
   * @returns the `lastUsedAt` to show for the token now.
   */
  record(id: string, at: Date, stored: Date | null): Date {
    const known = Math.max(stored?.getTime() ?? -Infinity, this.queuedAt.get(id) ?? -Infinity);
    if (at.getTime() - known < this.intervalMs) return new Date(known);
    this.queuedAt.set(id, at.getTime());
    this.pending.set(id, at);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref();
    return at;
  }

  /** The newest known `lastUsedAt` of a token, written or still queued. */
  latest(id: string, stored: Date | null): Date | null {
    const queued = this.queuedAt.get(id);
    if (queued === undefined || (stored !== null && stored.getTime() >= queued)) return stored;
    return new Date(queued);
  }

  /** Writes everything queued. Failures are reported, never thrown: a request never waits on this. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const uses: LastUse[] = [...this.pending].map(([id, at]) => ({ id, at }));
    this.pending.clear();
    const newest = uses.reduce((max, use) => Math.max(max, use.at.getTime()), -Infinity);
    for (const [id, at] of this.queuedAt) if (newest - at >= this.intervalMs) this.queuedAt.delete(id);
    if (uses.length > 0) {
      this.flushing = this.flushing.then(() => this.store.recordLastUses(uses)).catch(this.onError);
    }
    return this.flushing;
  }
}
