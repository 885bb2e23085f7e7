import { guarded } from '../guarded.js';
import type { TokenLookup } from '../token-store.js';
import { lookupQuery, recordFromRows, type LookupRow } from './rows.js';

/** The part of a better-sqlite3 `Database` the lookup uses. */
export interface SqliteDatabase {
  prepare(sql: string): { all(...parameters: unknown[]): unknown[] };
}

/**
 * A token lookup on a better-sqlite3 handle to the same file Prisma uses: one indexed query
 * (token and scopes together), prepared once. Use it as the `lookup` option when SQLite is your
 * database and the guard's cost matters; it assumes the reference table names.
 * @example
 * import Database from 'better-sqlite3';
 * createPersonalAccessTokens({ prisma, scopes, lookup: sqliteTokenLookup(new Database('app.db', { readonly: true })) });
 */
export function sqliteTokenLookup(database: SqliteDatabase): TokenLookup {
  /** One prepared statement per number of digests (one per configured pepper). */
  const statements = new Map<number, ReturnType<SqliteDatabase['prepare']>>();
  const statementFor = (count: number) => {
    let statement = statements.get(count);
    if (statement === undefined) {
      statement = database.prepare(lookupQuery(count, (column) => column, () => '?'));
      statements.set(count, statement);
    }
    return statement;
  };
  statementFor(1);
  return {
    findByDigests: (digests) =>
      guarded(async () => recordFromRows(statementFor(digests.length).all(...digests) as LookupRow[])),
  };
}
