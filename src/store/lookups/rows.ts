import type { DigestedTokenRecord } from '../token-store.js';

/** One row of the lookup join: a token's columns and one of its scope names (or null). */
export interface LookupRow {
  id: string;
  userId: string;
  name: string;
  digest: string;
  pepperId: string | null;
  hint: string;
  createdAt: Date | string;
  expiresAt: Date | string | null;
  lastUsedAt: Date | string | null;
  lastUsedIp: string | null;
  lastUsedUserAgent: string | null;
  revokedAt: Date | string | null;
  familyId: string | null;
  replacedById: string | null;
  scope: string | null;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
const toOptionalDate = (value: Date | string | null): Date | null => (value === null ? null : toDate(value));

/** Folds the join's rows (one per scope) into one record, or null when there are none. */
export function recordFromRows(rows: readonly LookupRow[]): DigestedTokenRecord | null {
  const [first] = rows;
  if (first === undefined) return null;
  return {
    id: first.id,
    userId: first.userId,
    name: first.name,
    digest: first.digest,
    pepperId: first.pepperId,
    hint: first.hint,
    scopes: rows.flatMap((row) => (row.scope === null ? [] : [row.scope])),
    createdAt: toDate(first.createdAt),
    expiresAt: toOptionalDate(first.expiresAt),
    lastUsedAt: toOptionalDate(first.lastUsedAt),
    lastUsedIp: first.lastUsedIp,
    lastUsedUserAgent: first.lastUsedUserAgent,
    revokedAt: toOptionalDate(first.revokedAt),
    familyId: first.familyId,
    replacedById: first.replacedById,
  };
}

/**
 * The lookup query for `count` digests; `date` wraps each timestamp column and `placeholder(i)`
 * names the i-th parameter (0-based).
 */
export function lookupQuery(count: number, date: (column: string) => string, placeholder: (index: number) => string): string {
  const parameters = Array.from({ length: count }, (_, index) => placeholder(index)).join(', ');
  return `SELECT t."id", t."userId", t."name", t."digest", t."pepperId", t."hint",
       ${date('t."createdAt"')} AS "createdAt", ${date('t."expiresAt"')} AS "expiresAt",
       ${date('t."lastUsedAt"')} AS "lastUsedAt", t."lastUsedIp", t."lastUsedUserAgent",
       ${date('t."revokedAt"')} AS "revokedAt", t."familyId", t."replacedById",
       s."name" AS "scope"
  FROM "PersonalAccessToken" t
  LEFT JOIN "PersonalAccessTokenScope" l ON l."tokenId" = t."id"
  LEFT JOIN "Scope" s ON s."id" = l."scopeId"
 WHERE t."digest" IN (${parameters})`;
}
