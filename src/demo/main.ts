/**
 * `npm start`: runs the demo on `DATABASE_URL` (default: a SQLite file under ./data), applying
 * pending migrations first. Reads `PORT` (default 3000), `PAT_PEPPER` (a comma-separated list,
 * newest first, rotates the pepper) and `REDIS_URL` (rate limits shared through Redis).
 */
import { RedisStore } from 'rate-limit-redis';
import { createClient } from 'redis';
import { createDemoApp } from './app.js';
import { resolveDatabase } from './database.js';
import { applyMigrations } from './migrate.js';
import { openPrismaClient } from './prisma.js';

const port = Number(process.env.PORT ?? 3000);
const peppers = (process.env.PAT_PEPPER ?? '').split(',').filter((pepper) => pepper !== '');
const redis = process.env.REDIS_URL ? createClient({ url: process.env.REDIS_URL }) : undefined;
await redis?.connect();
const target = resolveDatabase();
await applyMigrations(target);
const prisma = await openPrismaClient(target);
const { app, pat } = createDemoApp({
  prisma,
  pepper: peppers.length > 1 ? peppers : peppers[0],
  rateLimitStore:
    redis === undefined
      ? undefined
      : (name) => new RedisStore({ sendCommand: (...args: string[]) => redis.sendCommand(args), prefix: `express-pat-demo:${name}:` }),
});
// Where a real app would mail the token's owner; the demo prints instead (ids only, never a token).
pat.on('token.used_from_new_ip', ({ tokenId, ip, previousIp }) => {
  console.log(`express-pat demo: token ${tokenId} used from ${ip} (before: ${previousIp ?? 'first use'})`);
});
pat.on('token.reused', ({ tokenId, familyId }) => {
  console.log(`express-pat demo: rotated token ${tokenId} (family ${familyId}) presented after its grace period`);
});
pat.on('token.expiring', ({ tokenId, name, expiresAt, withinDays }) => {
  console.log(`express-pat demo: token ${tokenId} ${JSON.stringify(name)} expires within ${withinDays} days (${expiresAt.toISOString()})`);
});
await pat.ready();

const server = app.listen(port, (error?: Error) => {
  if (error) {
    console.error(`express-pat demo: cannot listen on port ${port}: ${error.message}`);
    void pat
      .close()
      .then(() => prisma.$disconnect())
      .finally(() => process.exit(1));
    return;
  }
  const where = target.provider === 'sqlite' ? target.file : `PostgreSQL schema "${target.schema}"`;
  console.log(`express-pat demo listening on http://localhost:${port} (${where})`);
});

function shutdown(): void {
  server.close(() => {
    void pat
      .close()
      .then(() => prisma.$disconnect())
      .then(() => redis?.quit())
      .finally(() => process.exit(0));
  });
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
