/**
 * Appends token lifecycle events to the `AuditEvent` table. The change an entry records is
 * already committed when it is written, so a failed write is reported, never thrown.
 */
import { randomBytes } from 'node:crypto';
import type { AuditEntry, NewAuditEntry, TokenStore } from '../store/token-store.js';

/** An entry of the audit trail, as `pat.tokens.auditTrail()` returns it. */
export type AuditEvent = AuditEntry;

/** Who made a change, as the audit trail names them. */
export type AuditActor = 'user' | 'token' | 'admin' | 'system';

/** Longest user agent kept (in the trail and in `lastUsedUserAgent`), in characters. */
export const USER_AGENT_MAX_LENGTH = 256;

/** An entry to record; `createdAt` defaults to now and absent fields to null. */
export interface AuditRecord {
  readonly action: string;
  readonly userId: string;
  readonly actor: AuditActor;
  readonly actorTokenId?: string | undefined;
  readonly tokenId?: string | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Ids that sort in the order this process wrote them (a UUID version 7: 48 bits of milliseconds,
 * then a counter within the millisecond, then random bits), so "newest first" is exact even for
 * entries written in the same millisecond.
 */
export function createAuditIds(): () => string {
  let lastMs = 0;
  let counter = 0;
  return () => {
    const ms = Math.max(Date.now(), lastMs);
    counter = ms === lastMs ? counter + 1 : 0;
    lastMs = ms;
    if (counter > 0xfff) {
      lastMs += 1;
      counter = 0;
    }
    const random = randomBytes(8);
    const hex =
      lastMs.toString(16).padStart(12, '0') +
      (0x7000 | counter).toString(16) +
      ((random.readUInt16BE(0) & 0x3fff) | 0x8000).toString(16) +
      random.subarray(2).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  };
}

export class AuditTrail {
  private readonly nextId = createAuditIds();
  /** Writes started in the background and not settled yet, awaited by {@link drain}. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Pick<TokenStore, 'appendAudit'>,
    private readonly enabled: boolean,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => Date,
  ) {}

  /** Writes `records` off the caller's path; {@link drain} waits for it. */
  recordInBackground(...records: readonly AuditRecord[]): void {
    const write = this.record(...records);
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  }

  /** Resolves once every background write has settled (call before disconnecting). */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Writes `records`; resolves once written (or once the failure is reported). */
  async record(...records: readonly AuditRecord[]): Promise<void> {
    if (!this.enabled || records.length === 0) return;
    const createdAt = this.now();
    const entries: NewAuditEntry[] = records.map((record) => ({
      id: this.nextId(),
      createdAt,
      action: record.action,
      userId: record.userId,
      actor: record.actor,
      actorTokenId: record.actorTokenId ?? null,
      tokenId: record.tokenId ?? null,
      ip: record.ip ?? null,
      userAgent: record.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
      details: record.details === undefined ? null : JSON.stringify(record.details),
    }));
    try {
      await this.store.appendAudit(entries);
    } catch (error) {
      this.onError(error);
    }
  }
}
