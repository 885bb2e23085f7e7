/**
 * `npm start` for real: src/demo/main.ts in its own Node process (as `tsx src/demo/main.ts` runs
 * it), migrating its database, serving HTTP on PORT, stopping on SIGTERM, and finding its users
 * and tokens again after a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { testDatabases } from '../support/databases.js';
import { ENV } from '../support/test-env.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const PEPPER = 'main-test-pepper-0123456789-abcdefghijklmnop';
const PASSWORD = 'correct horse battery staple';
/** Upper bounds of each wait, far above the usual (start ≈ 2 s, stop ≈ 0.1 s). */
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
/** Per test: two starts and two stops at their bounds, plus the requests. */
const TEST_TIMEOUT_MS = 2 * (START_TIMEOUT_MS + STOP_TIMEOUT_MS) + 10_000;

/** Every child started by this file, so none outlives it. */
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** A TCP port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Resolves when `predicate` holds for the child's output; rejects on exit or after `ms`. */
function waitFor(child: ChildProcess, output: () => string, predicate: (text: string) => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms; output:\n${output()}`)), ms);
    const check = (): void => {
      if (predicate(output())) finish();
    };
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish(new Error(`exited (${String(code ?? signal)}) before it was ready; output:\n${output()}`));
    };
    function finish(error?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', exited);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('exit', exited);
    check();
  });
}

interface DemoProcess {
  readonly child: ChildProcess;
  output(): string;
}

/** Spawns `node --import tsx src/demo/main.ts` on `databaseUrl` and `port`, with `env` on top. */
function spawnDemo(databaseUrl: string, port: number, env: Record<string, string> = {}): DemoProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      PAT_PEPPER: PEPPER,
      CHECKPOINT_DISABLE: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Resolves with the child's exit code once it exits; SIGKILLs it and rejects after `ms`. */
async function exitCode(demo: DemoProcess, ms: number): Promise<number | null> {
  const { child } = demo;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not exit within ${ms} ms; output:\n${demo.output()}`));
    }, ms);
  });
  try {
    const [code] = (await Promise.race([once(child, 'exit'), timeout])) as [number | null];
    return code;
  } finally {
    clearTimeout(timer);
  }
}

interface RunningDemo extends DemoProcess {
  readonly baseUrl: string;
  /** Sends SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the demo and waits until it says it is listening. */
async function startDemo(databaseUrl: string, port: number, env: Record<string, string> = {}): Promise<RunningDemo> {
  const demo = spawnDemo(databaseUrl, port, env);
  await waitFor(demo.child, demo.output, (text) => text.includes('listening'), START_TIMEOUT_MS);
  return {
    ...demo,
    baseUrl: `http://127.0.0.1:${port}`,
    stop() {
      const exited = exitCode(demo, STOP_TIMEOUT_MS);
      demo.child.kill('SIGTERM');
      return exited;
    },
  };
}

async function call(
  demo: RunningDemo,
  method: string,
  path: string,
  options: { body?: unknown; authorization?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  const res = await fetch(`${demo.baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

function basic(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}

interface Target {
  readonly name: string;
  databaseUrl(): string;
}

/** A `DATABASE_URL` of a SQLite file that does not exist yet. */
function newSqliteUrl(): string {
  const tempDir = process.env[ENV.tempDir];
  if (!tempDir) throw new Error(`${ENV.tempDir} is not set: run the suites with \`npm test\`.`);
  return `file:${join(tempDir, `main-${randomUUID()}`, 'demo.db')}`;
}

const targets: Target[] = [
  {
    name: 'a new SQLite file',
    databaseUrl: newSqliteUrl,
  },
];
const postgresql = testDatabases.find((database) => database.provider === 'postgresql');
if (postgresql) targets.push({ name: "this jest worker's PostgreSQL schema", databaseUrl: () => postgresql.target().url });

describe.each(targets)('npm start on $name', (target) => {
  it('serves sign-up, tokens and guarded routes, stops on SIGTERM, and keeps users and tokens across a restart', async () => {
    const databaseUrl = target.databaseUrl();
    const port = await freePort();
    // The PostgreSQL schema outlives this suite (other suites of the worker use it): a unique email.
    const email = `${randomUUID()}@example.test`;

    const first = await startDemo(databaseUrl, port);
    let issued: { userId: string; tokenId: string; token: string };
    try {
      expect(await call(first, 'GET', '/api/ping')).toEqual({ status: 200, body: { pong: true } });

      const registered = await call(first, 'POST', '/users', { body: { email, password: PASSWORD } });
      expect(registered.status).toBe(201);
      const created = await call(first, 'POST', '/tokens', {
        body: { name: 'restart', scopes: ['notes:read'] },
        authorization: basic(email, PASSWORD),
      });
      expect(created.status).toBe(201);
      const { token, id: tokenId } = created.body as { token: string; id: string };
      issued = { userId: (registered.body as { id: string }).id, tokenId, token };

      const whoami = await call(first, 'GET', '/api/whoami', { authorization: `Bearer ${token}` });
      expect(whoami).toEqual({ status: 200, body: { userId: issued.userId, tokenId, scopes: ['notes:read'] } });
    } finally {
      await first.stop();
    }
    expect(first.child.exitCode).toBe(0);

    const second = await startDemo(databaseUrl, port);
    try {
      const whoami = await call(second, 'GET', '/api/whoami', { authorization: `Bearer ${issued.token}` });
      expect(whoami).toEqual({
        status: 200,
        body: { userId: issued.userId, tokenId: issued.tokenId, scopes: ['notes:read'] },
      });

      const again = await call(second, 'POST', '/users', { body: { email, password: PASSWORD } });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: { code: 'email_taken' } });
    } finally {
      await second.stop();
    }
    expect(second.child.exitCode).toBe(0);
  }, TEST_TIMEOUT_MS);
});

