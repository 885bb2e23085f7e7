/**
 * The documented request bodies agree with the router's validators: fast-check sends generated
 * bodies (valid, invalid and fuzz-ish) to `POST /` and `POST /:id/rotate` of a real app, and the
 * HTTP verdict (2xx, or 400 `validation_failed`) must equal the verdict of the document's JSON
 * Schema, plus the rules the document writes out because JSON Schema cannot express them:
 * - `name`: at most 100 UTF-16 code units after trimming (the schema's pattern counts code points);
 * - `expiresAt`: a date that exists in the calendar, in the future, at most `maxLifetimeDays` away.
 * Those rules are implemented here from their description, not imported. Seeds are fixed.
 */
import fc, { type Arbitrary } from 'fast-check';
import type { Express } from 'express';
import request from 'supertest';
import type { OpenApiDocument, PersonalAccessTokens, PersonalAccessTokensOptions } from '../../src/index.js';
import { connect, createUser, testDatabases, type TestPrismaClient } from '../support/databases.js';
import { pointer, schemaChecker, type SchemaCheck } from '../support/openapi-schemas.js';
import { createTestApp, createTestClock, TEST_SCOPES, USER_HEADER } from '../support/test-app.js';

const DAY_MS = 86_400_000;
const REGISTERED = Object.keys(TEST_SCOPES);
const KEYS = ['name', 'scopes', 'expiresInDays', 'expiresAt', 'graceSeconds', 'Name', '', 'scopes[0]', 'scopes.0', 'a.b', '__proto__', 'constructor', 'toString', 'admin'];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** The instant an `expiresAt` the schema accepted stands for, or undefined for a date not in the calendar. */
function calendarInstant(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:Z|([+-])(\d{2}):(\d{2})))?$/.exec(text);
  if (!match) throw new Error(`the schema accepted an expiresAt this test cannot read: ${text}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', sign, oh = '0', om = '0'] = match;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const fields = [month, day, Number(h), Number(mi), Number(s), Number(oh), Number(om)];
  const ranges = [[1, 12], [1, 31], [0, 23], [0, 59], [0, 59], [0, 23], [0, 59]] as const;
  // The pattern keeps every field in range; only the length of the month is left to words.
  if (fields.some((value, index) => value < (ranges[index]?.[0] ?? 0) || value > (ranges[index]?.[1] ?? 0))) {
    throw new Error(`the schema accepted an expiresAt with a field out of range: ${text}`);
  }
  if (day > daysInMonth(year, month)) return undefined;
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMs = (Number(oh) * 60 + Number(om)) * 60_000;
  return instant.getTime() - (sign === '-' ? -offsetMs : offsetMs);
}

/** The rules of a create body the document states in words: true when the body keeps them. */
function keepsWrittenRules(body: Record<string, unknown>, now: number, maxLifetimeDays: number): boolean {
  // Astral characters count twice: the only way the limit can differ from the schema's.
  const trimmed = (body.name as string).trim();
  if (trimmed.length !== [...trimmed].length && trimmed.length > 100) return false;
  if (typeof body.expiresAt !== 'string') return true;
  const instant = calendarInstant(body.expiresAt);
  return instant !== undefined && instant > now && instant - now <= maxLifetimeDays * DAY_MS;
}

const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, '0');

/** Field values that keep or break the rules, near every boundary. */
function createBodies(now: number, maxLifetimeDays: number): Arbitrary<unknown> {
  const name = fc.oneof(
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.tuple(fc.integer({ min: 95, max: 105 }), fc.constantFrom('', ' ', '\t\n', '\u00a0')).map(([n, edge]) => `${edge}${'x'.repeat(n)}${edge}`),
    fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 })).map(([astral, plain]) => '😀'.repeat(astral) + 'a'.repeat(plain)),
    fc.constantFrom('', '   ', 'a\u0000b', '\tname\n', 'a\u0007b', 'x\u007f', '\u2028x\u2028', 'a\u2028b', '\ufeffa', '\ud800', 'a\udc00b', 'ok', 'a\u0085'),
    fc.constantFrom(null, 5, true, [], {}, ['x']),
  );
  const scopes = fc.oneof(
    fc.array(fc.constantFrom(...REGISTERED), { minLength: 1, maxLength: 4 }),
    fc.array(fc.oneof(fc.constantFrom(...REGISTERED), fc.string({ maxLength: 12 }), fc.constantFrom(1, null, 'notes:delete', 'NOTES:READ', [])), { maxLength: 4 }),
    fc.constantFrom(Array(100).fill('notes:read'), Array(101).fill('notes:read'), 'notes:read', null, {}, { 0: 'notes:read' }, 7),
  );
  const days = fc.oneof(
    fc.integer({ min: -2, max: maxLifetimeDays + 2 }),
    fc.constantFrom(0, 1, maxLifetimeDays, maxLifetimeDays + 1, 2.5, -1, '60', null, true, 1e21, -0),
    fc.double({ noNaN: true }),
  );
  const instant = fc.integer({ min: -2 * DAY_MS, max: (maxLifetimeDays + 2) * DAY_MS }).map((offset) => new Date(now + offset));
  const at = fc.oneof(
    instant.map((date) => date.toISOString()),
    instant.map((date) => date.toISOString().slice(0, 10)),
    instant.map((date) => `${date.toISOString().slice(0, 16)}Z`),
    instant.map((date) => date.toISOString().slice(0, 16)),
    fc.tuple(instant, fc.integer({ min: -23, max: 23 }), fc.constantFrom(0, 30, 59, 60)).map(
      ([date, hours, minutes]) => `${date.toISOString().slice(0, 19)}${hours < 0 ? '-' : '+'}${pad(hours)}:${pad(minutes)}`,
    ),
    fc.tuple(instant, fc.integer({ min: 1, max: 10 })).map(([date, digits]) => `${date.toISOString().slice(0, 19)}.${'7'.repeat(digits)}Z`),
    instant.map((date) => date.toISOString().toLowerCase()),
    instant.map((date) => date.toISOString().replace('T', ' ')),
    fc.tuple(fc.integer({ min: 2026, max: 2028 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(
      ([year, month, day]) => `${year}-${pad(month)}-${pad(day)}`,
    ),
    fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([hour, minute]) => `2026-06-02T${pad(hour)}:${pad(minute)}Z`),
    fc.constantFrom('2028-02-29', '2027-02-29', '2026-06-31', '2026-07-31T00:00:00Z', '2026-06-02T24:00:00Z', 'tomorrow', '', 20260602, null),
  );
  const extra = fc.tuple(fc.constantFrom(...KEYS.filter((key) => !['name', 'scopes', 'expiresInDays', 'expiresAt'].includes(key))), fc.jsonValue({ maxDepth: 1 }));
  // A valid body, then at most one fault: each rule is reached on its own, not masked by others.
  const base = fc.record({
    name: fc.constantFrom('CI', '  spaced  ', 'x'.repeat(100), '😀'.repeat(50), 'naïve – ok'),
    scopes: fc.array(fc.constantFrom(...REGISTERED), { minLength: 1, maxLength: 3 }),
    expiry: fc.oneof(
      fc.constant({}),
      fc.integer({ min: 1, max: maxLifetimeDays }).map((expiresInDays) => ({ expiresInDays })),
      fc.integer({ min: 1, max: maxLifetimeDays * DAY_MS }).map((offset) => ({ expiresAt: new Date(now + offset).toISOString() })),
    ),
  });
  const faults = ['none', 'name', 'scopes', 'expiresInDays', 'expiresAt', 'both', 'drop', 'extra'] as const;
  const object = fc
    .tuple(base, fc.constantFrom(...faults), name, scopes, days, at, extra, fc.constantFrom('name', 'scopes', 'expiresInDays', 'expiresAt'))
    .map(([{ name: validName, scopes: validScopes, expiry }, fault, badName, badScopes, badDays, badAt, [key, value], dropped]) => {
      const body: Record<string, unknown> = { name: validName, scopes: validScopes, ...expiry };
      if (fault === 'name') body.name = badName;
      if (fault === 'scopes') body.scopes = badScopes;
      if (fault === 'expiresInDays' || fault === 'both') body.expiresInDays = badDays;
      if (fault === 'expiresInDays') delete body.expiresAt;
      if (fault === 'expiresAt' || fault === 'both') body.expiresAt = badAt;
      if (fault === 'expiresAt') delete body.expiresInDays;
      if (fault === 'drop') delete body[dropped];
      // defineProperty: `__proto__` becomes an own key, as JSON.parse makes it on the server.
      if (fault === 'extra') Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
      return body;
    });
  return fc.oneof(
    { arbitrary: object, weight: 8 },
    { arbitrary: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.object({ maxDepth: 1 })), weight: 1 },
  );
}

function rotateBodies(maxGraceSeconds: number): Arbitrary<unknown> {
  const grace = fc.oneof(
    { arbitrary: fc.integer({ min: -5, max: maxGraceSeconds + 5 }), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: maxGraceSeconds }), weight: 1 },
    { arbitrary: fc.constantFrom(0, 1, maxGraceSeconds - 1, maxGraceSeconds, maxGraceSeconds + 1, -1), weight: 3 },
    { arbitrary: fc.constantFrom(2.5, '60', null, true, [], {}, 1e21, -0), weight: 1 },
    { arbitrary: fc.double({ noNaN: true }), weight: 1 },
  );
  return fc.oneof(
    fc.constant(undefined),
    fc.record({ graceSeconds: grace }),
    fc.record({ graceSeconds: grace }, { requiredKeys: [] }),
    fc.tuple(fc.record({ graceSeconds: grace }, { requiredKeys: [] }), fc.constantFrom(...KEYS.filter((key) => key !== 'graceSeconds')), fc.jsonValue({ maxDepth: 1 })).map(
      ([body, key, value]) => {
        Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
        return body as unknown;
      },
    ),
    fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 }), fc.object({ maxDepth: 1 })),
  );
}

interface Tally {
  accepted: number;
  refused: number;
  /** Bodies the schema accepts but a written rule refuses. */
  beyondSchema: number;
}

function verdictMismatch(label: string, text: string | undefined, expected: boolean, res: request.Response, why: string): string {
  return `${label} ${text ?? '(no body)'}: expected ${expected ? '2xx' : '400 validation_failed'} (${why}), got ${res.status} ${res.text}`;
}

describe.each(testDatabases)('documented request bodies agree with the validators on $provider', (database) => {
  let prisma: TestPrismaClient;
  beforeAll(async () => {
    prisma = await connect(database);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  describe.each<[string, Partial<PersonalAccessTokensOptions>, number]>([
    ['the defaults', {}, 1],
    ['requireExpiry, maxLifetimeDays 30, maxRotationGraceSeconds 3600', { requireExpiry: true, maxLifetimeDays: 30, maxRotationGraceSeconds: 3600 }, 2],
  ])('with %s', (_name, options, seed) => {
    let app: Express;
    let pat: PersonalAccessTokens;
    let document: OpenApiDocument;
    let check: (at: string) => SchemaCheck;
    let userId: string;
    const clock = createTestClock();
    const now = clock.now().getTime();
    const maxLifetimeDays = options.maxLifetimeDays ?? 366;

    beforeAll(async () => {
      ({ app, pat } = createTestApp(prisma, { ...options, now: clock.now }));
      document = pat.openapi({ basePath: '/tokens' });
      check = schemaChecker(document);
      userId = await createUser(prisma);
    });

    it('POST /: 201 exactly when the body keeps the documented schema and written rules', async () => {
      const schema = check(pointer('paths', '/tokens', 'post', 'requestBody', 'content', 'application/json', 'schema'));
      const tally: Tally = { accepted: 0, refused: 0, beyondSchema: 0 };
      await fc.assert(
        fc.asyncProperty(createBodies(now, maxLifetimeDays), async (generated) => {
          const text = JSON.stringify(generated);
          const body: unknown = JSON.parse(text);
          const bySchema = schema(body);
          const written = bySchema.valid && keepsWrittenRules(body as Record<string, unknown>, now, maxLifetimeDays);
          if (bySchema.valid && !written) tally.beyondSchema += 1;
          const res = await request(app).post('/tokens').set(USER_HEADER, userId).set('Content-Type', 'application/json').send(text);
          const agreed = written ? res.status === 201 : res.status === 400 && res.body.error?.code === 'validation_failed';
          if (!agreed) throw new Error(verdictMismatch('POST /tokens', text, written, res, bySchema.errors || 'schema: valid'));
          tally[written ? 'accepted' : 'refused'] += 1;
        }),
        { seed, numRuns: 400 },
      );
      expect(tally.accepted).toBeGreaterThan(25);
      expect(tally.refused).toBeGreaterThan(25);
      expect(tally.beyondSchema).toBeGreaterThan(5);
    }, 180_000);

    it('POST /:id/rotate: 201 exactly when the body (optional) keeps the documented schema', async () => {
      const schema = check(pointer('paths', '/tokens/{id}/rotate', 'post', 'requestBody', 'content', 'application/json', 'schema'));
      expect(document.paths['/tokens/{id}/rotate']?.post?.requestBody?.required).toBe(false);
      const tally: Tally = { accepted: 0, refused: 0, beyondSchema: 0 };
      let current = (await pat.tokens.create(userId, { name: 'rotated', scopes: ['notes:read'], expiresInDays: 7 })).id;
      await fc.assert(
        fc.asyncProperty(rotateBodies(options.maxRotationGraceSeconds ?? 604_800), async (generated) => {
          const text = generated === undefined ? undefined : JSON.stringify(generated);
          const bySchema = text === undefined ? { valid: true, errors: 'no body' } : schema(JSON.parse(text));
          const call = request(app).post(`/tokens/${current}/rotate`).set(USER_HEADER, userId);
          const res = await (text === undefined ? call : call.set('Content-Type', 'application/json').send(text));
          const agreed = bySchema.valid ? res.status === 201 : res.status === 400 && res.body.error?.code === 'validation_failed';
          if (!agreed) throw new Error(verdictMismatch(`POST /tokens/${current}/rotate`, text, bySchema.valid, res, bySchema.errors || 'schema: valid'));
          if (res.status === 201) current = res.body.id as string;
          tally[bySchema.valid ? 'accepted' : 'refused'] += 1;
        }),
        { seed, numRuns: 200 },
      );
      expect(tally.accepted).toBeGreaterThan(25);
      expect(tally.refused).toBeGreaterThan(25);
    }, 180_000);
  });
});
