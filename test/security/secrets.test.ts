/**
 * Secrets never escape (SECURITY.md): on each database, every route and error path is exercised
 * with real tokens — in good and malformed headers, in bodies, in ids, in leak reports, against a
 * store that is down and a store that refuses the write — while everything the process writes
 * (console, stdout, stderr, warnings), everything `onStoreError` receives, every event payload and
 * every thrown error is captured. Then: no plaintext token appears anywhere except the `token`
 * field of the 201 that issued it; no digest and no pepper appears anywhere; and in the demo, no
 * password (nor its Basic encoding, nor its bcrypt hash) appears in a response or a log.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { jest } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { createDemoApp } from '../../src/demo/app.js';
import { resolveDatabase } from '../../src/demo/database.js';
import { createPersonalAccessTokens, type PatEventName, type PersonalAccessTokens } from '../../src/index.js';
import { digestToken } from '../../src/token/digest.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, createTestClock, TEST_PEPPER, TEST_SCOPES, USER_HEADER, type TestClock } from '../support/test-app.js';

const DAY_MS = 86_400_000;
const SCOPES = { ...TEST_SCOPES, 'tokens:write': 'Manage tokens with a token' } as const;
const EVENTS: readonly PatEventName[] = ['token.created', 'token.rotated', 'token.revoked', 'token.leaked'];
/** A store nobody listens on, as in test/http/store-outage.test.ts. */
const CLOSED_PORT_URL = 'postgresql://postgres@127.0.0.1:1/none';

// ---------------------------------------------------------------------------------------------
// Capture
// ---------------------------------------------------------------------------------------------

/** Everything an error carries: name, message, stack, own properties (Prisma's `meta`, codes), causes. */
function errorText(error: unknown, seen = new Set<unknown>()): string {
  if (typeof error !== 'object' || error === null) return String(error);
  if (seen.has(error)) return '';
  seen.add(error);
  const parts: string[] = [inspect(error, { depth: 12, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity })];
  if (error instanceof Error) {
    parts.push(error.name, error.message, error.stack ?? '');
    if (error.cause !== undefined) parts.push(errorText(error.cause, seen));
    if (error instanceof AggregateError) for (const inner of error.errors) parts.push(errorText(inner, seen));
  }
  for (const key of Object.getOwnPropertyNames(error)) {
    let value: unknown;
    try {
      value = (error as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof value === 'string') parts.push(value);
    else if (typeof value === 'object' && value !== null) {
      parts.push(errorText(value, seen));
      try {
        parts.push(JSON.stringify(value) ?? '');
      } catch {
        // circular: inspect() above covered it
      }
    }
  }
  return parts.join('\n');
}

function chunkText(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk).toString('utf8');
  return errorText(chunk);
}

interface Captured {
  readonly source: string;
  readonly text: string;
}

/** Spies on every way the process can say something, until `stop()`. */
function captureOutput(into: Captured[]): { stop(): void } {
  const spies = (['log', 'error', 'warn', 'info', 'debug', 'trace'] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      into.push({ source: `console.${method}`, text: args.map(chunkText).join(' ') });
    }),
  );
  const writers = (['stdout', 'stderr'] as const).map((name) => {
    const stream = process[name];
    const original = stream.write.bind(stream);
    return jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      into.push({ source: `process.${name}`, text: chunkText(chunk) });
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  });
  const onWarning = (warning: Error) => into.push({ source: 'process warning', text: errorText(warning) });
  process.on('warning', onWarning);
  return {
    stop() {
      for (const spy of [...spies, ...writers]) spy.mockRestore();
      process.off('warning', onWarning);
    },
  };
}

/** One HTTP answer as a client (or a proxy's log) would see it. */
interface RecordedResponse {
  readonly label: string;
  readonly status: number;
  readonly text: string;
  /** The plaintext this 201 issued, the one secret allowed in it (once, in `token`). */
  readonly issued?: string;
}

