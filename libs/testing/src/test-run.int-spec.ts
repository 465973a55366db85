import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { EventPublisher } from '#common';
import { databaseName, deleteEventStreams, intEnv, intRun, isolatedPrefix, isNatsReachable, isPostgresReachable } from '#testing';

describe('integration run isolation', () => {
  it('gives the run its own database on the real PostgreSQL', async () => {
    const run = intRun();
    expect(databaseName(run.databaseUrl)).toMatch(/^twofold_test_[a-z0-9]+_[a-z0-9]{6}$/);
    expect(await isPostgresReachable(run.databaseUrl)).toBe(true);
    const client = new pg.Client({ connectionString: run.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
      expect(rows[0]?.db).toBe(databaseName(run.databaseUrl));
    } finally {
      await client.end();
    }
  });

  it('gives the run its own subject prefix on the real NATS, and an env services can load', async () => {
    const run = intRun();
    expect(run.prefix).toMatch(/^tftest_[a-z0-9_]+$/);
    expect(await isNatsReachable(run.natsUrl)).toBe(true);
    expect(intEnv({ LOG_LEVEL: 'debug' })).toMatchObject({ NATS_SUBJECT_PREFIX: run.prefix, DATABASE_URL: run.databaseUrl, LOG_LEVEL: 'debug' });
  });

  it('deletes the event streams of the run prefix and of prefixes derived from it, and no others', async () => {
    const run = intRun();
    const own = isolatedPrefix(run);
    const stranger = `tfother_${own.slice(-6)}`;
    const nc = await connect({ servers: run.natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      for (const prefix of [own, stranger]) {
        await jsm.streams.add({ name: EventPublisher.streamName(prefix), subjects: EventPublisher.streamSubjects(prefix) });
      }
      const deleted = await deleteEventStreams(run.natsUrl, run.prefix);
      expect(deleted).toContain(EventPublisher.streamName(own));
      expect(deleted).not.toContain(EventPublisher.streamName(stranger));
      await expect(jsm.streams.info(EventPublisher.streamName(stranger))).resolves.toBeDefined();
      await jsm.streams.delete(EventPublisher.streamName(stranger));
    } finally {
      await nc.close();
    }
  });
});
