import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, DurableConsumer, PrefixedClientNats, RpcClient } from '#common';
import { AccountsSubjects } from '#contracts';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';
import { Mailer, retryDelaySeconds } from './mailer.js';
import { notificationFor, type Notification } from './notification.mapper.js';

const SECOND_NS = 1_000_000_000;

/**
 * Security notifications by email (MFA on, off, reset and by whom, locked, new recovery codes), built
 * from mfa's facts through a durable JetStream pull consumer shared by every mfa replica. A message is
 * acknowledged only once its mail was accepted by the mail server; a failure is redelivered after a
 * growing delay (1 s, 2 s, 4 s … up to MAIL_RETRY_MAX_SECONDS) for as long as it takes, so a mail
 * server that is down delays mail and loses none. Nothing here is on the path of a sign-in.
 * Delivery is at least once: a crash between the mail server's "OK" and the ack sends a mail twice.
 */
@Injectable()
export class NotificationConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationConsumer.name);
  private readonly consumer: DurableConsumer;

  constructor(
    nats: PrefixedClientNats,
    private readonly rpc: RpcClient,
    private readonly mailer: Mailer,
    @Inject(MFA_CONFIG) private readonly config: MfaConfig,
  ) {
    const prefix = config.NATS_SUBJECT_PREFIX;
    this.consumer = new DurableConsumer(async () => (await nats.connect()) as NatsConnection, {
      prefix,
      durableName: NotificationConsumer.consumerName(prefix),
      config: {
        ack_policy: AckPolicy.Explicit,
        // From the moment the notifier first exists: a new deployment does not mail 30 days of history.
        deliver_policy: DeliverPolicy.New,
        filter_subject: `${prefix}.mfa.events.>`,
        ack_wait: 60 * SECOND_NS,
        max_deliver: -1,
        max_ack_pending: 1_000,
      },
      maxMessages: 50,
      handle: (message) => this.handle(message, prefix),
    });
  }

  static consumerName(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_mfa_notifier`;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.mailer.configured) {
      this.logger.warn('SMTP_URL is not set: security notifications and email codes are not sent');
      return;
    }
    // Created before the service answers anything, so the first facts after boot are not missed
    // (bounded: a JetStream still electing a leader must not keep the service from starting).
    await Promise.race([this.consumer.ensure().catch(() => undefined), sleep(5_000)]);
    this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  private async handle(message: JsMsg, prefix: string): Promise<void> {
    const subject = message.subject.startsWith(`${prefix}.`) ? message.subject.slice(prefix.length + 1) : message.subject;
    let notification: Notification | undefined;
    try {
      notification = notificationFor(subject, (message.json() as { data?: unknown }).data);
    } catch {
      message.term('not JSON');
      return;
    }
    if (!notification) {
      message.ack();
      return;
    }
    try {
      const user = await this.rpc.request(AccountsSubjects.getUser, { userId: notification.userId });
      const actorName = notification.actorUserId && notification.actorUserId !== user.id ? await this.usernameOf(notification.actorUserId) : undefined;
      await this.mailer.send(user.email, notification.render(actorName));
      message.ack();
      this.logger.log({ kind: notification.kind, seq: message.seq }, 'notification sent');
    } catch (err) {
      if (err instanceof DomainError && err.code === 'USER_NOT_FOUND') {
        message.ack(); // nobody to tell any more
        return;
      }
      const attempt = message.info.deliveryCount;
      const wait = retryDelaySeconds(attempt, this.config.MAIL_RETRY_MAX_SECONDS);
      this.logger.warn({ kind: notification.kind, seq: message.seq, attempt, retryInSeconds: wait, err: err instanceof Error ? err.message : String(err) }, 'notification not sent yet; will retry');
      message.nak(wait * 1000);
    }
  }

  private async usernameOf(userId: string): Promise<string | undefined> {
    return this.rpc.request(AccountsSubjects.getUser, { userId }).then((u) => u.username, () => undefined);
  }
}
