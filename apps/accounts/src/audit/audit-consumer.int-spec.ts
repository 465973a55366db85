import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { EventPublisher } from '#common';
import { AuthEvents, MfaEvents } from '#contracts';
import { intEnv, isolatedPrefix } from '#testing';
import { loadAccountsConfig } from '../accounts.config.js';
import { AccountsModule } from '../accounts.module.js';
import { AuditConsumer } from './audit-consumer.js';
import { AuditEventRepository } from './audit-event.repository.js';

/**
 * The audit log is fed by a durable JetStream consumer: events published while accounts is down are
 * recorded when it comes back, each exactly once, and a redelivered message inserts nothing.
 * Runs the accounts module in-process on the real PostgreSQL and NATS, under a prefix of its own.
 */
describe('audit consumer durability', () => {
  const prefix = isolatedPrefix();
  const config = loadAccountsConfig(intEnv({ NATS_SUBJECT_PREFIX: prefix, LOG_LEVEL: 'silent' }));
  let nc: NatsConnection;
  let publisher: EventPublisher;
  const accountId = randomUUID();
  const userId = randomUUID();

  const start = async (): Promise<TestingModule> => {
    const moduleRef = await Test.createTestingModule({ imports: [AccountsModule.forRoot(config)] }).compile();
    await moduleRef.init();
    return moduleRef;
  };

  const rowsOf = (dataSource: DataSource, target: string): Promise<Array<{ type: string; account_id: string | null; ip: string; source_seq: string }>> =>
    dataSource.query(`SELECT type, account_id, ip, source_seq FROM accounts.audit_events WHERE target_user_id = $1 ORDER BY source_seq`, [target]);

  async function waitForRows(dataSource: DataSource, target: string, count: number): Promise<Awaited<ReturnType<typeof rowsOf>>> {
    const deadline = Date.now() + 10_000;
    let rows = await rowsOf(dataSource, target);
    while (rows.length < count && Date.now() < deadline) {
      await sleep(100);
      rows = await rowsOf(dataSource, target);
    }
    return rows;
  }

  beforeAll(async () => {
    nc = await connect({ servers: config.NATS_URL.split(',') });
    publisher = new EventPublisher(prefix, async () => nc);
    await publisher.ensureStream();
  });

  afterAll(async () => {
    await nc?.close();
  });

  it('records events published while accounts was down, once each, and resolves the account from the user', async () => {
    let app: Awaited<ReturnType<typeof start>> | undefined = await start();
    try {
      const dataSource = app.get<DataSource>(getDataSourceToken());
      await dataSource.query(`INSERT INTO accounts.accounts (id, name) VALUES ($1, 'Audit practice')`, [accountId]);
      await dataSource.query(
        `INSERT INTO accounts.users (id, account_id, username, email, role, status) VALUES ($1, $2, $3, 'a@example.com', 'user', 'active')`,
        [userId, accountId, `audit-${userId}`],
      );

      const at = () => new Date().toISOString();
      await publisher.publish(MfaEvents.enrolled, { userId, method: 'totp', ip: '192.0.2.1', at: at() });
      expect(await waitForRows(dataSource, userId, 1)).toEqual([expect.objectContaining({ type: 'mfa.enrolled', account_id: accountId, ip: '192.0.2.1' })]);

      await app.close();
      app = undefined;
      // accounts is down: these must not be lost.
      await publisher.publish(AuthEvents.loginFailed, { userId, reason: 'invalid_credentials', ip: '192.0.2.2', at: at() });
      await publisher.publish(MfaEvents.locked, { userId, lockedUntil: at(), ip: '192.0.2.3', at: at() });
      await publisher.publish(AuthEvents.loginFailed, { reason: 'invalid_credentials', ip: '192.0.2.4', at: at() });

      app = await start();
      const again = app.get<DataSource>(getDataSourceToken());
      const rows = await waitForRows(again, userId, 3);
      expect(rows.map((r) => [r.type, r.account_id, r.ip])).toEqual([
        ['mfa.enrolled', accountId, '192.0.2.1'],
        ['login.failed', accountId, '192.0.2.2'],
        ['mfa.locked', accountId, '192.0.2.3'],
      ]);
      // A failed sign-in of an unknown name is kept without an account (no holder sees it).
      const orphan: Array<{ account_id: string | null }> = await again.query(`SELECT account_id FROM accounts.audit_events WHERE ip = '192.0.2.4'`);
      expect(orphan).toEqual([{ account_id: null }]);
    } finally {
      // Also on failure: a replica left running keeps jest from exiting.
      await app?.close();
    }
  });

  it('inserts nothing for a redelivered message (same stream position)', async () => {
    const app = await start();
    try {
      const repository = app.get(AuditEventRepository);
      const target = randomUUID();
      const record = { type: 'login.succeeded', actorType: 'user' as const, actorId: target, targetUserId: target, ip: null, occurredAt: new Date(), details: {} };
      expect(await repository.insertFromEvent(`TEST@${target}`, 7, record)).toBe(true);
      expect(await repository.insertFromEvent(`TEST@${target}`, 7, record)).toBe(false);
      expect(await repository.insertFromEvent(`TEST@${target}`, 8, record)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('keeps one durable consumer per deployment prefix, with explicit acks', async () => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(EventPublisher.streamName(prefix), AuditConsumer.consumerName(prefix));
    expect(info.config.durable_name).toBe(AuditConsumer.consumerName(prefix));
    expect(info.config.ack_policy).toBe('explicit');
    expect(info.num_ack_pending).toBe(0);
  });
});
