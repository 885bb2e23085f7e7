/**
 * `npm start`: runs the demo on `DATABASE_URL` (default: a SQLite file under ./data), applying
 * pending migrations first. Reads `PORT` (default 3000) and `PAT_PEPPER`.
 */
import { createDemoApp } from './app.js';
import { resolveDatabase } from './database.js';
import { applyMigrations } from './migrate.js';
import { openPrismaClient } from './prisma.js';

const port = Number(process.env.PORT ?? 3000);
const target = resolveDatabase();
await applyMigrations(target);
const prisma = await openPrismaClient(target);
const { app, pat } = createDemoApp({ prisma, pepper: process.env.PAT_PEPPER });
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
      .finally(() => process.exit(0));
  });
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
