import type { Config } from 'jest';

/** Runs every suite once; suites that touch a database repeat themselves on SQLite and PostgreSQL. */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30_000,
  // One migrated PostgreSQL schema per worker: see POSTGRES_WORKER_SCHEMAS in test/support/test-env.ts.
  maxWorkers: 2,
};

export default config;
