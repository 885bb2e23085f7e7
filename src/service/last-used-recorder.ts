/**
 * Coalesces last-use writes (`lastUsedAt`, `lastUsedIp`, `lastUsedUserAgent`): a busy token is
 * queued at most once per interval, unless it is used from an IP it was not recently used from,
 * and the queue is written in one batch every second (and on `close()`), so the guard never waits
 * for a write and a token used a thousand times a second costs one write a minute.
 */
import type { LastUse, TokenRecord, TokenStore } from '../store/token-store.js';

const FLUSH_EVERY_MS = 1000;
/** Tokens whose recent IPs are remembered in memory (beyond that, the stored value is used). */
const REMEMBERED_TOKENS = 10_000;
/**
 * Recent IPs remembered per token: a job whose runners take turns among a few egress IPs is
 * announced once per IP, not at every change.
 */
const RECENT_IPS_PER_TOKEN = 4;

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
   * Set when the use came from an IP the token was not recently used from (its stored last IP
   * and, on this instance, its last few): the IP it was last used from (null on a first use).
   */
  readonly newIpAfter?: string | null;
}

export class LastUsedRecorder {
  private readonly pending = new Map<string, LastUse>();
  /** When each token was last queued; entries older than the interval are dropped at flush. */
  private readonly queuedAt = new Map<string, number>();
  /**
   * Each token's recent IPs on this instance, most recent first; tokens least recently changed
   * first (touched only when the IP changes: this runs on the guard's path).
   */
  private readonly recentIps = new Map<string, string[]>();
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
    const recent = this.recentIps.get(id);
    const previousIp = recent?.[0] ?? stored.lastUsedIp;
    const newIp = ip !== undefined && ip !== stored.lastUsedIp && !(recent?.includes(ip) ?? false);
    if (ip !== undefined && ip !== previousIp) this.rememberIp(id, ip, recent ?? (stored.lastUsedIp === null ? [] : [stored.lastUsedIp]));
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
      lastUsedIp: queued?.ip ?? this.recentIps.get(stored.id)?.[0] ?? lastUsedIp,
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

  private rememberIp(id: string, ip: string, recent: readonly string[]): void {
    this.recentIps.delete(id);
    this.recentIps.set(id, [ip, ...recent.filter((known) => known !== ip)].slice(0, RECENT_IPS_PER_TOKEN));
    if (this.recentIps.size > REMEMBERED_TOKENS) {
      const oldest = this.recentIps.keys().next();
      if (oldest.done !== true) this.recentIps.delete(oldest.value);
    }
  }
}
