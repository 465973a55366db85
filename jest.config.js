// Jest 30 in ESM mode (run with NODE_OPTIONS=--experimental-vm-modules, as `npm test` does).
// ts-jest only transpiles (isolatedModules): `npm run build` already type-checks everything.

/** @type {import('ts-jest').TsJestTransformerOptions} */
const tsJest = {
  useESM: true,
  // ts-jest 29.4 deprecates its own `isolatedModules` option in favour of the compiler option.
  tsconfig: { isolatedModules: true },
};

/** @type {import('jest').Config} */
const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', tsJest] },
  moduleNameMapper: {
    '^#common$': '<rootDir>/libs/common/src/index.ts',
    '^#contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^#testing$': '<rootDir>/libs/testing/src/index.ts',
    // Sources import siblings as `./x.js` (NodeNext); jest resolves the `.ts` file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
};

/** @type {import('jest').Config} */
export default {
  // Jest reads the timeout from the root config only (a project's `testTimeout` is ignored). Hooks get it
  // too: int and e2e hooks start and stop real services.
  testTimeout: 30_000,
  // Safety net only: tests close what they open, but one leaked connection must never hang CI for 90 min.
  forceExit: true,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'int',
      testMatch: ['<rootDir>/apps/**/*.int-spec.ts', '<rootDir>/libs/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/jest/int-global-setup.mjs',
      globalTeardown: '<rootDir>/libs/testing/jest/int-global-teardown.mjs',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/jest/e2e-global-setup.mjs',
      globalTeardown: '<rootDir>/libs/testing/jest/e2e-global-teardown.mjs',
    },
    {
      ...shared,
      // Kills and restarts parts of a stack on private infrastructure (its own 3-node NATS cluster and
      // embedded PostgreSQL on free loopback ports), never the shared servers other runs use.
      // Timeouts are set per test and hook in the specs (they outlast the root 30 s).
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
    },
  ],
};
