import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventPublisher, PrefixedClientNats } from '#common';
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
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly nats: PrefixedClientNats,
    private readonly audit: AuditEventRepository,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
  ) {}

  static consumerName(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_accounts_audit`;
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    void this.messages?.close().catch(() => undefined);
    // Bounded: a handler in flight finishes (its ack follows its commit); a subscription still being set
    // up on a connection that is closing may never answer, and must not hold shutdown hostage.
    await Promise.race([this.loop, sleep(5_000)]);
  }

  private async run(): Promise<void> {
    let delay = 500;
    while (!this.stopped) {
      try {
        const nc = (await this.nats.connect()) as NatsConnection;
        await this.consume(nc);
        delay = 500;
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'audit consumer interrupted; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private async consume(nc: NatsConnection): Promise<void> {
    const prefix = this.config.NATS_SUBJECT_PREFIX;
    const stream = EventPublisher.streamName(prefix);
    const name = AuditConsumer.consumerName(prefix);
    const jsm = await jetstreamManager(nc);
    await jsm.consumers
      .add(stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 30 * SECOND_NS,
        max_ack_pending: 1_000,
        // Every event of the deployment (no filter: multi-subject filters need NATS 2.10); the mapper
        // skips what the log does not keep, including accounts' own facts.
      })
      .catch(async (err: unknown) => {
        // Exists already (another replica, an earlier run): use it as it is.
        await jsm.consumers.info(stream, name).catch(() => {
          throw err;
        });
      });
    const info = await jsm.streams.info(stream);
    const incarnation = `${stream}@${info.created}`;
    const consumer = await jetstream(nc).consumers.get(stream, name);
    const messages = await consumer.consume({ max_messages: 100 });
    this.messages = messages;
    if (this.stopped) {
      // Stopped while we were subscribing. The connection may be closing under us, and then neither
      // iterating nor awaiting close() ever ends: that hung shutdown when a replica stopped right after
      // it started. Let go without waiting.
      void messages.close().catch(() => undefined);
      return;
    }
    for await (const message of messages) {
      await this.handle(message, prefix, incarnation);
    }
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
