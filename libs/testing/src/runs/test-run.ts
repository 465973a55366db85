import { deleteEventStreams } from '../infra/nats.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../infra/postgres.js';
import { uniqueSuffix } from '../infra/secrets.js';
import pg from 'pg';
import { harnessEnv } from '../harness.config.js';

/**
 * Per-run isolation on the shared PostgreSQL and NATS servers: every test run (not every test) gets
 * its own database and its own NATS subject prefix, so concurrent runs on one machine cannot collide.
 * Names carry the creation time (base 36 seconds) so a later run can drop what a crashed run left.
 */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';
const STALE_AFTER_SECONDS = 6 * 60 * 60;

export interface TestRunResources {
  runId: string;
  /** Server URL used to create and drop the run's database (`TEST_DATABASE_URL`). */
  adminDatabaseUrl: string;
  databaseName: string;
  /** The run's own database. */
  databaseUrl: string;
  natsUrl: string;
  /** NATS subject prefix of the run: `tftest_<time>_<random>`. */
  prefix: string;
}

export function testServerUrls(env: NodeJS.ProcessEnv = harnessEnv()): { adminDatabaseUrl: string; natsUrl: string } {
  return {
    adminDatabaseUrl: env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL,
    natsUrl: env.TEST_NATS_URL || DEFAULT_TEST_NATS_URL,
  };
}

function newRunId(): string {
  return `${Math.floor(Date.now() / 1000).toString(36)}_${uniqueSuffix(6)}`;
}

/** Creates the run's database; answers everything a run needs to know about where it lives. */
export async function createTestRun(env: NodeJS.ProcessEnv = harnessEnv()): Promise<TestRunResources> {
  const { adminDatabaseUrl, natsUrl } = testServerUrls(env);
  const runId = newRunId();
  const databaseName = `twofold_test_${runId}`;
  await dropStaleTestDatabases(adminDatabaseUrl).catch(() => undefined);
  await ensureDatabase(adminDatabaseUrl, databaseName);
  return {
    runId,
    adminDatabaseUrl,
    databaseName,
    databaseUrl: withDatabase(adminDatabaseUrl, databaseName),
    natsUrl,
    prefix: `tftest_${runId}`,
  };
}

export async function dropTestRun(run: TestRunResources): Promise<void> {
  const results = await Promise.allSettled([
    dropDatabase(run.adminDatabaseUrl, run.databaseName),
    deleteEventStreams(run.natsUrl, run.prefix),
  ]);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length) {
    throw new Error(`cleaning up test run ${run.runId} failed: ${failures.map((f) => String(f.reason)).join('; ')}`);
  }
}

/** Drops `twofold_test_*` databases older than six hours that nobody is connected to (crashed runs). */
export async function dropStaleTestDatabases(adminDatabaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  const dropped: string[] = [];
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database d
        WHERE datname LIKE 'twofold\\_test\\_%'
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
    );
    const now = Date.now() / 1000;
    for (const { datname } of rows) {
      const created = parseInt(datname.slice('twofold_test_'.length).split('_')[0] ?? '', 36);
      if (!Number.isFinite(created) || now - created < STALE_AFTER_SECONDS) continue;
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)}`).then(
        () => dropped.push(datname),
        () => undefined,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return dropped;
}
