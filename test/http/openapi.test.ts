/**
 * The OpenAPI document of `pat.router`: valid OpenAPI 3.1, listing exactly the routes the router
 * registers, honouring the configuration, and describing the answers the routes really give.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Express } from 'express';
import request from 'supertest';
import { createDemoApp } from '../../src/demo/app.js';
import { ERROR_CODES, sampleError } from '../../src/http/openapi/error-catalog.js';
import type { OpenApiDocument, PersonalAccessTokens, PersonalAccessTokensOptions } from '../../src/index.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { pointer, schemaChecker, type SchemaCheck } from '../support/openapi-schemas.js';
import { createTestApp, createTestClock, TEST_PEPPER, TEST_SCOPES, USER_HEADER } from '../support/test-app.js';

const SCOPES = { ...TEST_SCOPES, 'tokens:write': 'Manage tokens with a token' };
const BASE = '/tokens';

interface Layer {
  readonly route?: { readonly path: string; readonly methods: Readonly<Record<string, boolean | undefined>> };
}

/** `GET /:id`-style lines for every route on the router's stack. */
function registeredRoutes(pat: PersonalAccessTokens): string[] {
  const { stack } = pat.router as unknown as { stack: readonly Layer[] };
  return stack
    .flatMap(({ route }) =>
      route === undefined
        ? []
        : Object.entries(route.methods)
            .filter(([, on]) => on === true)
            .map(([method]) => `${method.toUpperCase()} ${route.path}`),
    )
    .sort();
}

/** The same lines read back from the document's paths (mounted at `BASE`). */
function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) => {
      expect(path.startsWith(BASE)).toBe(true);
      const local = path.slice(BASE.length).replace(/\{(\w+)\}/g, ':$1') || '/';
      return Object.keys(operations).map((method) => `${method.toUpperCase()} ${local}`);
    })
    .sort();
}

async function expectValidOpenApi(document: unknown): Promise<void> {
  const result = await new Validator().validate(JSON.parse(JSON.stringify(document)) as Record<string, unknown>);
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
}

