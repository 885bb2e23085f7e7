import { jest } from '@jest/globals';
import { createPersonalAccessTokens, type PersonalAccessTokensOptions } from '../src/index.js';
import { connect, testDatabases, type TestPrismaClient } from './support/databases.js';
import { TEST_PEPPER, TEST_SCOPES } from './support/test-app.js';

describe('createPersonalAccessTokens options', () => {
  let prisma: TestPrismaClient;
  beforeAll(async () => {
    prisma = await connect(testDatabases[0]!);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  const build = (extra: Record<string, unknown>) => () =>
    createPersonalAccessTokens({ prisma, scopes: TEST_SCOPES, pepper: TEST_PEPPER, ...extra } as unknown as PersonalAccessTokensOptions);

  it('builds with only prisma, scopes and pepper, and runs no query until used', () => {
    const pat = build({})();
    expect(typeof pat.router).toBe('function');
    expect(pat.scopes.map((scope) => scope.name)).toEqual(Object.keys(TEST_SCOPES));
  });

  it.each([
    ['a misspelt option, suggesting the right one', { maxLifetimeDay: 30 }, /unknown option `maxLifetimeDay`.*Did you mean "maxLifetimeDays"/],
    ['a prefix with an underscore', { prefix: 'my_pat' }, /`prefix`/],
    ['an upper-case prefix', { prefix: 'PAT' }, /`prefix`/],
    ['a short pepper', { pepper: 'short' }, /at least 32 characters/],
    ['maxLifetimeDays 0', { maxLifetimeDays: 0 }, /`maxLifetimeDays`/],
    ['a non-function authenticate', { authenticate: 'req.user' }, /`authenticate`/],
    ['a prisma client without the models', { prisma: {} }, /express-pat models/],
    ['no scopes', { scopes: undefined }, /`scopes` is required/],
    ['a realm with quotes', { realm: 'a"b' }, /`realm`/],
  ])('throws a TypeError for %s', (_name, extra, message) => {
    expect(build(extra)).toThrow(TypeError);
    expect(build(extra)).toThrow(message);
  });

  it('requires a pepper in production', () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(build({ pepper: undefined })).toThrow(/`pepper` is required in production/);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('warns when it falls back to the development pepper', () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      build({ pepper: undefined })();
      expect(emitWarning).toHaveBeenCalledWith(
        expect.stringMatching(/development pepper/),
        expect.objectContaining({ code: 'EXPRESS_PAT_DEV_PEPPER' }),
      );
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('does not mutate the options object', () => {
    const options = { prisma, scopes: TEST_SCOPES, pepper: TEST_PEPPER };
    const copy = { ...options };
    createPersonalAccessTokens(options);
    expect(options).toEqual(copy);
  });
});