/** Sends a request, records the answer, and remembers any token it issued. */
function recorder(responses: RecordedResponse[], tokens: Set<string>) {
  return async (label: string, test: request.Test): Promise<request.Response> => {
    const res = await test;
    const body: unknown = res.body;
    const issued =
      res.status === 201 && typeof body === 'object' && body !== null && 'token' in body && typeof body.token === 'string'
        ? body.token
        : undefined;
    if (issued !== undefined) tokens.add(issued);
    responses.push({ label, status: res.status, text: responseText(res), ...(issued === undefined ? {} : { issued }) });
    return res;
  };
}

function responseText(res: request.Response): string {
  const headers = Object.entries(res.headers as Record<string, unknown>)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('\n');
  return `${res.status}\n${headers}\n\n${res.text ?? ''}`;
}

function occurrences(haystack: string, needle: string): number {
  return needle === '' ? 0 : haystack.split(needle).length - 1;
}

/** A secret that must not escape, and where it may be seen. */
interface Secret {
  readonly kind: 'token' | 'digest' | 'pepper' | 'password' | 'basic credentials' | 'bcrypt hash';
  readonly value: string;
}

interface Leak {
  readonly secret: string;
  readonly where: string;
}

function findLeaks(
  secrets: readonly Secret[],
  responses: readonly RecordedResponse[],
  captured: readonly Captured[],
  elsewhere: readonly Captured[],
): Leak[] {
  const leaks: Leak[] = [];
  const show = (secret: Secret) => `${secret.kind} ${secret.value.slice(0, 12)}…`;
  for (const response of responses) {
    for (const secret of secrets) {
      const allowed = secret.kind === 'token' && response.issued === secret.value ? 1 : 0;
      if (occurrences(response.text, secret.value) > allowed) leaks.push({ secret: show(secret), where: `response to ${response.label}` });
    }
    if (response.issued !== undefined) {
      // The one allowed place is the body's `token` field.
      const body = response.text.slice(response.text.indexOf('\n\n') + 2);
      if (!body.includes(`"token":"${response.issued}"`)) leaks.push({ secret: 'issued token outside `token`', where: response.label });
    }
  }
  for (const entry of [...captured, ...elsewhere]) {
    for (const secret of secrets) {
      if (entry.text.includes(secret.value)) leaks.push({ secret: show(secret), where: `${entry.source}: ${entry.text.slice(0, 160)}` });
    }
  }
  return leaks;
}

// ---------------------------------------------------------------------------------------------
// The library
// ---------------------------------------------------------------------------------------------

