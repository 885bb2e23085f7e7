/**
 * Applies pending migrations on start with `prisma migrate deploy`, exactly as a user would run
 * `npm run db:migrate`. The CLI runs on Prisma's WASM schema engine: nothing is downloaded.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseTarget } from './database.js';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const prismaCli = join(dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build', 'index.js');

/** Lines `migrate deploy` prints once its work is done. */
const FINISHED = /All migrations have been successfully applied|No pending migrations to apply/;

/**
 * Runs `prisma migrate deploy` against `target`.
 * With PostgreSQL the 6.19 CLI lingers ~10 s on open handles after its work is done, so the
 * process is ended as soon as it reports success.
 * @throws Error with the CLI's output when it fails.
 */
export function applyMigrations(target: DatabaseTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, 'migrate', 'deploy'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: target.url, CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let finished = false;
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (!finished && FINISHED.test(output)) {
        finished = true;
        child.kill();
        resolve();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (finished) return;
      if (code === 0) resolve();
      else reject(new Error(`prisma migrate deploy failed (exit ${String(code)}):\n${output}`));
    });
  });
}
