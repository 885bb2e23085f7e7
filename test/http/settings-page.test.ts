import { jest, describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import express, { type Express } from 'express';
import request from 'supertest';
import { UnauthenticatedError, type PersonalAccessTokens, type PersonalAccessTokensOptions } from '../../src/index.js';
import { connect, createUser, rowCounts, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { createTestApp, createTestClock, USER_HEADER, type TestClock } from '../support/test-app.js';
import { createUsedForms } from '../../src/http/settings/used-forms.js';

const DAY_MS = 86_400_000;
const PAGE = '/settings/tokens';
const CHALLENGE = 'Basic realm="settings test"';

/** The hidden CSRF field of the first form on a page. */
function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('the page has no CSRF field');
  return match[1];
}

/** The plaintext in the one-time panel, or undefined. */
function shownToken(html: string): string | undefined {
  return /id="new-token"[^>]*value="([^"]+)"/.exec(html)?.[1];
}

/** The `data-error-code` of the page's alert, or undefined. */
function errorCode(html: string): string | undefined {
  return /data-error-code="([^"]+)"/.exec(html)?.[1];
}

/** The table row of a token, or undefined. */
function rowOf(html: string, id: string): string | undefined {
  return new RegExp(`<tr data-token-id="${id}">[\\s\\S]*?</tr>`).exec(html)?.[0];
}

/** Builds the test app with the settings page at /settings/tokens; anonymous requests get a Basic challenge. */
function settingsApp(prisma: TestPrismaClient, clock: TestClock, overrides: Partial<PersonalAccessTokensOptions> = {}) {
  const built = createTestApp(prisma, {
    now: clock.now,
    authenticate: (req) => {
      const user = req.get(USER_HEADER);
      if (user === undefined) throw new UnauthenticatedError(CHALLENGE);
      return user;
    },
    ...overrides,
  });
  built.app.use(PAGE, built.pat.settingsPage());
  return built;
}

