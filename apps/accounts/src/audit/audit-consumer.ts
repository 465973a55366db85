import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { DurableConsumer, PrefixedClientNats } from '#common';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../accounts.config.js';
import { AuditEventRepository } from './audit-event.repository.js';
import { toAuditRecord } from './audit-record.mapper.js';

const SECOND_NS = 1_000_000_000;

/**
 * Builds the audit log from other services' facts through a durable JetStream pull consumer: a message
 * is acknowledged only after its row is committed, and the row is keyed by the stream sequence, so a
 * crash, a restart or a redelivery neither loses nor doubles a record. All replicas of accounts share
 * the one durable consumer (each message goes to one of them).
 */
@Injectable()
export class AuditConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditConsumer.name);
  private readonly consumer: DurableConsumer;

  constructor(
    nats: PrefixedClientNats,
    private readonly audit: AuditEventRepository,
    @Inject(ACCOUNTS_CONFIG) config: AccountsConfig,
  ) {
    const prefix = config.NATS_SUBJECT_PREFIX;
    this.consumer = new DurableConsumer(async () => (await nats.connect()) as NatsConnection, {
      prefix,
      durableName: AuditConsumer.consumerName(prefix),
      config: {
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 30 * SECOND_NS,
        max_ack_pending: 1_000,
        // Every event of the deployment (no filter: multi-subject filters need NATS 2.10); the mapper
        // skips what the log does not keep, including accounts' own facts.
      },
      maxMessages: 100,
      handle: (message, from) => this.handle(message, prefix, `${from.stream}@${from.streamCreated}`),
    });
  }

  static consumerName(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_accounts_audit`;
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  private async handle(message: JsMsg, prefix: string, incarnation: string): Promise<void> {
    const subject = message.subject.startsWith(`${prefix}.`) ? message.subject.slice(prefix.length + 1) : message.subject;
    let data: unknown;
    try {
      data = (message.json() as { data?: unknown }).data;
    } catch {
      this.logger.warn({ subject, seq: message.seq }, 'audit: event is not JSON; skipped');
      message.term('not JSON');
      return;
    }
    const record = toAuditRecord(subject, data, message.time);
    if (!record) {
      message.ack();
      return;
    }
    try {
      await this.audit.insertFromEvent(incarnation, message.seq, record);
      message.ack();
    } catch (err) {
      this.logger.error({ subject, seq: message.seq, err: err instanceof Error ? err.message : String(err) }, 'audit record not stored; will retry');
      message.nak(2_000);
    }
  }
}
