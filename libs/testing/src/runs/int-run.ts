import { generateSecrets, uniqueSuffix } from '../infra/secrets.js';
import { createTestRun, dropTestRun, type TestRunResources } from './test-run.js';
import { harnessEnv } from '../harness.config.js';

/**
 * Integration tests (`*.int-spec.ts`) run services' modules in-process against the real PostgreSQL
 * and NATS. The int project's globalSetup creates one database and one subject prefix for the run
 * and puts them, as JSON, in `TWOFOLD_INT_RUN`; `intRun()` reads it in the tests.
 */
export const INT_RUN_ENV = 'TWOFOLD_INT_RUN';

export interface IntRun {
  /** The run's own database (`twofold_test_<time>_<random>`); each service migrates its schema in it. */
  databaseUrl: string;
  natsUrl: string;
  /** The run's NATS subject prefix; see `isolatedPrefix` for a test that needs subjects of its own. */
  prefix: string;
  /** Fresh development secrets, so auth and mfa configs validate. */
  jwtPrivateKey: string;
  mfaEncryptionKeys: string;
}

export function intRun(): IntRun {
  const raw = harnessEnv()[INT_RUN_ENV];
  if (!raw) {
    throw new Error(`${INT_RUN_ENV} is not set: integration tests run only in the jest "int" project (its globalSetup creates the run's database).`);
  }
  return JSON.parse(raw) as IntRun;
}

/**
 * A subject prefix no other test file shares, within the run's family (cleaned up at teardown).
 * Use it when a test starts its own service instances, so another worker's instances of the same
 * service (same queue group) cannot answer its requests.
 */
export function isolatedPrefix(run: IntRun = intRun()): string {
  return `${run.prefix}_${uniqueSuffix(6)}`;
}

/**
 * The environment a service's `loadConfig` expects, pointing at the run's database and NATS.
 * Pass it explicitly (`loadConfig(shape, intEnv())`) rather than mutating the environment.
 */
export function intEnv(overrides: Record<string, string | undefined> = {}, run: IntRun = intRun()): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: run.databaseUrl,
    DATABASE_POOL_SIZE: '3',
    NATS_URL: run.natsUrl,
    NATS_SUBJECT_PREFIX: run.prefix,
    JWT_PRIVATE_KEY: run.jwtPrivateKey,
    MFA_ENCRYPTION_KEYS: run.mfaEncryptionKeys,
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    MFA_VERIFY_RATE_LIMIT_PER_MINUTE: '100000',
    ...overrides,
  };
}

export interface PreparedIntRun {
  run: IntRun;
  teardown(): Promise<void>;
}

/** globalSetup side: create the database, pick the prefix. */
export async function prepareIntRun(env: NodeJS.ProcessEnv = harnessEnv()): Promise<PreparedIntRun> {
  const resources: TestRunResources = await createTestRun(env);
  const secrets = generateSecrets();
  return {
    run: {
      databaseUrl: resources.databaseUrl,
      natsUrl: resources.natsUrl,
      prefix: resources.prefix,
      jwtPrivateKey: secrets.JWT_PRIVATE_KEY,
      mfaEncryptionKeys: secrets.MFA_ENCRYPTION_KEYS,
    },
    teardown: () => dropTestRun(resources),
  };
}