describe.each(testDatabases)('the settings page on $provider', (database) => {
  let prisma: TestPrismaClient;
  let app: Express;
  let pat: PersonalAccessTokens;
  let clock: TestClock;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    prisma = await connect(database);
    clock = createTestClock();
    ({ app, pat } = settingsApp(prisma, clock));
    alice = await createUser(prisma);
    bob = await createUser(prisma);
  });
  afterAll(async () => {
    await pat.close();
    await prisma.$disconnect();
  });

  const as = (userId: string) => ({
    get: (path = '/') => request(app).get(`${PAGE}${path}`).set(USER_HEADER, userId),
    post: (path: string, form: Record<string, string | string[]>) =>
      request(app).post(`${PAGE}${path}`).set(USER_HEADER, userId).type('form').send(form),
  });

  /** A fresh CSRF token for `userId`, read from the page as a browser would. */
  async function csrfFor(userId: string): Promise<string> {
    return csrfOf((await as(userId).get().expect(200)).text);
  }

  /** Posts the create form with a valid CSRF token. */
  async function submitCreate(userId: string, form: Record<string, string | string[]>) {
    return as(userId).post('/', { _csrf: await csrfFor(userId), ...form });
  }

  async function apiStatus(token: string, path = '/api/read'): Promise<{ status: number; code?: string }> {
    const res = await request(app).get(path).set('Authorization', `Bearer ${token}`);
    return { status: res.status, code: (res.body as { error?: { code: string } }).error?.code };
  }

  describe('headers', () => {
    const PAGE_HEADERS = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    };

    function expectPageHeaders(headers: Record<string, string>): void {
      expect(headers).toMatchObject(PAGE_HEADERS);
      const csp = headers['content-security-policy'] ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).not.toContain('unsafe-inline');
    }

    it('sends a strict CSP, nosniff, no-referrer and no-store on the page, its posts and its errors', async () => {
      const page = await as(alice).get();
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
      expectPageHeaders(page.headers);
      expectPageHeaders((await submitCreate(alice, { name: 'h', scopes: 'notes:read', expiry: '7' })).headers);
      expectPageHeaders((await request(app).get(PAGE)).headers);
      expectPageHeaders((await as(alice).post('/', { name: 'no csrf' })).headers);
    });

    it('has no inline script or style: every script is a file of the router, with nosniff', async () => {
      const { text } = await as(alice).get();
      const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts).toHaveLength(1);
      expect(scripts[0]?.[1]).toContain(`src="${PAGE}/assets/settings.js"`);
      expect(scripts[0]?.[2]).toBe('');
      expect(text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      const script = await request(app).get(`${PAGE}/assets/settings.js`).expect(200);
      expect(script.headers['content-type']).toMatch(/^text\/javascript/);
      expect(script.headers['x-content-type-options']).toBe('nosniff');
      expect(script.text).toContain('navigator.clipboard.writeText');
      const css = await request(app).get(`${PAGE}/assets/settings.css`).expect(200);
      expect(css.headers['content-type']).toMatch(/^text\/css/);
    });
  });

  describe('who is signed in', () => {
    it('answers an anonymous visitor 401 unauthenticated with the authenticator’s own challenge', async () => {
      const res = await request(app).get(PAGE);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
      expect(errorCode(res.text)).toBe('unauthenticated');
    });

    it('refuses an anonymous post with 401 before reading the form, writing nothing', async () => {
      const csrf = await csrfFor(alice);
      const before = await rowCounts(prisma);
      const res = await request(app).post(PAGE).type('form').send({ _csrf: csrf, name: 'x', scopes: 'notes:read', expiry: '7' });
      expect(res.status).toBe(401);
      expect(await rowCounts(prisma)).toEqual(before);
    });
  });

  describe('the token list', () => {
    it('shows each active token’s name, scopes, hint, created, expires and last used, and no one else’s', async () => {
      const user = await createUser(prisma);
      const used = await pat.tokens.create(user, { name: 'used one', scopes: ['notes:write', 'billing:read'], expiresInDays: 30 });
      const idle = await pat.tokens.create(user, { name: 'idle one', scopes: ['notes:read'] });
      const revoked = await pat.tokens.create(user, { name: 'gone', scopes: ['notes:read'] });
      await pat.tokens.revoke(user, revoked.id);
      const others = await pat.tokens.create(bob, { name: 'bob’s', scopes: ['notes:read'] });
      expect((await apiStatus(used.token)).status).toBe(200);

      const { text } = await as(user).get().expect(200);
      const usedRow = rowOf(text, used.id) ?? '';
      expect(usedRow).toContain('used one');
      expect(usedRow).toContain('<code>notes:write</code>');
      expect(usedRow).toContain('<code>billing:read</code>');
      expect(usedRow).toContain(`${used.hint}…`);
      expect(usedRow).toContain(`<time datetime="${clock.now().toISOString()}">2026-06-01 12:00 UTC</time>`);
      expect(usedRow).toContain(`<time datetime="${new Date(clock.now().getTime() + 30 * DAY_MS).toISOString()}">`);
      expect(usedRow).not.toContain('Never');
      expect(usedRow).toMatch(/<td class="mono">[:a-f]*127\.0\.0\.1<\/td>/);
      const idleRow = rowOf(text, idle.id) ?? '';
      expect(idleRow.match(/Never/g)).toHaveLength(2);
      expect(rowOf(text, revoked.id)).toBeUndefined();
      expect(rowOf(text, others.id)).toBeUndefined();
      expect(text).not.toContain(used.token);
    });

    it('shows a token replaced by a rotation with a grace period as working until then, with no second rotation', async () => {
      const user = await createUser(prisma);
      const old = await pat.tokens.create(user, { name: 'graceful', scopes: ['notes:read'] });
      const successor = await pat.tokens.rotate(user, old.id, { graceSeconds: 3600 });
      const { text } = await as(user).get().expect(200);
      const oldRow = rowOf(text, old.id) ?? '';
      expect(oldRow).toContain(`Replaced; works until <time datetime="${new Date(clock.now().getTime() + 3600_000).toISOString()}">`);
      expect(oldRow).not.toContain('Rotate…');
      expect(oldRow).toContain(`href="${PAGE}/${old.id}/revoke"`);
      expect(rowOf(text, successor.id)).toContain('Rotate…');
    });

    it('says so when the user has no tokens', async () => {
      const { text } = await as(await createUser(prisma)).get().expect(200);
      expect(text).toContain('You have no active tokens.');
      expect(text).not.toContain('<table');
    });

    it('offers every registered scope with its description, and the expiry choices', async () => {
      const { text } = await as(alice).get();
      for (const scope of pat.scopes) {
        expect(text).toContain(`<input type="checkbox" name="scopes" value="${scope.name}">`);
        expect(text).toContain(scope.description);
      }
      const options = [...text.matchAll(/<option value="([^"]+)"/g)].map((match) => match[1]);
      expect(options).toEqual(['7', '30', '60', '90', 'custom', 'none']);
      expect(text).toContain('<option value="30" selected>');
    });
  });

  describe('creating a token', () => {
    it('answers 201 showing the token once, with a warning; it works, and a reload never shows it again', async () => {
      const logged = ['log', 'info', 'warn', 'error', 'debug'].map((method) =>
        jest.spyOn(console, method as 'log').mockImplementation(() => undefined),
      );
      const user = await createUser(prisma);
      const res = await submitCreate(user, { name: 'laptop CLI', scopes: ['notes:read', 'notes:write'], expiry: '30' });
      const calls = logged.flatMap((spy) => spy.mock.calls);
      logged.forEach((spy) => spy.mockRestore());

      expect(res.status).toBe(201);
      expect(res.headers.location).toBeUndefined();
      const token = shownToken(res.text) ?? '';
      expect(token).toMatch(/^pat_/);
      expect(res.text).toContain('it will not be shown again');
      expect(JSON.stringify(calls)).not.toContain(token);
      expect(await apiStatus(token, '/api/write')).toEqual({ status: 200, code: undefined });

      const [stored] = await prisma.personalAccessToken.findMany({
        where: { userId: user },
        include: { scopes: { include: { scope: true } } },
      });
      expect(stored).toMatchObject({ name: 'laptop CLI', expiresAt: new Date(clock.now().getTime() + 30 * DAY_MS) });
      expect(stored?.scopes.map((link) => link.scope.name).sort()).toEqual(['notes:read', 'notes:write']);
      expect(rowOf(res.text, stored?.id ?? '')).toContain('laptop CLI');

      const reload = await as(user).get().expect(200);
      expect(reload.text).not.toContain(token);
      expect(shownToken(reload.text)).toBeUndefined();
      expect(rowOf(reload.text, stored?.id ?? '')).toContain('laptop CLI');
    });

    it.each<[string, Record<string, string>, () => Date | null]>([
      ['a custom date', { expiry: 'custom', expiresOn: '2026-07-15' }, () => new Date('2026-07-15T00:00:00.000Z')],
      ['no expiration', { expiry: 'none' }, () => null],
      ['7 days', { expiry: '7' }, () => new Date(clock.now().getTime() + 7 * DAY_MS)],
    ])('creates a token expiring as chosen: %s', async (_label, expiry, expiresAt) => {
      const user = await createUser(prisma);
      const res = await submitCreate(user, { name: 'expiry', scopes: 'notes:read', ...expiry });
      expect(res.status).toBe(201);
      const stored = await prisma.personalAccessToken.findFirst({ where: { userId: user } });
      expect(stored?.expiresAt ?? null).toEqual(expiresAt());
    });

    it.each<[string, Record<string, string | string[]>, string, RegExp]>([
      ['an empty name', { name: '   ', scopes: 'notes:read', expiry: '30' }, 'name', /Name must not be empty/],
      ['a name over 100 characters', { name: 'n'.repeat(101), scopes: 'notes:read', expiry: '30' }, 'name', /at most 100/],
      ['a name posted twice', { name: ['a', 'b'], scopes: 'notes:read', expiry: '30' }, 'name', /must be a string/],
      ['no scope ticked', { name: 'x', expiry: '30' }, 'scopes', /at least one scope/],
      ['an unregistered scope', { name: 'x', scopes: ['notes:read', 'notes:delete'], expiry: '30' }, 'scopes', /“notes:delete” is not a registered scope/],
      ['an expiry the picker never offers', { name: 'x', scopes: 'notes:read', expiry: '365' }, 'expiry', /one of the offered choices/],
      ['a custom expiry without a date', { name: 'x', scopes: 'notes:read', expiry: 'custom', expiresOn: '' }, 'expiresOn', /is required: choose a date/],
      ['a custom date in the past', { name: 'x', scopes: 'notes:read', expiry: 'custom', expiresOn: '2026-05-01' }, 'expiresOn', /must be in the future/],
      ['a custom date beyond the longest lifetime', { name: 'x', scopes: 'notes:read', expiry: 'custom', expiresOn: '2027-12-01' }, 'expiresOn', /at most 366 days/],
      ['an impossible custom date', { name: 'x', scopes: 'notes:read', expiry: 'custom', expiresOn: '2027-02-30' }, 'expiresOn', /ISO 8601/],
    ])('answers 400 validation_failed for %s, showing the problem on the form and writing nothing', async (_label, form, field, message) => {
      const csrf = await csrfFor(alice);
      const before = await rowCounts(prisma);
      const res = await as(alice).post('/', { _csrf: csrf, ...form });
      expect(res.status).toBe(400);
      expect(errorCode(res.text)).toBe('validation_failed');
      expect(new RegExp(`id="${field}-problem">([^<]*)<`).exec(res.text)?.[1]).toMatch(message);
      expect(shownToken(res.text)).toBeUndefined();
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it.each<[string, () => Record<string, string | string[]>, number, string]>([
      ['a body over 16 kB', () => ({ name: 'x'.repeat(17_000), scopes: 'notes:read', expiry: '30' }), 413, 'payload_too_large'],
      ['more than 200 fields', () => ({ name: 'x', scopes: Array.from({ length: 250 }, () => 'notes:read'), expiry: '30' }), 413, 'payload_too_large'],
    ])('answers %s with %i %s, writing nothing', async (_label, form, status, code) => {
      const csrf = await csrfFor(alice);
      const before = await rowCounts(prisma);
      const res = await as(alice).post('/', { _csrf: csrf, ...form() });
      expect(res.status).toBe(status);
      expect(errorCode(res.text)).toBe(code);
      expect(await rowCounts(prisma)).toEqual(before);
    });

    it('keeps what the user entered after a refusal', async () => {
      const res = await submitCreate(alice, { name: 'keep me', scopes: 'billing:read', expiry: 'custom', expiresOn: '' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('value="keep me"');
      expect(res.text).toContain('<input type="checkbox" name="scopes" value="billing:read" checked>');
      expect(res.text).toContain('<option value="custom" selected>');
    });

    it('answers 403 scope_not_allowed for a scope the user may not grant, writing nothing', async () => {
      const limited = settingsApp(prisma, clock, { allowedScopes: () => ['notes:read'] });
      const csrf = csrfOf((await request(limited.app).get(PAGE).set(USER_HEADER, alice).expect(200)).text);
      const before = await rowCounts(prisma);
      const res = await request(limited.app)
        .post(PAGE)
        .set(USER_HEADER, alice)
        .type('form')
        .send({ _csrf: csrf, name: 'too much', scopes: 'notes:write', expiry: '30' });
      expect(res.status).toBe(403);
      expect(errorCode(res.text)).toBe('scope_not_allowed');
      expect(res.text).toContain('id="scopes-problem"');
      expect(await rowCounts(prisma)).toEqual(before);
      await limited.pat.close();
    });

    it('with requireExpiry, offers no "No expiration" and refuses one posted anyway with 400', async () => {
      const strict = settingsApp(prisma, clock, { requireExpiry: true });
      const page = await request(strict.app).get(PAGE).set(USER_HEADER, alice).expect(200);
      expect(page.text).not.toContain('<option value="none"');
      const before = await rowCounts(prisma);
      const res = await request(strict.app)
        .post(PAGE)
        .set(USER_HEADER, alice)
        .type('form')
        .send({ _csrf: csrfOf(page.text), name: 'forever', scopes: 'notes:read', expiry: 'none' });
      expect(res.status).toBe(400);
      expect(errorCode(res.text)).toBe('validation_failed');
      expect(await rowCounts(prisma)).toEqual(before);
      await strict.pat.close();
    });
  });

  describe('escaping', () => {
    const NAME = '<script>alert("pwned")</script>';

    it('shows a token named <script>… as inert text in the panel, the table and the confirmation', async () => {
      const user = await createUser(prisma);
      const created = await submitCreate(user, { name: NAME, scopes: 'notes:read', expiry: '7' });
      expect(created.status).toBe(201);
      const escaped = '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;';
      const { id } = (await prisma.personalAccessToken.findFirstOrThrow({ where: { userId: user } }));
      const pages = [created.text, (await as(user).get()).text, (await as(user).get(`/${id}/revoke`)).text];
      for (const text of pages) {
        expect(text).toContain(escaped);
        expect(text).not.toContain('<script>alert');
      }
    });

    it('escapes a name that tries to break out of an attribute when the form is shown again', async () => {
      const res = await submitCreate(alice, { name: '"><img src=x onerror=alert(1)>', expiry: '7' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
      expect(res.text).not.toContain('<img');
    });
  });

  describe('rotating and revoking', () => {
    it('rotates only after the confirmation: the page changes nothing, the post shows the successor once', async () => {
      const user = await createUser(prisma);
      const old = await pat.tokens.create(user, { name: 'to rotate', scopes: ['notes:read'], expiresInDays: 30 });
      const confirm = await as(user).get(`/${old.id}/rotate`);
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain(`action="${PAGE}/${old.id}/rotate"`);
      expect(confirm.text).toContain('Rotate token “to rotate”?');
      expect((await apiStatus(old.token)).status).toBe(200);

      const res = await as(user).post(`/${old.id}/rotate`, { _csrf: csrfOf(confirm.text), graceSeconds: '0' });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const successor = shownToken(res.text) ?? '';
      expect(successor).toMatch(/^pat_/);
      expect(successor).not.toBe(old.token);
      expect(res.text).toContain('it will not be shown again');
      expect(res.text).toContain('The old token has stopped working.');
      expect(await apiStatus(old.token)).toEqual({ status: 401, code: 'token_revoked' });
      expect((await apiStatus(successor)).status).toBe(200);
      expect((await as(user).get()).text).not.toContain(successor);
    });

    it('revokes only after the confirmation, then redirects (303) to the list with a notice', async () => {
      const user = await createUser(prisma);
      const issued = await pat.tokens.create(user, { name: 'to revoke', scopes: ['notes:read'] });
      const confirm = await as(user).get(`/${issued.id}/revoke`);
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('Revoke token “to revoke”?');
      expect((await apiStatus(issued.token)).status).toBe(200);

      const res = await as(user).post(`/${issued.id}/revoke`, { _csrf: csrfOf(confirm.text) });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`${PAGE}/?notice=revoked`);
      expect(await apiStatus(issued.token)).toEqual({ status: 401, code: 'token_revoked' });
      const list = await as(user).get('/?notice=revoked');
      expect(list.text).toContain('The token was revoked');
      expect(rowOf(list.text, issued.id)).toBeUndefined();
    });

    it.each([
      ['GET', '/rotate'],
      ['GET', '/revoke'],
      ['POST', '/rotate'],
      ['POST', '/revoke'],
    ])('answers %s /:id%s for another user’s token 404 not_found, changing nothing', async (method, action) => {
      const issued = await pat.tokens.create(alice, { name: 'alice only', scopes: ['notes:read'] });
      const before = await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: issued.id } });
      const counts = await rowCounts(prisma);
      const path = `/${issued.id}${action}`;
      const form = { _csrf: await csrfFor(bob), graceSeconds: '0' };
      const res = method === 'GET' ? await as(bob).get(path) : await as(bob).post(path, form);
      expect(res.status).toBe(404);
      expect(errorCode(res.text)).toBe('not_found');
      expect(await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: issued.id } })).toEqual(before);
      expect(await rowCounts(prisma)).toEqual(counts);
      expect((await apiStatus(issued.token)).status).toBe(200);
      // An unknown id looks the same.
      const unknown = await as(bob).get(`/00000000-0000-4000-8000-000000000000${action}`);
      expect(unknown.status).toBe(404);
    });

    it('answers 409 token_not_active when rotating a revoked token', async () => {
      const issued = await pat.tokens.create(alice, { name: 'revoked first', scopes: ['notes:read'] });
      await pat.tokens.revoke(alice, issued.id);
      const res = await as(alice).post(`/${issued.id}/rotate`, { _csrf: await csrfFor(alice), graceSeconds: '0' });
      expect(res.status).toBe(409);
      expect(errorCode(res.text)).toBe('token_not_active');
    });
  });

  describe('an id with malformed percent-encoding', () => {
    // Express's router fails to decode such an id before any route handler runs; the page answers
    // it as an unknown id, whatever the host app mounted after it.
    const hosts: [string, boolean][] = [
      ['followed by pat.errorHandler', true],
      ['with nothing after it', false],
    ];
    const requests: ['GET' | 'POST', string][] = [
      ['GET', '/%zz/rotate'],
      ['POST', '/%zz/rotate'],
      ['GET', '/%E0%A4%A/revoke'],
      ['POST', '/%E0%A4%A/revoke'],
    ];

    describe.each(hosts)('on a page %s', (_label, withErrorHandler) => {
      let host: Express;
      beforeAll(() => {
        host = express();
        // Outside 'test', Express's last-resort handler logs the error's stack (the raw path).
        host.set('env', 'production');
        host.use(PAGE, pat.settingsPage());
        if (withErrorHandler) host.use(pat.errorHandler);
      });

      it.each(requests)('answers %s %s 404 not_found as an HTML page with the page’s headers, logging nothing, changing nothing', async (method, path) => {
        const csrf = await csrfFor(alice);
        const counts = await rowCounts(prisma);
        const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
        try {
          const res =
            method === 'GET'
              ? await request(host).get(`${PAGE}${path}`).set(USER_HEADER, alice)
              : await request(host).post(`${PAGE}${path}`).set(USER_HEADER, alice).type('form').send({ _csrf: csrf, graceSeconds: '0' });
          expect(res.status).toBe(404);
          expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
          expect(errorCode(res.text)).toBe('not_found');
          expect(res.headers).toMatchObject({
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
            'cache-control': 'no-store',
            'x-frame-options': 'DENY',
          });
          expect(res.headers['content-security-policy']).toContain("default-src 'none'");
          expect(res.text).not.toContain(path.split('/')[1] ?? '');
          expect(logged).not.toHaveBeenCalled();
        } finally {
          logged.mockRestore();
        }
        expect(await rowCounts(prisma)).toEqual(counts);
      });

      it('answers an anonymous visitor 401 unauthenticated first, as for any id', async () => {
        const res = await request(host).get(`${PAGE}/%zz/rotate`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(CHALLENGE);
        expect(errorCode(res.text)).toBe('unauthenticated');
        expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      });
    });
  });

  describe('posting a form twice', () => {
    /** The user's tokens in the database, revoked ones included. */
    const tokensOf = (userId: string) => prisma.personalAccessToken.count({ where: { userId } });

    it('creates one token when the same create form is posted twice (a reload), answering the second 409 form_already_submitted', async () => {
      const user = await createUser(prisma);
      const form = { _csrf: await csrfFor(user), name: 'reloaded', scopes: 'notes:read', expiry: '7' };
      const first = await as(user).post('/', form);
      expect(first.status).toBe(201);
      const token = shownToken(first.text) ?? '';
      expect(token).toMatch(/^pat_/);
      const counts = await rowCounts(prisma);

      const again = await as(user).post('/', form);
      expect(again.status).toBe(409);
      expect(errorCode(again.text)).toBe('form_already_submitted');
      expect(again.text).toContain('<h1>This form was already sent</h1>');
      expect(again.text).toContain('shown then, only once');
      expect(again.text).toContain(`<a href="${PAGE}/">Back to your tokens</a>`);
      expect(shownToken(again.text)).toBeUndefined();
      expect(again.text).not.toContain(token);
      expect(await rowCounts(prisma)).toEqual(counts);
      expect(await tokensOf(user)).toBe(1);
      expect((await apiStatus(token)).status).toBe(200);

      // The page answering the first post carries a new form, which works.
      const fresh = await as(user).post('/', { ...form, _csrf: csrfOf(first.text), name: 'second' });
      expect(fresh.status).toBe(201);
      expect(await tokensOf(user)).toBe(2);
    });

    it('rotates once when the same rotate form is posted twice, answering the second 409 form_already_submitted', async () => {
      const user = await createUser(prisma);
      const old = await pat.tokens.create(user, { name: 'rotate twice', scopes: ['notes:read'], expiresInDays: 30 });
      const form = { _csrf: csrfOf((await as(user).get(`/${old.id}/rotate`).expect(200)).text), graceSeconds: '3600' };
      const first = await as(user).post(`/${old.id}/rotate`, form);
      expect(first.status).toBe(201);
      const successor = shownToken(first.text) ?? '';
      const counts = await rowCounts(prisma);
      const familyOf = () => prisma.personalAccessToken.findMany({ where: { familyId: old.id }, orderBy: { id: 'asc' } });
      const family = await familyOf();
      expect(family).toHaveLength(2);
      const { replacedById } = await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: old.id } });

      const again = await as(user).post(`/${old.id}/rotate`, form);
      expect(again.status).toBe(409);
      expect(errorCode(again.text)).toBe('form_already_submitted');
      expect(shownToken(again.text)).toBeUndefined();
      expect(await rowCounts(prisma)).toEqual(counts);
      expect(await familyOf()).toEqual(family);
      expect((await apiStatus(successor)).status).toBe(200);
      expect((await apiStatus(old.token)).status).toBe(200);

      // A fresh confirmation of the successor rotates it.
      const next = await as(user).get(`/${replacedById ?? ''}/rotate`).expect(200);
      const rotated = await as(user).post(`/${replacedById ?? ''}/rotate`, { _csrf: csrfOf(next.text), graceSeconds: '0' });
      expect(rotated.status).toBe(201);
      expect(await apiStatus(successor)).toEqual({ status: 401, code: 'token_revoked' });
    });

    it('issues one token when the same form is posted twice at once (a double click)', async () => {
      const user = await createUser(prisma);
      const form = { _csrf: await csrfFor(user), name: 'double click', scopes: 'notes:read', expiry: '7' };
      const answers = await Promise.all([as(user).post('/', form), as(user).post('/', form)]);
      expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
      expect(await tokensOf(user)).toBe(1);
    });

    it('accepts a form again after it was refused, as nothing was issued', async () => {
      const user = await createUser(prisma);
      const csrf = await csrfFor(user);
      const refused = await as(user).post('/', { _csrf: csrf, name: '', scopes: 'notes:read', expiry: '7' });
      expect(refused.status).toBe(400);
      const corrected = await as(user).post('/', { _csrf: csrf, name: 'corrected', scopes: 'notes:read', expiry: '7' });
      expect(corrected.status).toBe(201);
      expect(await tokensOf(user)).toBe(1);
    });
  });

  describe('graceful rotation', () => {
    /** The options of the rotate confirmation's grace picker, and the selected one. */
    function graceOptions(text: string): { values: string[]; selected: string | undefined } {
      const select = /<select id="graceSeconds" name="graceSeconds"[^>]*>([\s\S]*?)<\/select>/.exec(text)?.[1] ?? '';
      return {
        values: [...select.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1] ?? ''),
        selected: /<option value="([^"]*)" selected>/.exec(select)?.[1],
      };
    }

    it('offers no time, 1 hour, 1 day and 7 days on the rotate confirmation, no time chosen', async () => {
      const issued = await pat.tokens.create(alice, { name: 'grace choices', scopes: ['notes:read'] });
      const { text } = await as(alice).get(`/${issued.id}/rotate`).expect(200);
      expect(graceOptions(text)).toEqual({ values: ['0', '3600', '86400', '604800'], selected: '0' });
      expect(text).toContain('<label for="graceSeconds">Keep the old token working for</label>');
      expect(text).toContain('<option value="0" selected>no time (stop it now)</option>');
      expect(text).toContain('<option value="86400">1 day</option>');
    });

    it('keeps the old token working for the chosen hour beside its successor, then stops it', async () => {
      const user = await createUser(prisma);
      const old = await pat.tokens.create(user, { name: 'graceful', scopes: ['notes:read'], expiresInDays: 30 });
      const confirm = await as(user).get(`/${old.id}/rotate`).expect(200);
      const res = await as(user).post(`/${old.id}/rotate`, { _csrf: csrfOf(confirm.text), graceSeconds: '3600' });
      expect(res.status).toBe(201);
      const successor = shownToken(res.text) ?? '';
      expect(successor).toMatch(/^pat_/);
      const stopsAt = new Date(clock.now().getTime() + 3600_000);
      expect(res.text).toContain(`The old token keeps working until <time datetime="${stopsAt.toISOString()}">`);
      expect(rowOf(res.text, old.id)).toContain(`Replaced; works until <time datetime="${stopsAt.toISOString()}">`);
      const stored = await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: old.id } });
      expect(stored.revokedAt).toEqual(stopsAt);

      expect(await apiStatus(old.token)).toEqual({ status: 200, code: undefined });
      expect(await apiStatus(successor)).toEqual({ status: 200, code: undefined });
      clock.advance(3600_000 + 1000);
      expect(await apiStatus(old.token)).toEqual({ status: 401, code: 'token_revoked' });
      expect((await apiStatus(successor)).status).toBe(200);
    });

    it.each<[string, Record<string, string | string[]>]>([
      ['a time the picker never offers', { graceSeconds: '1800' }],
      ['a negative time', { graceSeconds: '-1' }],
      ['more than the longest grace', { graceSeconds: '604801' }],
      ['a time that is not a whole number', { graceSeconds: '3600.5' }],
      ['a number written differently', { graceSeconds: '3600.0' }],
      ['text', { graceSeconds: 'an hour' }],
      ['an empty choice', { graceSeconds: '' }],
      ['two choices', { graceSeconds: ['0', '3600'] }],
      ['no choice at all', {}],
    ])('answers 400 validation_failed for %s, showing the problem and changing nothing', async (_label, grace) => {
      const user = await createUser(prisma);
      const old = await pat.tokens.create(user, { name: 'bad grace', scopes: ['notes:read'] });
      const stored = await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: old.id } });
      const confirm = await as(user).get(`/${old.id}/rotate`).expect(200);
      const counts = await rowCounts(prisma);
      const res = await as(user).post(`/${old.id}/rotate`, { _csrf: csrfOf(confirm.text), ...grace });
      expect(res.status).toBe(400);
      expect(errorCode(res.text)).toBe('validation_failed');
      expect(/id="graceSeconds-problem">([^<]*)</.exec(res.text)?.[1]).toMatch(/choose one of the offered times/);
      expect(res.text).toContain('aria-invalid="true"');
      expect(graceOptions(res.text).selected).toBe('0');
      expect(shownToken(res.text)).toBeUndefined();
      expect(await rowCounts(prisma)).toEqual(counts);
      expect(await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: old.id } })).toEqual(stored);
      expect((await apiStatus(old.token)).status).toBe(200);
    });

    it('offers only the times within maxRotationGraceSeconds, and refuses a longer one posted anyway', async () => {
      const capped = settingsApp(prisma, clock, { maxRotationGraceSeconds: 86_400 });
      const old = await capped.pat.tokens.create(alice, { name: 'capped grace', scopes: ['notes:read'] });
      const confirm = await request(capped.app).get(`${PAGE}/${old.id}/rotate`).set(USER_HEADER, alice).expect(200);
      expect(graceOptions(confirm.text)).toEqual({ values: ['0', '3600', '86400'], selected: '0' });
      const counts = await rowCounts(prisma);
      const res = await request(capped.app)
        .post(`${PAGE}/${old.id}/rotate`)
        .set(USER_HEADER, alice)
        .type('form')
        .send({ _csrf: csrfOf(confirm.text), graceSeconds: '604800' });
      expect(res.status).toBe(400);
      expect(errorCode(res.text)).toBe('validation_failed');
      expect(await rowCounts(prisma)).toEqual(counts);
      await capped.pat.close();
    });
  });

  describe('CSRF', () => {
    type Attempt = (csrf: string) => { csrf?: string; headers?: Record<string, string> };
    const attempts: [string, Attempt][] = [
      ['no token', () => ({})],
      ['a wrong token', (csrf) => ({ csrf: `${csrf.slice(0, -2)}${csrf.endsWith('AA') ? 'BB' : 'AA'}` })],
      ['a malformed token', () => ({ csrf: 'not-a-token' })],
      ['another user’s token', () => ({ csrf: 'bob' })],
      ['a valid token from a cross-site page (Sec-Fetch-Site)', (csrf) => ({ csrf, headers: { 'Sec-Fetch-Site': 'cross-site' } })],
      ['a valid token posted from another origin', (csrf) => ({ csrf, headers: { Origin: 'https://evil.example' } })],
      ['a valid token with Origin: null', (csrf) => ({ csrf, headers: { Origin: 'null' } })],
    ];
    const targets: [string, (id: string) => string][] = [
      ['create', () => '/'],
      ['rotate', (id) => `/${id}/rotate`],
      ['revoke', (id) => `/${id}/revoke`],
    ];

    describe.each(targets)('on %s', (_target, pathOf) => {
      it.each(attempts)('answers 403 csrf_failed for %s, changing nothing', async (_label, attempt) => {
        const issued = await pat.tokens.create(alice, { name: 'csrf target', scopes: ['notes:read'] });
        const stored = await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: issued.id } });
        const { csrf, headers = {} } = attempt(await csrfFor(alice));
        const form: Record<string, string> = { name: 'forged', scopes: 'notes:admin', expiry: 'none' };
        if (csrf !== undefined) form._csrf = csrf === 'bob' ? await csrfFor(bob) : csrf;
        const counts = await rowCounts(prisma);
        const res = await request(app).post(`${PAGE}${pathOf(issued.id)}`).set(USER_HEADER, alice).set(headers).type('form').send(form);
        expect(res.status).toBe(403);
        expect(errorCode(res.text)).toBe('csrf_failed');
        expect(await rowCounts(prisma)).toEqual(counts);
        expect(await prisma.personalAccessToken.findUniqueOrThrow({ where: { id: issued.id } })).toEqual(stored);
        expect((await apiStatus(issued.token)).status).toBe(200);
      });
    });

    it('refuses a token older than 12 hours, and accepts a same-origin post with a fresh one', async () => {
      const old = await csrfFor(alice);
      clock.advance(12 * 60 * 60 * 1000 + 1000);
      const before = await rowCounts(prisma);
      const stale = await as(alice).post('/', { _csrf: old, name: 'stale', scopes: 'notes:read', expiry: '7' });
      expect(stale.status).toBe(403);
      expect(await rowCounts(prisma)).toEqual(before);

      const fresh = await request(app)
        .post(PAGE)
        .set(USER_HEADER, alice)
        .set({ Host: 'tokens.example', Origin: 'https://tokens.example', 'Sec-Fetch-Site': 'same-origin' })
        .type('form')
        .send({ _csrf: await csrfFor(alice), name: 'fresh', scopes: 'notes:read', expiry: '7' });
      expect(fresh.status).toBe(201);
    });
  });

  describe('options', () => {
    it('uses the title, escaped, and refuses unknown options with a suggestion', () => {
      expect(() => pat.settingsPage({ titel: 'x' } as never)).toThrow(/unknown key `titel`.*Did you mean "title"/);
      expect(() => pat.settingsPage({ title: '' })).toThrow(TypeError);
    });

    it('shows the title, escaped, as heading and document title', async () => {
      const titled = createTestApp(prisma, { now: clock.now });
      titled.app.use('/mine', titled.pat.settingsPage({ title: 'Tokens <& yours>' }));
      const { text } = await request(titled.app).get('/mine').set(USER_HEADER, alice).expect(200);
      expect(text).toContain('<title>Tokens &lt;&amp; yours&gt;</title>');
      expect(text).toContain('<h1>Tokens &lt;&amp; yours&gt;</h1>');
      expect(text).toContain('href="/mine/assets/settings.css"');
      await titled.pat.close();
    });
  });
});