describe.each(testDatabases)('the OpenAPI document on $provider', (database) => {
  let prisma: TestPrismaClient;
  beforeAll(async () => {
    prisma = await connect(database);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('is served by the demo at GET /openapi.json and validates as OpenAPI 3.1', async () => {
    const { app, pat } = createDemoApp({ prisma, pepper: TEST_PEPPER, bcryptCost: 4 });
    try {
      const res = await request(app).get('/openapi.json').expect(200);
      await expectValidOpenApi(res.body);
      expect(res.body.openapi).toBe('3.1.0');
      expect(documentedRoutes(res.body as OpenApiDocument)).toEqual(registeredRoutes(pat));
      expect(res.body.components.securitySchemes.login).toEqual({ type: 'http', scheme: 'basic' });
      expect(res.body.paths['/tokens'].post.security).toEqual([{ login: [] }, { personalAccessToken: ['tokens:write'] }]);
    } finally {
      await pat.close();
    }
  });

  describe.each<[string, Partial<PersonalAccessTokensOptions>]>([
    ['defaults', {}],
    ['leak reporting on', { leakReporting: true }],
    ['leak reporting and managementScope on', { leakReporting: true, scopes: SCOPES, managementScope: 'tokens:write' }],
    ['another prefix, requireExpiry', { prefix: 'acme', requireExpiry: true, maxLifetimeDays: 30 }],
  ])('with %s', (_name, options) => {
    it('documents exactly the routes pat.router registers, in valid OpenAPI 3.1', async () => {
      const { pat } = createTestApp(prisma, options);
      const document = pat.openapi({ basePath: BASE });
      await expectValidOpenApi(document);
      const registered = registeredRoutes(pat);
      expect(registered).toHaveLength(options.leakReporting === true ? 9 : 8);
      expect(documentedRoutes(document)).toEqual(registered);
      expect(registered.includes('POST /leaked')).toBe(options.leakReporting === true);
    });
  });

  it('honours the configuration: scopes, lifetime cap, requireExpiry, grace cap, managementScope, prefix', () => {
    const strict = createTestApp(prisma, {
      prefix: 'acme',
      scopes: SCOPES,
      managementScope: 'tokens:write',
      requireExpiry: true,
      maxLifetimeDays: 30,
      maxRotationGraceSeconds: 3600,
    }).pat.openapi({ basePath: BASE });
    const { schemas, securitySchemes } = strict.components;
    const create = schemas.CreateTokenRequest;
    expect(create?.properties?.scopes?.items?.enum).toEqual(Object.keys(SCOPES));
    expect(create?.properties?.expiresInDays?.maximum).toBe(30);
    expect(create?.allOf).toContainEqual(expect.objectContaining({ anyOf: [{ required: ['expiresInDays'] }, { required: ['expiresAt'] }] }));
    expect(schemas.RotateTokenRequest?.properties?.graceSeconds).toMatchObject({ type: 'integer', minimum: 0, maximum: 3600 });
    expect(schemas.IssuedToken?.properties?.token?.pattern).toBe('^acme_[0-9A-Za-z]{38}$');
    expect(securitySchemes.personalAccessToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(strict.paths['/tokens/{id}']?.delete?.security).toEqual([{ personalAccessToken: ['tokens:write'] }]);
    expect(strict.paths['/tokens/{id}']?.delete?.responses['403']).toBeDefined();

    const relaxed = createTestApp(prisma).pat.openapi();
    expect(Object.keys(relaxed.paths)).toContain('/{id}/rotate');
    expect(relaxed.components.schemas.CreateTokenRequest?.allOf).not.toContainEqual(expect.objectContaining({ anyOf: expect.anything() }));
    expect(relaxed.components.schemas.RotateTokenRequest?.properties?.graceSeconds?.maximum).toBe(604_800);
    // Without managementScope and without a login scheme, nothing but the description can say who may call.
    expect(relaxed.paths['/']?.get?.security).toBeUndefined();
    expect(relaxed.paths['/']?.get?.['x-express-pat-access']).toBe('user');
    expect(relaxed.paths['/']?.get?.responses['403']).toBeUndefined();
    expect(relaxed.paths['/scopes']?.get?.security).toEqual([]);
  });

  it('takes serverUrl, title and version, and refuses unknown or malformed options', () => {
    const { pat } = createTestApp(prisma);
    const document = pat.openapi({ serverUrl: 'https://api.example.test', title: 'Acme tokens', version: '2.1.0', basePath: '/tokens/' });
    expect(document.servers).toEqual([{ url: 'https://api.example.test' }]);
    expect(document.info).toMatchObject({ title: 'Acme tokens', version: '2.1.0' });
    expect(Object.keys(document.paths)).toContain('/tokens');
    expect(() => pat.openapi({ basePath: 'tokens' })).toThrow(TypeError);
    expect(() => pat.openapi({ basPath: '/tokens' } as never)).toThrow(/did you mean "basePath"/i);
    expect(() => pat.openapi({ version: 2 } as never)).toThrow(TypeError);
  });

  it('names every catalogued error code after the error it answers with', () => {
    for (const code of ERROR_CODES) expect(sampleError(code).code).toBe(code);
  });

  describe('real answers', () => {
    let app: Express;
    let pat: PersonalAccessTokens;
    let document: OpenApiDocument;
    let check: (at: string) => SchemaCheck;
    let userId: string;
    const clock = createTestClock();

    beforeAll(async () => {
      ({ app, pat } = createTestApp(prisma, { scopes: SCOPES, managementScope: 'tokens:write', leakReporting: true, now: clock.now }));
      document = pat.openapi({ basePath: BASE });
      check = schemaChecker(document);
      userId = await createUser(prisma);
    });

    /** Asserts that `res` is a documented answer of `method path`, and matches its schema. */
    function expectDocumented(method: 'get' | 'post' | 'delete', path: string, res: request.Response): void {
      const response = document.paths[path]?.[method]?.responses[String(res.status)];
      if (response === undefined) throw new Error(`${method.toUpperCase()} ${path} answered an undocumented ${res.status}: ${res.text}`);
      if (response.content === undefined) {
        expect(res.text).toBe('');
        return;
      }
      const result = check(pointer('paths', path, method, 'responses', String(res.status), 'content', 'application/json', 'schema'))(res.body);
      if (!result.valid) throw new Error(`${method.toUpperCase()} ${path} ${res.status} ${JSON.stringify(res.body)}: ${result.errors}`);
      if (response.headers?.['Cache-Control'] !== undefined) expect(res.headers['cache-control']).toBe('no-store');
    }

    const asUser = () => ({
      get: (path: string) => request(app).get(`${BASE}${path}`).set(USER_HEADER, userId),
      post: (path: string) => request(app).post(`${BASE}${path}`).set(USER_HEADER, userId),
      delete: (path: string) => request(app).delete(`${BASE}${path}`).set(USER_HEADER, userId),
    });

    it('match the documented success responses, and a token shows exactly the documented fields', async () => {
      expectDocumented('get', '/tokens/scopes', await request(app).get('/tokens/scopes'));
      const created = await asUser().post('/').send({ name: 'CI', scopes: ['notes:read', 'tokens:write'], expiresInDays: 30 });
      expect(created.status).toBe(201);
      expectDocumented('post', '/tokens', created);
      const bearer = `Bearer ${created.body.token as string}`;
      expectDocumented('get', '/tokens/self', await request(app).get('/tokens/self').set('Authorization', bearer).expect(200));
      const minted = await request(app).post('/tokens').set('Authorization', bearer).send({ name: 'job', scopes: ['notes:read'], expiresAt: '2026-06-05' });
      expect(minted.status).toBe(201);
      expectDocumented('post', '/tokens', minted);
      expectDocumented('get', '/tokens', await asUser().get('/').expect(200));

      const shown = await asUser().get(`/${created.body.id as string}`).expect(200);
      expectDocumented('get', '/tokens/{id}', shown);
      expect(Object.keys(shown.body as object).sort()).toEqual(Object.keys(document.components.schemas.TokenMeta?.properties ?? {}).sort());

      const rotated = await asUser().post(`/${minted.body.id as string}/rotate`).expect(201);
      expectDocumented('post', '/tokens/{id}/rotate', rotated);
      const graced = await asUser().post(`/${rotated.body.id as string}/rotate`).send({ graceSeconds: 60 }).expect(201);
      expectDocumented('post', '/tokens/{id}/rotate', graced);
      expectDocumented('post', '/tokens/leaked', await request(app).post('/tokens/leaked').send({ tokens: ['pat_nothing'] }).expect(202));
      expectDocumented('delete', '/tokens/{id}', await asUser().delete(`/${graced.body.id as string}`).expect(204));
      expectDocumented('delete', '/tokens', await asUser().delete('/').expect(204));
    });

    it('match the Error schema, with a code documented for that route and status', async () => {
      const reader = await pat.tokens.create(userId, { name: 'reader', scopes: ['notes:read'] });
      const manager = await pat.tokens.create(userId, { name: 'manager', scopes: ['tokens:write'] });
      const revoked = await pat.tokens.create(userId, { name: 'revoked', scopes: ['notes:read'] });
      await pat.tokens.revoke(userId, revoked.id);
      const unknownId = '00000000-0000-4000-8000-000000000000';
      const cases: [string, 'get' | 'post' | 'delete', string, () => request.Test][] = [
        ['unauthenticated', 'post', '/tokens', () => request(app).post('/tokens').send({})],
        ['validation_failed', 'post', '/tokens', () => asUser().post('/').send({ name: '', scopes: [] })],
        ['invalid_json', 'post', '/tokens', () => asUser().post('/').set('Content-Type', 'application/json').send('{"name":')],
        ['payload_too_large', 'post', '/tokens', () => asUser().post('/').send({ name: 'x'.repeat(20_000), scopes: ['notes:read'] })],
        ['scope_not_allowed', 'post', '/tokens', () => request(app).post('/tokens').set('Authorization', `Bearer ${manager.token}`).send({ name: 'n', scopes: ['notes:read'] })],
        ['insufficient_scope', 'get', '/tokens', () => request(app).get('/tokens').set('Authorization', `Bearer ${reader.token}`)],
        ['token_revoked', 'get', '/tokens', () => request(app).get('/tokens').set('Authorization', `Bearer ${revoked.token}`)],
        ['token_missing', 'get', '/tokens/self', () => request(app).get('/tokens/self')],
        ['invalid_request', 'get', '/tokens/self', () => request(app).get('/tokens/self').set('Authorization', 'Bearer a b')],
        ['token_invalid', 'get', '/tokens/self', () => request(app).get('/tokens/self').set('Authorization', 'Bearer pat_nope')],
        ['not_found', 'get', '/tokens/{id}', () => asUser().get(`/${unknownId}`)],
        ['not_found', 'delete', '/tokens/{id}', () => asUser().delete(`/${unknownId}`)],
        ['not_found', 'post', '/tokens/{id}/rotate', () => asUser().post(`/${unknownId}/rotate`)],
        ['token_not_active', 'post', '/tokens/{id}/rotate', () => asUser().post(`/${revoked.id}/rotate`)],
        ['validation_failed', 'post', '/tokens/{id}/rotate', () => asUser().post(`/${reader.id}/rotate`).send({ graceSeconds: -1 })],
        ['validation_failed', 'post', '/tokens/leaked', () => request(app).post('/tokens/leaked').send({})],
      ];
      for (const [code, method, path, send] of cases) {
        const res = await send();
        expect([code, res.body.error?.code]).toEqual([code, code]);
        expect(res.status).toBe(sampleError(code as never).status);
        expectDocumented(method, path, res);
      }
    });
  });
});
