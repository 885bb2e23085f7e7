/**
 * Appends token lifecycle events to the `AuditEvent` table. The change an entry records is
 * already committed when it is written, so a failed write is reported, never thrown.
 */
import type { AuditEntry, NewAuditEntry, TokenStore } from '../store/token-store.js';

/** An entry of the audit trail, as `pat.tokens.auditTrail()` returns it. */
export type AuditEvent = AuditEntry;

/** Who made a change, as the audit trail names them. */
export type AuditActor = 'user' | 'token' | 'admin' | 'system';

/** Longest user agent kept, in characters. */
const USER_AGENT_MAX_LENGTH = 256;

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

export class AuditTrail {
  constructor(
    private readonly store: Pick<TokenStore, 'appendAudit'>,
    private readonly enabled: boolean,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => Date,
  ) {}

  /** Writes `records`; resolves once written (or once the failure is reported). */
  async record(...records: readonly AuditRecord[]): Promise<void> {
    if (!this.enabled || records.length === 0) return;
    const createdAt = this.now();
    const entries: NewAuditEntry[] = records.map((record) => ({
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