describe.each(testDatabases)('secrets never escape on $provider', (database) => {
  let prisma: TestPrismaClient;
  let broken: TestPrismaClient;
  let app: Express;
  let pat: PersonalAccessTokens;
  let brokenApp: Express;
  let brokenPat: PersonalAccessTokens;
  let clock: TestClock;
  let alice: string;
  let bob: string;
  let output: { stop(): void };

  const captured: Captured[] = [];
  /** onStoreError arguments, event payloads and thrown errors. */
  const elsewhere: Captured[] = [];
  const responses: RecordedResponse[] = [];
  const tokens = new Set<string>();
  /** Tokens by role, filled as the suite goes. */
  const named = new Map<string, { token: string; id: string }>();

  const SHORT_PEPPER = `short-pepper-${randomUUID().slice(0, 8)}`;
  const OTHER_PEPPER = `another-secret-pepper-${randomUUID()}`;

  beforeAll(async () => {
    output = captureOutput(captured);
    prisma = await connect(database);
    broken = await connect(database, resolveDatabase(CLOSED_PORT_URL));
    clock = createTestClock();
    const common = {
      now: clock.now,
      scopes: SCOPES,
      managementScope: 'tokens:write',
      leakReporting: true,
    } as const;
    ({ app, pat } = createTestApp(prisma, {
      ...common,
      onStoreError: (error) => elsewhere.push({ source: 'onStoreError', text: errorText(error) }),
    }));
    ({ app: brokenApp, pat: brokenPat } = createTestApp(broken, {
      ...common,
      storeTimeoutMs: 2000,
      onStoreError: (error) => elsewhere.push({ source: 'onStoreError (store down)', text: errorText(error) }),
    }));
    for (const instance of [pat, brokenPat]) {
      for (const event of EVENTS) {
        instance.on(event, (payload) => {
          elsewhere.push({ source: `event ${event}`, text: `${JSON.stringify(payload)}\n${inspect(payload, { depth: 8 })}` });
        });
      }
    }
    alice = await createUser(prisma);
    bob = await createUser(prisma);
  });

  afterAll(async () => {
    output.stop();
    await pat.close();
    await brokenPat.close();
    await prisma.$disconnect();
    await broken.$disconnect();
  });

  const record = recorder(responses, tokens);

  /** Awaits a call that must throw, and keeps everything the error carries. */
  async function thrown(label: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      await call();
    } catch (error) {
      elsewhere.push({ source: `thrown by ${label}`, text: errorText(error) });
      return error;
    }
    throw new Error(`${label} did not throw`);
  }

  const asUser = (userId: string) => ({
    get: (path: string) => request(app).get(path).set(USER_HEADER, userId),
    post: (path: string) => request(app).post(path).set(USER_HEADER, userId),
    delete: (path: string) => request(app).delete(path).set(USER_HEADER, userId),
  });

  async function issue(role: string, body: Record<string, unknown>, via?: string): Promise<{ token: string; id: string }> {
    const test = via === undefined ? asUser(alice).post('/tokens') : request(app).post('/tokens').set('Authorization', `Bearer ${via}`);
    const res = await record(`POST /tokens (${role})`, test.send(body));
    expect(res.status).toBe(201);
    const created = res.body as { token: string; id: string };
    named.set(role, created);
    return created;
  }

  function token(role: string): string {
    const found = named.get(role);
    if (!found) throw new Error(`no ${role} token`);
    return found.token;
  }

  it('issues tokens over every issuing path (create, create via a token, rotate)', async () => {
    await issue('reader', { name: 'reader', scopes: ['notes:write'] });
    await issue('billing', { name: 'billing', scopes: ['billing:read'] });
    await issue('manager', { name: 'manager', scopes: ['tokens:write', 'notes:read'], expiresInDays: 30 });
    await issue('to revoke', { name: 'to revoke', scopes: ['notes:read'] });
    await issue('to rotate', { name: 'to rotate', scopes: ['notes:read'] });
    await issue('expiring', { name: 'expiring', scopes: ['notes:read'], expiresAt: new Date(clock.now().getTime() + DAY_MS).toISOString() });
    await issue('leaked', { name: 'leaked', scopes: ['notes:read'] });
    await issue('spare', { name: 'spare', scopes: ['notes:read'] });
    await issue('minted', { name: 'minted by a token', scopes: ['notes:read'], expiresInDays: 7 }, token('manager'));
    const rotated = await record(`POST /tokens/:id/rotate`, asUser(alice).post(`/tokens/${named.get('to rotate')?.id ?? ''}/rotate`));
    expect(rotated.status).toBe(201);
    named.set('rotated', rotated.body as { token: string; id: string });
    const viaToken = await record(
      'POST /tokens/:id/rotate via a token',
      request(app).post(`/tokens/${named.get('minted')?.id ?? ''}/rotate`).set('Authorization', `Bearer ${token('manager')}`),
    );
    expect(viaToken.status).toBe(201);
    named.set('minted, rotated', viaToken.body as { token: string; id: string });
    // The service too: its result is not a response, but the token joins the secrets.
    const direct = await pat.tokens.create(bob, { name: 'bob 2', scopes: ['notes:read'] });
    tokens.add(direct.token);
    named.set('bob', direct);
    expect(tokens.size).toBe(12);
  });

  it('lists, shows and revokes without the plaintext', async () => {
    await record('GET /tokens', asUser(alice).get('/tokens'));
    await record('GET /tokens via a token', request(app).get('/tokens').set('Authorization', `Bearer ${token('manager')}`));
    for (const [role, { id }] of named) await record(`GET /tokens/:id (${role})`, asUser(alice).get(`/tokens/${id}`));
    await record('GET /tokens/scopes', request(app).get('/tokens/scopes'));
    const revoked = await record('DELETE /tokens/:id', asUser(alice).delete(`/tokens/${named.get('to revoke')?.id ?? ''}`));
    expect(revoked.status).toBe(204);
    await record('DELETE /tokens/:id again', asUser(alice).delete(`/tokens/${named.get('to revoke')?.id ?? ''}`));
    await record("DELETE /tokens/:id of bob's token", asUser(alice).delete(`/tokens/${named.get('bob')?.id ?? ''}`));
    await record('DELETE /tokens (revoke all)', asUser(bob).delete('/tokens'));
    await record('GET /tokens after revoke all', asUser(bob).get('/tokens'));
  });

  it('answers guarded routes for valid, wrong-scope, revoked, rotated and expired tokens without echoing them', async () => {
    const answers: Record<string, number> = {};
    clock.advance(DAY_MS + 1);
    for (const role of ['reader', 'billing', 'to revoke', 'to rotate', 'expiring', 'bob', 'minted, rotated']) {
      for (const path of ['/api/read', '/api/write', '/api/any', '/tokens/self']) {
        const res = await record(`GET ${path} (${role})`, request(app).get(path).set('Authorization', `Bearer ${token(role)}`));
        answers[`${role} ${path}`] = res.status;
      }
    }
    expect(answers['reader /api/read']).toBe(200);
    expect(answers['billing /api/read']).toBe(403);
    expect(answers['to revoke /api/any']).toBe(401);
    expect(answers['to rotate /api/any']).toBe(401);
    expect(answers['expiring /api/any']).toBe(401);
    expect(answers['bob /api/any']).toBe(401);
    await record('GET /tokens/self without a token', request(app).get('/tokens/self'));
    await record('GET /tokens with a token lacking the management scope', request(app).get('/tokens').set('Authorization', `Bearer ${token('reader')}`));
  });

  it('answers malformed headers carrying real tokens without echoing them', async () => {
    const real = token('reader');
    const flipped = real.slice(0, 10) + (real[10] === 'a' ? 'b' : 'a') + real.slice(11);
    const headers = [
      `Basic ${real}`,
      `Basic ${Buffer.from(`${real}:${real}`).toString('base64')}`,
      `Bearer ${real}x`,
      `Bearer ${real.slice(0, -1)}`,
      `Bearer ${flipped}`,
      `Bearer ${real.toUpperCase()}`,
      real,
      `Token ${real}`,
      `Bearer "${real}"`,
      `Bearer ${real} ${token('billing')}`,
      `Bearer ${real},${real}`,
      `Bearer\t${real}`,
      `Bearer:${real}`,
      `Bearer ${real}=`,
      `Bearer ${real}é`,
      `bearer ${'x'.repeat(2000)}${real}`,
    ];
    for (const [index, header] of headers.entries()) {
      const latin1 = Buffer.from(header, 'utf8').toString('latin1');
      for (const path of ['/api/read', '/tokens/self', '/tokens']) {
        const res = await record(`GET ${path} with malformed header #${index}`, request(app).get(path).set('Authorization', latin1));
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      await record(`POST /tokens with malformed header #${index}`, request(app).post('/tokens').set('Authorization', latin1).send({ name: 'x', scopes: ['notes:read'] }));
    }
  });

  it('answers validation errors with real tokens in the name, the scopes or as unknown fields without echoing them', async () => {
    const real = token('reader');
    const other = token('billing');
    const bodies: Array<[string, unknown]> = [
      ['a token as the name, with an unknown scope', { name: real, scopes: ['nope'] }],
      ['a token inside a name that is too long', { name: `${real} ${'x'.repeat(100)}`, scopes: ['notes:read'] }],
      ['a token as a scope', { name: 'n', scopes: [real] }],
      ['tokens as scopes', { name: 'n', scopes: ['notes:read', real, other] }],
      ['a token as an unknown field', { name: 'n', scopes: ['notes:read'], [real]: true }],
      ['a token as an unknown field value', { name: 'n', scopes: ['notes:read'], note: real }],
      ['a token as a nested unknown field', { name: 'n', scopes: ['notes:read'], meta: { [real]: real } }],
      ['a token as expiresAt', { name: 'n', scopes: ['notes:read'], expiresAt: real }],
      ['a token as expiresInDays', { name: 'n', scopes: ['notes:read'], expiresInDays: real }],
      ['a token as the whole body', [real]],
    ];
    for (const [label, body] of bodies) {
      const res = await record(`POST /tokens with ${label}`, asUser(alice).post('/tokens').send(body as object));
      expect(res.status).toBe(400);
      await record(`POST /tokens via a token with ${label}`, request(app).post('/tokens').set('Authorization', `Bearer ${token('manager')}`).send(body as object));
    }
    await record('POST /tokens with a token in malformed JSON', asUser(alice).post('/tokens').set('Content-Type', 'application/json').send(`{"name":"${real}",`));
    await record('POST /tokens with a token as text/plain', asUser(alice).post('/tokens').set('Content-Type', 'text/plain').send(real));
    await record('POST /tokens with a token as an unsupported charset', asUser(alice).post('/tokens').set('Content-Type', 'application/json; charset=latin1').send(JSON.stringify({ name: real })));
    await record('POST /tokens with a token in an oversized body', asUser(alice).post('/tokens').send({ name: real, scopes: ['notes:read'], pad: real.repeat(500) }));
    await record('POST /tokens with a token in a body that does not inflate', asUser(alice).post('/tokens').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(`{"name":"${real}"}`));
    for (const path of [`/tokens/${real}`, `/tokens/${real}%zz`, `/tokens/%zz${real}`, `/tokens/${encodeURIComponent(`${real}\u0000`)}`]) {
      await record(`GET ${path.slice(0, 12)}… (a token as an id)`, asUser(alice).get(path));
      await record(`DELETE ${path.slice(0, 12)}… (a token as an id)`, asUser(alice).delete(path));
      await record(`POST ${path.slice(0, 12)}…/rotate (a token as an id)`, asUser(alice).post(`${path}/rotate`));
    }
    await record('GET /tokens with a token as the user', request(app).get('/tokens').set(USER_HEADER, real));
  });

  it('answers leak reports with real tokens without saying which were real', async () => {
    const leaked = token('leaked');
    const res = await record(
      'POST /tokens/leaked',
      request(app)
        .post('/tokens/leaked')
        .send({ tokens: [leaked, `${leaked}x`, token('to revoke'), 'pat_notatoken'] }),
    );
    expect(res.status).toBe(202);
    // A report of fakes only is answered exactly alike: the answer never says which were real.
    const fakes = await record('POST /tokens/leaked with fakes', request(app).post('/tokens/leaked').send({ tokens: ['a', 'b', 'c', 'd'] }));
    expect(fakes.body).toEqual(res.body);
    await record('POST /tokens/leaked again', request(app).post('/tokens/leaked').send({ tokens: [leaked] }));
    await record('POST /tokens/leaked with an unknown field', request(app).post('/tokens/leaked').send({ tokens: [leaked], [token('reader')]: 1 }));
    await record('POST /tokens/leaked with too long a string', request(app).post('/tokens/leaked').send({ tokens: [token('reader').repeat(7)] }));
    await record('POST /tokens/leaked with a token as the body', request(app).post('/tokens/leaked').send([token('reader')]));
    const after = await record('GET /api/any with the reported token', request(app).get('/api/any').set('Authorization', `Bearer ${leaked}`));
    expect(after.body).toMatchObject({ error: { code: 'token_revoked' } });
  });

  it('answers 503 to real tokens while the store is down, and reports errors that do not hold them', async () => {
    const real = token('reader');
    for (const path of ['/api/read', '/api/any', '/tokens/self', '/tokens']) {
      const res = await record(`GET ${path} (store down)`, request(brokenApp).get(path).set('Authorization', `Bearer ${real}`));
      expect(res.status).toBe(503);
    }
    await record('POST /tokens/leaked (store down)', request(brokenApp).post('/tokens/leaked').send({ tokens: [real] }));
    await record('POST /tokens with a token as the name (store down)', request(brokenApp).post('/tokens').set(USER_HEADER, alice).send({ name: real, scopes: ['notes:read'] }));
    await record('GET /tokens/:id with a token as the id (store down)', request(brokenApp).get(`/tokens/${real}`).set(USER_HEADER, alice));
    await thrown('pat.tokens.verify (store down)', () => brokenPat.tokens.verify(real));
    await thrown('pat.tokens.reportLeaked (store down)', () => brokenPat.tokens.reportLeaked([real]));
    await thrown('pat.tokens.create (store down)', () => brokenPat.tokens.create(alice, { name: real, scopes: ['notes:read'] }));
    await thrown('pat.tokens.get (store down)', () => brokenPat.tokens.get(alice, real));
    expect(elsewhere.some((entry) => entry.source === 'onStoreError (store down)')).toBe(true);
  });

  it('reports a refused write of a token-named token without the name in the error (driver error `meta`)', async () => {
    const real = token('reader');
    const refuse =
      database.provider === 'sqlite'
        ? [
            `CREATE TRIGGER "refuse_token_names" BEFORE INSERT ON "PersonalAccessToken" WHEN NEW."name" LIKE 'pat\\_%' ESCAPE '\\' BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END`,
          ]
        : [
            `CREATE FUNCTION "refuse_token_names"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by a test trigger'; END $$`,
            `CREATE TRIGGER "refuse_token_names" BEFORE INSERT ON "PersonalAccessToken" FOR EACH ROW WHEN (NEW."name" LIKE 'pat\\_%') EXECUTE FUNCTION "refuse_token_names"()`,
          ];
    const drop =
      database.provider === 'sqlite'
        ? ['DROP TRIGGER IF EXISTS "refuse_token_names"']
        : ['DROP TRIGGER IF EXISTS "refuse_token_names" ON "PersonalAccessToken"', 'DROP FUNCTION IF EXISTS "refuse_token_names"()'];
    for (const sql of refuse) await prisma.$executeRawUnsafe(sql);
    try {
      const res = await record('POST /tokens with a token as the name (write refused)', asUser(alice).post('/tokens').send({ name: real, scopes: ['notes:read'] }));
      expect(res.status).toBe(503);
      const error = await thrown('pat.tokens.create (write refused)', () => pat.tokens.create(alice, { name: ` ${real} `, scopes: ['notes:read'] }));
      expect(error).toMatchObject({ code: 'store_unavailable' });
      expect(errorText(error)).toContain('refused by a test trigger');
    } finally {
      for (const sql of drop) await prisma.$executeRawUnsafe(sql);
    }
  });

  it('throws errors from pat.tokens.* that do not hold the tokens given to them', async () => {
    const real = token('reader');
    const revoked = token('to revoke');
    await thrown('create with a token as the name and a bad scope', () => pat.tokens.create(alice, { name: real, scopes: ['nope'] }));
    await thrown('create with tokens as scopes', () => pat.tokens.create(alice, { name: 'n', scopes: [real, revoked] }));
    await thrown('create with a token as expiresAt', () => pat.tokens.create(alice, { name: 'n', scopes: ['notes:read'], expiresAt: real }));
    await thrown('create for a user that is a token', () => pat.tokens.create(real, { name: 'n', scopes: ['notes:read'] }));
    await thrown('create with a scope the acting token lacks', () =>
      pat.tokens.create(alice, { name: real, scopes: ['billing:read'] }, {
        via: {
          tokenId: named.get('manager')?.id ?? '',
          userId: alice,
          scopes: ['notes:read', 'tokens:write'],
          token: { id: 'acting', name: 'manager', hint: 'pat_xxxx', scopes: [], createdAt: clock.now(), expiresAt: null, lastUsedAt: null, lastUsedIp: null, lastUsedUserAgent: null, revokedAt: null, familyId: 'acting', replacedById: null },
        },
      }),
    );
    await thrown('get with a token as the id', () => pat.tokens.get(alice, real));
    await thrown('get with a token as the user', () => pat.tokens.get(real, named.get('reader')?.id ?? ''));
    await thrown('revoke with a token as the id', () => pat.tokens.revoke(alice, real));
    await thrown('rotate with a token as the id', () => pat.tokens.rotate(alice, real));
    await thrown('rotate a revoked token', () => pat.tokens.rotate(alice, named.get('to revoke')?.id ?? ''));
    // The last character changed for certain (it is 'x' one time in 62).
    await thrown('verify a mutated token', () => pat.tokens.verify(`${real.slice(0, -1)}${real.endsWith('x') ? 'y' : 'x'}`));
    await thrown('verify a revoked token', () => pat.tokens.verify(revoked));
    await thrown('verify an expired token', () => pat.tokens.verify(token('expiring')));
    await thrown('verify a token of another pepper', async () => {
      const other = createPersonalAccessTokens({ prisma, scopes: SCOPES, pepper: OTHER_PEPPER });
      await other.tokens.verify(real);
    });
    await thrown('pruneExpired with a bad argument', () => pat.tokens.pruneExpired({ olderThanDays: -1 }));
    await thrown('a pepper that is too short', async () => createPersonalAccessTokens({ prisma, scopes: SCOPES, pepper: SHORT_PEPPER }));
    await thrown('a pepper listed twice', async () => createPersonalAccessTokens({ prisma, scopes: SCOPES, pepper: [OTHER_PEPPER, OTHER_PEPPER] }));
    await expect(pat.tokens.list(real)).resolves.toEqual([]);
    await pat.tokens.reportLeaked([`${real}x`, real.toUpperCase()]);
    await expect(pat.tokens.verify(real)).resolves.toMatchObject({ userId: alice });
  });

  it('let no plaintext token, digest or pepper escape into a response, a log, a warning, an event or an error', async () => {
    await pat.close();
    await brokenPat.close();
    expect(tokens.size).toBe(12);
    expect(responses.length).toBeGreaterThan(150);
    const secrets: Secret[] = [
      ...[...tokens].map((value): Secret => ({ kind: 'token', value })),
      ...[...tokens].map((value): Secret => ({ kind: 'digest', value: digestToken(TEST_PEPPER, value) })),
      ...[TEST_PEPPER, OTHER_PEPPER, SHORT_PEPPER].map((value): Secret => ({ kind: 'pepper', value })),
    ];
    // The capture worked: the store outage was reported, events were seen.
    expect(elsewhere.filter((entry) => entry.source.startsWith('event ')).length).toBeGreaterThanOrEqual(12);
    expect(elsewhere.filter((entry) => entry.source.startsWith('thrown by ')).length).toBeGreaterThanOrEqual(20);
    expect(findLeaks(secrets, responses, captured, elsewhere)).toEqual([]);
    // Nor was a digest ever stored anywhere else than where it belongs: the rows hold no plaintext.
    const rows = await prisma.personalAccessToken.findMany({ select: { name: true, hint: true, digest: true } });
    const stored = JSON.stringify(rows);
    for (const value of tokens) expect(stored.includes(value)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The demo's passwords
// ---------------------------------------------------------------------------------------------

describe.each(testDatabases)('passwords never escape from the demo on $provider', (database) => {
  let prisma: TestPrismaClient;
  let app: Express;
  let pat: PersonalAccessTokens;
  let output: { stop(): void };
  const captured: Captured[] = [];
  const responses: RecordedResponse[] = [];
  const tokens = new Set<string>();
  const passwords: string[] = [];
  const emails: string[] = [];

  const password = (label: string) => {
    const value = `${label}-${randomUUID().slice(0, 13)}`;
    passwords.push(value);
    return value;
  };

  beforeAll(async () => {
    output = captureOutput(captured);
    prisma = await connect(database);
    ({ app, pat } = createDemoApp({ prisma, pepper: TEST_PEPPER, bcryptCost: 4 }));
  });
  afterAll(async () => {
    output.stop();
    await pat.close();
    await prisma.$disconnect();
  });

  const record = recorder(responses, tokens);

  it('signs up, signs in, fails to sign in and refuses bad passwords without echoing a password', async () => {
    const email = `${randomUUID()}@example.test`;
    emails.push(email);
    const right = password('right');
    const wrong = password('wrong');
    expect((await record('POST /users', request(app).post('/users').send({ email, password: right }))).status).toBe(201);
    await record('POST /users again (email taken)', request(app).post('/users').send({ email, password: right }));
    await record('POST /users with a short password', request(app).post('/users').send({ email: `${randomUUID()}@example.test`, password: password('s').slice(0, 7) }));
    await record('POST /users with a password over 72 bytes', request(app).post('/users').send({ email: `${randomUUID()}@example.test`, password: password('long').repeat(4) }));
    await record('POST /users with a password as the email', request(app).post('/users').send({ email: password('as-email'), password: password('p') }));
    await record(
      'POST /users with a password in an unknown field',
      request(app).post('/users').send({ email: `${randomUUID()}@example.test`, password: right, passwordConfirmation: password('confirm') }),
    );
    await record('POST /users with a password in malformed JSON', request(app).post('/users').set('Content-Type', 'application/json').send(`{"password":"${password('json')}"`));

    const created = await record('POST /tokens with Basic', request(app).post('/tokens').auth(email, right).send({ name: 'demo', scopes: ['notes:read', 'tokens:write'] }));
    expect(created.status).toBe(201);
    const plaintext = (created.body as { token: string }).token;
    await record('GET /tokens with Basic', request(app).get('/tokens').auth(email, right));
    expect((await record('GET /tokens with a wrong password', request(app).get('/tokens').auth(email, wrong))).status).toBe(401);
    await record('GET /tokens with an unknown email', request(app).get('/tokens').auth(`${randomUUID()}@example.test`, password('unknown')));
    await record('GET /tokens with Basic without a colon', request(app).get('/tokens').set('Authorization', `Basic ${Buffer.from(password('nocolon')).toString('base64')}`));
    await record('GET /tokens with a Basic password in clear', request(app).get('/tokens').set('Authorization', `Basic ${email}:${password('clear')}`));
    await record('POST /tokens with a password as the name and a bad scope', request(app).post('/tokens').auth(email, right).send({ name: right, scopes: ['nope'] }));
    await record('GET /api/whoami', request(app).get('/api/whoami').set('Authorization', `Bearer ${plaintext}`));
    await record('POST /tokens via a token', request(app).post('/tokens').set('Authorization', `Bearer ${plaintext}`).send({ name: 'via', scopes: ['notes:read'] }));
  });

  it('let no password, Basic credentials, bcrypt hash or token escape', async () => {
    const users = await prisma.user.findMany({ where: { email: { in: emails } }, select: { email: true, passwordHash: true } });
    expect(users).toHaveLength(1);
    const secrets: Secret[] = [
      ...passwords.map((value): Secret => ({ kind: 'password', value })),
      ...users.flatMap(({ email, passwordHash }) => [
        ...(passwordHash === null ? [] : [{ kind: 'bcrypt hash', value: passwordHash } as const]),
        ...passwords.map((value): Secret => ({ kind: 'basic credentials', value: Buffer.from(`${email}:${value}`).toString('base64') })),
      ]),
      ...[...tokens].map((value): Secret => ({ kind: 'token', value })),
      { kind: 'pepper', value: TEST_PEPPER },
    ];
    expect(tokens.size).toBe(2);
    expect(findLeaks(secrets, responses, captured, [])).toEqual([]);
  });
});
