/**
 * One measurement: start the server under test as a child process (pinned to its own core when
 * possible), check one request answers 200, warm up, then drive it with autocannon from this
 * process and stop it. Latencies are taken per response with sub-millisecond resolution
 * (autocannon's own histogram counts whole milliseconds).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSnapshot, interference, processCpuSeconds, waitForQuiet, type Interference } from './interference.js';
import { SERVER_SPEC_ENV, type Scenario } from './scenarios.js';

/** The project's root folder, where the child runs. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER_FILE = fileURLToPath(new URL('./server.ts', import.meta.url));

/** How the load is driven. */
export interface LoadSettings {
  readonly connections: number;
  readonly pipelining: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
}

/** Where and how the child runs. */
export interface ChildSettings {
  /** The CPU the child is pinned to with `taskset`, or undefined for no pinning. */
  readonly cpu: number | undefined;
  /**
   * Run the child with `--cpu-prof`, writing into this (new) folder. Every thread writes a profile
   * (tsx's module hooks run on a worker thread); the main thread's is the one returned.
   */
  readonly profileDir?: string | undefined;
}

/** What one measurement found. */
export interface Measurement {
  /** autocannon's requests/s: the mean of its per-second samples. */
  readonly requestsPerSecond: number;
  /** 2xx responses counted during the measured window. */
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanLatencyMs: number;
  /** The `.cpuprofile` written by the child, when profiled. */
  readonly profile?: string | undefined;
  /** When the measured load ran, in monotonic-clock microseconds (to cut the profile to it). */
  readonly windowUs?: { readonly fromUs: number; readonly toUs: number } | undefined;
  /**
   * CPU time the server process used per response during the measured window, in µs (all its
   * threads: event loop, GC, libuv pool). 0 where /proc is missing.
   */
  readonly serverCpuUsPerRequest: number;
  /** Share of one core the server process used during the measured window. */
  readonly serverCpuCores: number;
  /** CPU used by other processes during the measured window. */
  readonly interference?: Interference | undefined;
  /** How long the start waited for other processes to go quiet, ms. */
  readonly waitedForQuietMs?: number | undefined;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The value below which `fraction` of the sorted `values` lie (nearest rank). */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

interface RunningServer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** Everything the child wrote to stderr so far. */
  readonly stderr: () => string;
}

function startServer(scenario: Scenario, settings: ChildSettings): Promise<RunningServer> {
  const nodeArguments = ['--import', 'tsx'];
  if (settings.profileDir !== undefined) {
    nodeArguments.unshift('--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${settings.profileDir}`);
  }
  const command = [process.execPath, ...nodeArguments, SERVER_FILE];
  if (settings.cpu !== undefined) command.unshift('taskset', '-c', String(settings.cpu));
  const [file = '', ...args] = command;
  const child = spawn(file, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, [SERVER_SPEC_ENV]: JSON.stringify(scenario.spec), NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${scenario.name}: the server did not print "ready" within 60 s.\n${stderr}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = /^ready (\d+)$/m.exec(stdout)?.[1];
      if (port !== undefined) {
        clearTimeout(timer);
        resolve({ child, port: Number(port), stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${scenario.name}: the server exited (${String(code)}) before it was ready.\n${stderr}`));
    });
  });
}

function stopServer(server: RunningServer): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The main thread's profile in `dir`: Node names them `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`. */
function mainThreadProfile(dir: string): string | undefined {
  const file = readdirSync(dir).find((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  return file === undefined ? undefined : join(dir, file);
}

/** Drives `url` for `seconds`; fails unless every response was a 2xx. */
type Driven = Pick<Measurement, 'requestsPerSecond' | 'requests' | 'p50Ms' | 'p99Ms' | 'meanLatencyMs'>;

function drive(url: string, headers: Record<string, string>, seconds: number, load: LoadSettings): Promise<Driven> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      { url, headers, connections: load.connections, pipelining: load.pipelining, duration: seconds },
      (error: unknown, result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
          reject(
            new Error(
              `${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts ` +
                `(status codes ${JSON.stringify(result.statusCodeStats)})`,
            ),
          );
          return;
        }
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          requestsPerSecond: result.requests.average,
          requests: sorted.length,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          meanLatencyMs: sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length),
        });
      },
    );
    // autocannon emits (client, statusCode, bytes, milliseconds); its typings omit the client.
    const events: EventEmitter = instance;
    events.on('response', (...args: unknown[]) => {
      const [, statusCode, , milliseconds] = args;
      if (typeof statusCode === 'number' && statusCode < 300 && typeof milliseconds === 'number') {
        latencies.push(milliseconds);
      }
    });
  });
}

/**
 * Measures `scenario`: a fresh child (meanwhile waiting up to `quietMaxMs` for other processes
 * to go quiet), one checked request, `warmupSeconds` of load thrown away, then
 * `durationSeconds` measured.
 * @param token the bearer token the load presents (guarded scenarios).
 */
export async function measure(
  scenario: Scenario,
  token: string | undefined,
  load: LoadSettings,
  child: ChildSettings,
  quietMaxMs = 0,
): Promise<Measurement> {
  const [server, waitedForQuietMs] = await Promise.all([startServer(scenario, child), waitForQuiet(quietMaxMs)]);
  try {
    const url = `http://127.0.0.1:${server.port}${scenario.path}`;
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const probe = await fetch(url, { headers });
    if (probe.status !== 200) {
      throw new Error(`${scenario.name}: GET ${scenario.path} answered ${probe.status}: ${await probe.text()}`);
    }
    if (load.warmupSeconds > 0) await drive(url, headers, load.warmupSeconds, load);
    const fromUs = monotonicUs();
    const before = cpuSnapshot();
    const measured = await drive(url, headers, load.durationSeconds, load);
    const after = cpuSnapshot();
    const foreign = interference(before, after);
    const serverCpu = processCpuSeconds(before, after, server.child.pid);
    const windowUs = { fromUs, toUs: monotonicUs() };
    await stopServer(server);
    const profile = child.profileDir && mainThreadProfile(child.profileDir);
    return {
      ...measured,
      serverCpuUsPerRequest: measured.requests > 0 ? (serverCpu * 1e6) / measured.requests : 0,
      serverCpuCores: serverCpu / ((after.atMs - before.atMs) / 1000),
      profile,
      windowUs,
      interference: foreign,
      waitedForQuietMs,
    };
  } catch (error) {
    const stderr = server.stderr();
    await stopServer(server);
    if (stderr !== '' && error instanceof Error) error.message += `\nserver stderr:\n${stderr}`;
    throw error;
  }
}
