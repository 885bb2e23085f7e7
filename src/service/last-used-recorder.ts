/**
 * Coalesces last-use writes (`lastUsedAt`, `lastUsedIp`, `lastUsedUserAgent`): a busy token is
 * queued at most once per interval, unless it is used from another IP, and the queue is written
 * in one batch every second (and on `close()`), so the guard never waits for a write and a token
 * used a thousand times a second costs one write a minute.
 */
import type { LastUse, TokenRecord, TokenStore } from '../store/token-store.js';

const FLUSH_EVERY_MS = 1000;
/** Tokens whose last IP is remembered in memory (beyond that, the stored value is used). */
const REMEMBERED_IPS = 10_000;

/** Where a use came from, when it came through a request. */
export interface UseOrigin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

/** What {@link LastUsedRecorder.record} learned about a use. */
export interface RecordedUse {
  /** The `lastUsedAt` to show for the token now. */
  readonly lastUsedAt: Date;
  /**
   * Set when the use came from an IP other than the token's last known one: that earlier IP
   * (null on a token's first recorded use).
   */
  readonly newIpAfter?: string | null;
}

export class LastUsedRecorder {
  private readonly pending = new Map<string, LastUse>();
  /** When each token was last queued; entries older than the interval are dropped at flush. */
  private readonly queuedAt = new Map<string, number>();
  /** The last IP each token was seen from, least recently changed first (touched on change only: the guard's path). */
  private readonly lastIps = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<TokenStore, 'recordLastUses'>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Notes that token `stored` was used at `at`, from `origin` when the use came over HTTP. */
  record(stored: Pick<TokenRecord, 'id' | 'lastUsedAt' | 'lastUsedIp'>, at: Date, origin?: UseOrigin): RecordedUse {
    const { id } = stored;
    const ip = origin?.ip;
    const previousIp = this.lastIps.get(id) ?? stored.lastUsedIp;
    const newIp = ip !== undefined && ip !== previousIp;
    if (newIp) this.rememberIp(id, ip);
    const known = Math.max(stored.lastUsedAt?.getTime() ?? -Infinity, this.queuedAt.get(id) ?? -Infinity);
    if (!newIp && at.getTime() - known < this.intervalMs) return { lastUsedAt: new Date(known) };
    this.queuedAt.set(id, Math.max(at.getTime(), this.queuedAt.get(id) ?? -Infinity));
    this.pending.set(id, { id, at, ip, userAgent: origin?.userAgent });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref();
    return newIp ? { lastUsedAt: at, newIpAfter: previousIp } : { lastUsedAt: at };
  }

  /** The newest known last use of a token, written or still queued. */
  latest(stored: Pick<TokenRecord, 'id' | 'lastUsedAt' | 'lastUsedIp' | 'lastUsedUserAgent'>): {
    lastUsedAt: Date | null;
    lastUsedIp: string | null;
    lastUsedUserAgent: string | null;
  } {
    const { lastUsedAt, lastUsedIp, lastUsedUserAgent } = stored;
    const queued = this.pending.get(stored.id);
    const queuedAt = this.queuedAt.get(stored.id);
    if (queuedAt === undefined || (lastUsedAt !== null && lastUsedAt.getTime() >= queuedAt)) {
      return { lastUsedAt, lastUsedIp, lastUsedUserAgent };
    }
    return {
      lastUsedAt: new Date(queuedAt),
      lastUsedIp: queued?.ip ?? this.lastIps.get(stored.id) ?? lastUsedIp,
      lastUsedUserAgent: queued?.userAgent ?? lastUsedUserAgent,
    };
  }

  /** Writes everything queued. Failures are reported, never thrown: a request never waits on this. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const uses = [...this.pending.values()];
    this.pending.clear();
    const newest = uses.reduce((max, use) => Math.max(max, use.at.getTime()), -Infinity);
    for (const [id, at] of this.queuedAt) if (newest - at >= this.intervalMs) this.queuedAt.delete(id);
    if (uses.length > 0) {
      this.flushing = this.flushing.then(() => this.store.recordLastUses(uses)).catch(this.onError);
    }
    return this.flushing;
  }

  private rememberIp(id: string, ip: string): void {
    this.lastIps.delete(id);
    this.lastIps.set(id, ip);
    if (this.lastIps.size > REMEMBERED_IPS) {
      const oldest = this.lastIps.keys().next();
      if (oldest.done !== true) this.lastIps.delete(oldest.value);
    }
  }
}