describe('the settings page’s memory of posted forms', () => {
  const HOUR_MS = 3600_000;
  let nowMs = 0;
  const form = (id: string, expiresAtMs = 12 * HOUR_MS) => ({ id: id.padEnd(22, '-'), expiresAtMs });

  it('refuses a form claimed before, and accepts it again once released', () => {
    const used = createUsedForms(() => nowMs);
    expect(used.claim(form('a'))).toBe(true);
    expect(used.claim(form('a'))).toBe(false);
    expect(used.claim(form('b'))).toBe(true);
    used.release(form('a'));
    expect(used.claim(form('a'))).toBe(true);
    expect(used.claim(form('b'))).toBe(false);
  });

  it('forgets a form once its CSRF token has expired', () => {
    nowMs = 0;
    const used = createUsedForms(() => nowMs);
    expect(used.claim(form('a', HOUR_MS))).toBe(true);
    nowMs = HOUR_MS;
    expect(used.claim(form('b'))).toBe(true);
    expect(used.claim(form('a', HOUR_MS))).toBe(false);
    nowMs = HOUR_MS + 1;
    expect(used.claim(form('c'))).toBe(true);
    expect(used.claim(form('a', HOUR_MS))).toBe(true);
  });

  it('keeps at most the given number of forms, forgetting the earliest posts first', () => {
    nowMs = 0;
    const used = createUsedForms(() => nowMs, 2);
    for (const id of ['a', 'b', 'c']) expect(used.claim(form(id))).toBe(true);
    expect(used.claim(form('c'))).toBe(false);
    expect(used.claim(form('b'))).toBe(false);
    expect(used.claim(form('a'))).toBe(true);
  });
});
