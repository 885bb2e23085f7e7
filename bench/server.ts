/**
 * The server under test, run by bench/run.ts as a child process (pinned to one core when
 * `taskset` exists). It reads its configuration from BENCH_SERVER_SPEC, serves `GET /bare` and,
 * unless the spec is `bare`, the same handler behind a guard at `GET /guarded`, then prints
 * `ready <port>`. SIGTERM closes everything and exits normally, so `--cpu-prof` writes its profile.
 */
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import express, { type RequestHandler } from 'express';
import pg from 'pg';
import { resolveDatabase } from '../src/demo/database.js';
import { openPrismaClient } from '../src/demo/prisma.js';
import { createPersonalAccessTokens, postgresTokenLookup, sqliteTokenLookup, type TokenLookup } from '../src/index.js';
import { BENCH_SCOPE, SERVER_SPEC_ENV, readServerSpec, type ServerSpec } from './scenarios.js';

const pong: RequestHandler = (_req, res) => {
  res.json({ pong: true });
};

/** The naive guard: one cost-10 bcrypt comparison per request (on libuv's thread pool). */
function bcryptGuard(hash: string): RequestHandler {
  return async (req, res, next) => {
    const presented = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (presented === undefined || !(await bcrypt.compare(presented, hash))) {
      res.status(401).json({ error: { code: 'token_invalid', message: 'The token is not valid.' } });
      return;
    }
    next();
  };
}

/** Adds `/guarded` for `spec`; returns what to close on shutdown. */
async function mountGuard(app: express.Express, spec: ServerSpec): Promise<() => Promise<void>> {
  if (spec.kind === 'bare') return () => Promise.resolve();
  if (spec.kind === 'bcrypt') {
    app.get('/guarded', bcryptGuard(spec.hash), pong);
    return () => Promise.resolve();
  }
  const target = resolveDatabase(spec.databaseUrl);
  const prisma = await openPrismaClient(target);
  let lookup: TokenLookup | undefined;
  let closeLookup = (): Promise<void> => Promise.resolve();
  if (spec.lookup === 'driver' && target.provider === 'sqlite') {
    const db = new Database(target.file ?? '', { readonly: true });
    lookup = sqliteTokenLookup(db);
    closeLookup = async () => void db.close();
  } else if (spec.lookup === 'driver') {
    const pool = new pg.Pool(target.pool);
    lookup = postgresTokenLookup(pool);
    closeLookup = () => pool.end();
  }
  const pat = createPersonalAccessTokens({
    prisma,
    pepper: spec.pepper,
    scopes: { [BENCH_SCOPE]: 'Read the benchmark route' },
    cache: spec.cache,
    lookup,
  });
  await pat.ready();
  app.get('/guarded', pat.requireToken([BENCH_SCOPE]), pong);
  app.use(pat.errorHandler);
  return async () => {
    await pat.close();
    await closeLookup();
    await prisma.$disconnect();
  };
}

async function main(): Promise<void> {
  const spec = readServerSpec(process.env[SERVER_SPEC_ENV]);
  const app = express();
  app.get('/bare', pong);
  const close = await mountGuard(app, spec);
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 3000).unref();
    server.close();
    server.closeAllConnections();
    void close()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
