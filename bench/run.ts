/**
 * `npm run bench`: the guard's cost, in one bounded run (about 3½ minutes on 2 cores).
 *
 * Each scenario's server runs in a child process pinned to the last CPU (`taskset`), and
 * autocannon drives it from this process over loopback only. Scenarios: the
 * bare route (at the start and at the end: ratios use the mean, the difference shows drift),
 * bcrypt-per-request (the naive design), and `requireToken` on SQLite and PostgreSQL, with the
 * Prisma lookup or the driver lookup, without and with the verified-token cache, at 1k and 1M
 * stored tokens (one database per size; each scenario runs at both sizes back to back). Prints a table and the target verdicts; writes bench/results/latest.json.
 *
 * Environment (all optional): BENCH_DURATION (s, default 5), BENCH_WARMUP (s, 1),
 * BENCH_CONNECTIONS (10), BENCH_SIZES ("1000,1000000"), BENCH_ONLY (regular expression: run only
 * the matching scenarios; bare always runs), BENCH_PROFILE (regular expression: run the matching
 * scenarios under `node --cpu-prof` and summarize the profile), BENCH_POSTGRES_URL
 * (postgresql://postgres@127.0.0.1:5432/test; "off" skips PostgreSQL), BENCH_PIN=0 (no pinning).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseProvider } from '../src/demo/database.js';
import { formatProfileSummary, summarizeProfile } from './cpuprofile.js';
import { PROJECT_ROOT, measure, type ChildSettings, type LoadSettings } from './measure.js';
import { DISTURBED_CORES, baseline, compare, foreignCores, formatRows, formatVerdicts, verdicts, type Row } from './report.js';
import type { Scenario } from './scenarios.js';
import { seedDatabase, type SeededDatabase } from './seed.js';

const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');
/** Longest wait for other processes to go quiet before one scenario, and over the whole run. */
const QUIET_WAIT_PER_SCENARIO_MS = 5000;
const QUIET_WAIT_TOTAL_MS = 30_000;
const started = performance.now();
const elapsed = (): number => (performance.now() - started) / 1000;

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number; got "${raw}"`);
  return value;
}

function regexFromEnv(name: string): RegExp | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : new RegExp(raw);
}

const load: LoadSettings = {
  connections: numberFromEnv('BENCH_CONNECTIONS', 10),
  pipelining: 1,
  warmupSeconds: numberFromEnv('BENCH_WARMUP', 1),
  durationSeconds: numberFromEnv('BENCH_DURATION', 5),
};
const sizes = (process.env.BENCH_SIZES ?? '1000,1000000')
  .split(',')
  .map((size) => Number(size.trim()))
  .filter((size) => Number.isInteger(size) && size >= 1);
const only = regexFromEnv('BENCH_ONLY');
const profiled = regexFromEnv('BENCH_PROFILE');
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** The load stays on this machine: the database too must be on loopback. */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The CPU the server child is pinned to (the last one), when `taskset` and 2 CPUs exist. Only the
 * server is pinned: it then has one core for everything it runs (event loop, GC and compiler
 * threads, the libuv pool that bcrypt uses), as in a one-core container. Pinning the load
 * generator to the other core as well was tried and cost the bare route a third of its
 * throughput with far more jitter on this VM (loopback wake-ups across pinned cores).
 */
function serverCpu(): number | undefined {
  const cpus = os.availableParallelism();
  if (process.env.BENCH_PIN === '0' || cpus < 2) return undefined;
  try {
    execFileSync('taskset', ['-c', String(cpus - 1), 'true'], { stdio: 'ignore' });
    return cpus - 1;
  } catch {
    console.warn('bench: `taskset` is not available; the server is not pinned to one core.');
    return undefined;
  }
}

async function postgresReachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>(`SELECT current_setting('server_version') AS version`);
    return rows[0]?.version ?? 'unknown';
  } catch (error) {
    console.warn(`bench: PostgreSQL at ${url} is unreachable (${(error as Error).message}); its scenarios are skipped.`);
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function sourceRevision(): string | null {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const dirty = git('status', '--porcelain', '--', 'src', 'prisma');
    return dirty.trim() === '' ? commit : `${commit} + uncommitted changes in src/ or prisma/`;
  } catch {
    return null;
  }
}

const providerLabel = (provider: DatabaseProvider): string => (provider === 'sqlite' ? 'sqlite' : 'postgres');

/** The guarded scenarios for one database at its current size. */
function guardedScenarios(database: SeededDatabase, pepper: string): Scenario[] {
  const out: Scenario[] = [];
  for (const lookup of ['prisma', 'driver'] as const) {
    for (const cache of [false, true]) {
      out.push({
        name: `${providerLabel(database.provider)}-${lookup}${cache ? '+cache' : ''}`,
        tokens: database.tokens,
        path: '/guarded',
        spec: { kind: 'pat', databaseUrl: database.url, lookup, cache, pepper },
      });
    }
  }
  return out;
}

async function main(): Promise<void> {
  if (sizes.length === 0) throw new TypeError('BENCH_SIZES must list token counts, e.g. "1000,1000000"');
  const pinnedCpu = serverCpu();
  const pepper = randomBytes(32).toString('base64url');
  const selected = (name: string): boolean => only === undefined || only.test(name);
  const wantsProvider = (label: string): boolean =>
    ['prisma', 'driver'].some((lookup) => ['', '+cache'].some((cache) => selected(`${label}-${lookup}${cache}`)));

  let postgresVersion: string | undefined;
  if (postgresUrl !== 'off' && wantsProvider('postgres')) {
    if (!isLoopback(postgresUrl)) throw new Error(`BENCH_POSTGRES_URL must point at this machine (loopback); got ${postgresUrl}`);
    postgresVersion = await postgresReachable(postgresUrl);
  }
  const providers: DatabaseProvider[] = [];
  if (wantsProvider('sqlite')) providers.push('sqlite');
  if (postgresVersion !== undefined) providers.push('postgresql');

  console.log(
    `bench: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, node ${process.version}; ` +
      (pinnedCpu === undefined ? 'server not pinned' : `server pinned to CPU ${pinnedCpu}`) +
      `; ${load.connections} connections, ${load.warmupSeconds} s warm-up + ${load.durationSeconds} s per scenario`,
  );

  const rows: Row[] = [];
  let quietWaitedMs = 0;
  const profiles: { scenario: string; tokens: number | null; file: string; summary: string }[] = [];
  const run = async (scenario: Scenario, token?: string): Promise<Row> => {
    const profileDir = profiled?.test(scenario.name)
      ? join(RESULTS_DIR, 'profiles', `${scenario.name}-${scenario.tokens ?? 0}-${Date.now()}`)
      : undefined;
    const child: ChildSettings = { cpu: pinnedCpu, profileDir };
    const t0 = elapsed();
    const quietMaxMs = Math.min(QUIET_WAIT_PER_SCENARIO_MS, QUIET_WAIT_TOTAL_MS - quietWaitedMs);
    const measured = await measure(scenario, token, load, child, quietMaxMs);
    quietWaitedMs += Math.max(0, (measured.waitedForQuietMs ?? 0) - 1000);
    const row: Row = { scenario: scenario.name, tokens: scenario.tokens, profiled: profileDir !== undefined, ...measured };
    rows.push(row);
    const foreign = foreignCores(row);
    console.log(
      `  ${scenario.name.padEnd(22)} ${String(scenario.tokens ?? '-').padStart(8)} tokens ` +
        `${row.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${row.p50Ms.toFixed(2)} ms  p99 ${row.p99Ms.toFixed(2)} ms` +
        `  server ${row.serverCpuUsPerRequest.toFixed(0)} µs/req at ${row.serverCpuCores.toFixed(2)} cores` +
        `  (${(elapsed() - t0).toFixed(1)} s)` +
        (foreign > DISTURBED_CORES ? `  ! other processes used ${foreign.toFixed(2)} cores: ${row.interference?.busiest.join(', ')}` : ''),
    );
    if (measured.profile !== undefined) {
      const summary = formatProfileSummary(summarizeProfile(measured.profile, measured.windowUs, 15));
      console.log(`  cpu profile: ${measured.profile}\n${summary.replace(/^/gm, '    ')}`);
      profiles.push({ scenario: scenario.name, tokens: scenario.tokens, file: measured.profile, summary });
    }
    return row;
  };

  const bare: Scenario = { name: 'bare', tokens: null, path: '/bare', spec: { kind: 'bare' } };
  const bareStart = await run(bare);

  const databases: SeededDatabase[] = [];
  process.once('SIGINT', () => {
    console.error('bench: interrupted; dropping the benchmark databases');
    void Promise.allSettled(databases.map((database) => database.drop())).finally(() => process.exit(130));
  });
  const seeding: { provider: DatabaseProvider; tokens: number; seconds: number }[] = [];
  let sqliteVersion: string | undefined;
  try {
    // One database per provider and size, so that each scenario runs at every size back to back
    // (the size comparison is then not skewed by drift over the run).
    const seedStarted = elapsed();
    const wanted = providers.flatMap((provider) => sizes.map((size) => ({ provider, size })));
    const seeded = await Promise.allSettled(wanted.map(({ provider }) => seedDatabase(provider, pepper, postgresUrl)));
    for (const outcome of seeded) if (outcome.status === 'fulfilled') databases.push(outcome.value);
    const failed = seeded.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    console.log(
      `  migrated ${databases.length} databases (${providers.join(', ')} × ${sizes.join(', ')} tokens) ` +
        `and created their real tokens (${(elapsed() - seedStarted).toFixed(1)} s)`,
    );
    for (const [index, { provider, size }] of wanted.entries()) {
      const seconds = await (databases[index] as SeededDatabase).growTo(size);
      console.log(`  seeded ${provider} with ${size} tokens in ${seconds.toFixed(1)} s`);
      seeding.push({ provider, tokens: size, seconds });
    }
    const memory = new Database(':memory:');
    sqliteVersion = memory.prepare('SELECT sqlite_version()').pluck().get() as string;
    memory.close();

    const anyToken = databases[0]?.token ?? `pat_${'0'.repeat(38)}`;
    if (selected('bcrypt-per-request')) {
      const hash = await bcrypt.hash(anyToken, 10);
      await run({ name: 'bcrypt-per-request', tokens: null, path: '/guarded', spec: { kind: 'bcrypt', hash } }, anyToken);
    }

    for (const provider of providers) {
      const bySize = databases.filter((database) => database.provider === provider);
      const variants = bySize.map((database) => guardedScenarios(database, pepper));
      for (const [index, scenario] of (variants[0] ?? []).entries()) {
        if (!selected(scenario.name)) continue;
        for (const [sizeIndex, database] of bySize.entries()) {
          const sized = variants[sizeIndex]?.[index];
          if (sized !== undefined) await run(sized, database.token);
        }
      }
    }
  } finally {
    for (const database of databases) await database.drop().catch((error: unknown) => console.error(error));
  }
  const bareEnd = await run(bare);

  const base = baseline(bareStart, bareEnd);
  const compared = compare(rows, base);
  const list = verdicts(compared);
  console.log(
    `\nratios use the mean of the bare runs at the start and the end: ${base.requestsPerSecond.toFixed(0)} req/s, ` +
      `p99 ${base.p99Ms.toFixed(3)} ms (drift ${base.driftPercent === null ? '-' : `${base.driftPercent.toFixed(1)}%`})\n`,
  );
  console.log(formatRows(compared));
  const disturbed = compared.filter((row) => foreignCores(row) > DISTURBED_CORES);
  if (disturbed.length > 0) {
    console.log(
      `! ${disturbed.length} of ${compared.length} measurements ran while other processes used more than ` +
        `${DISTURBED_CORES} core (foreign cpu, in cores): their figures, and the verdicts marked !, are not reliable.`,
    );
  }
  console.log(`\n${formatVerdicts(list)}`);
  const met = list.filter((v) => v.met).length;
  console.log(`\n${met} of ${list.length} target checks met.`);

  const report = {
    date: new Date().toISOString(),
    source: process.env.BENCH_SOURCE ?? sourceRevision(),
    machine: {
      cpuModel: os.cpus()[0]?.model ?? null,
      cpus: os.cpus().length,
      node: process.version,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      serverPinnedToCpu: pinnedCpu ?? null,
      postgres: postgresVersion ?? null,
      sqlite: sqliteVersion ?? null,
    },
    settings: { ...load, sizes, only: only?.source ?? null, profiled: profiled?.source ?? null },
    bare: {
      start: bareStart,
      end: bareEnd,
      meanRequestsPerSecond: base.requestsPerSecond,
      meanP50Ms: base.p50Ms,
      meanP99Ms: base.p99Ms,
      meanServerCpuUsPerRequest: base.serverCpuUsPerRequest,
      driftPercent: base.driftPercent,
    },
    seeding,
    rows: compared,
    targets: list,
    profiles: profiles.map(({ scenario, tokens, file }) => ({ scenario, tokens, file })),
    elapsedSeconds: elapsed(),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(join(RESULTS_DIR, 'latest.json'), json);
  writeFileSync(join(RESULTS_DIR, `run-${report.date.replaceAll(':', '-')}.json`), json);
  console.log(`wrote bench/results/latest.json; elapsed ${elapsed().toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