describe('npm start with the opt-in settings of its environment', () => {
  const OLD = 'demo-old-pepper-0123456789-abcdefghijklmnop';
  const NEW = 'demo-new-pepper-0123456789-abcdefghijklmnop';

  it('rotates the pepper through PAT_PEPPER and shares rate limits through REDIS_URL', async () => {
    const databaseUrl = newSqliteUrl();
    const port = await freePort();
    const email = `${randomUUID()}@example.test`;
    let token = '';
    const first = await startDemo(databaseUrl, port, { PAT_PEPPER: OLD });
    try {
      expect((await call(first, 'POST', '/users', { body: { email, password: PASSWORD } })).status).toBe(201);
      const created = await call(first, 'POST', '/tokens', { body: { name: 'rotation', scopes: ['notes:read'] }, authorization: basic(email, PASSWORD) });
      token = (created.body as { token: string }).token;
    } finally {
      await first.stop();
    }

    const redisUrl = process.env.PAT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const during = await startDemo(databaseUrl, port, { PAT_PEPPER: `${NEW},${OLD}`, REDIS_URL: redisUrl });
    try {
      expect((await call(during, 'GET', '/api/notes', { authorization: `Bearer ${token}` })).status).toBe(200);
      // A failed sign-in is counted in Redis, under the demo's key prefix.
      expect((await call(during, 'GET', '/tokens', { authorization: basic(email, 'wrong password') })).status).toBe(401);
    } finally {
      await during.stop();
    }
    const redis = createClient({ url: redisUrl });
    await redis.connect();
    try {
      expect(await redis.keys('express-pat-demo:password-auth:*')).not.toEqual([]);
    } finally {
      await redis.quit();
    }

    const after = await startDemo(databaseUrl, port, { PAT_PEPPER: NEW });
    try {
      // Re-digested with the new pepper on its last use, the token no longer needs the old one.
      expect((await call(after, 'GET', '/api/notes', { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await after.stop();
    }
  }, 3 * (START_TIMEOUT_MS + STOP_TIMEOUT_MS) + 10_000);
});

describe('npm start when PORT is already taken', () => {
  // Express 5 hands the listen error (EADDRINUSE) to the listen callback, which must not log
  // "listening" and exit 0 as if all were well.
  it('exits with a non-zero code and never claims to be listening', async () => {
    const blocker = createServer();
    blocker.listen(await freePort());
    await once(blocker, 'listening');
    try {
      const address = blocker.address();
      if (typeof address !== 'object' || address === null) throw new Error('no port');
      const demo = spawnDemo(newSqliteUrl(), address.port);
      const code = await exitCode(demo, START_TIMEOUT_MS);
      expect(demo.output()).not.toContain('listening');
      expect(code).not.toBe(0);
    } finally {
      blocker.close();
    }
  }, TEST_TIMEOUT_MS);
});

describe('npm start with NODE_ENV=production', () => {
  it('refuses to start without PAT_PEPPER', async () => {
    const demo = spawnDemo(newSqliteUrl(), await freePort(), { NODE_ENV: 'production', PAT_PEPPER: '' });
    const code = await exitCode(demo, START_TIMEOUT_MS);
    expect(code).not.toBe(0);
    expect(demo.output()).toContain('PAT_PEPPER');
    expect(demo.output()).not.toContain('listening');
  }, TEST_TIMEOUT_MS);
});
