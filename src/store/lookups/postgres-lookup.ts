import { guarded } from '../guarded.js';
import type { TokenLookup } from '../token-store.js';
import { lookupQuery, recordFromRows, type LookupRow } from './rows.js';

/** The part of a `pg.Pool` (or `pg.Client`) the lookup uses. */
export interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * A token lookup on a `pg.Pool`: one indexed query (token and scopes together) as a named
 * prepared statement, so PostgreSQL plans it once per connection. Prisma stores `timestamp(3)`
 * in UTC without a zone; the query reads it as UTC whatever the server's time zone.
 * Set the pool's `search_path` (e.g. `options: '-c search_path=app'`) if the tables are not in
 * `public`; it assumes the reference table names.
 * @example createPersonalAccessTokens({ prisma, scopes, lookup: postgresTokenLookup(pool) });
 */
export function postgresTokenLookup(pool: PgQueryable): TokenLookup {
  const texts = new Map<number, string>();
  const textFor = (count: number): string => {
    let text = texts.get(count);
    if (text === undefined) {
      text = lookupQuery(count, (column) => `(${column} AT TIME ZONE 'UTC')`, (index) => `$${index + 1}`);
      texts.set(count, text);
    }
    return text;
  };
  return {
    findByDigests: (digests) =>
      guarded(async () => {
        const name = `express-pat-find-token-by-${digests.length}-digests`;
        const { rows } = await pool.query({ name, text: textFor(digests.length), values: [...digests] });
        return recordFromRows(rows as LookupRow[]);
      }),
  };
}
