import { Logger } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { requestContext } from '../logging/request-context.js';
import { REQUEST_ID_HEADER } from './rpc-client.js';
import type { EventSubject } from './subject.js';

/**
 * Publishes facts (`mfa.events.enrolled`, …) through JetStream, so a fact is stored before it counts as
 * published and durable consumers (the audit log) receive it even if they were down at the time.
 * Plain `@EventPattern` listeners still see every event as an ordinary NATS message.
 * The packet is Nest's own `{pattern, data}` so Nest handlers decode it unchanged.
 */
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);
  private js?: JetStreamClient;

  constructor(
    private readonly prefix: string,
    private readonly connect: () => Promise<NatsConnection>,
  ) {}

  static streamName(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_EVENTS`;
  }

  static streamSubjects(prefix: string): string[] {
    return [`${prefix}.*.events.>`];
  }

  /** Creates the events stream if missing. Safe to call from every replica at boot. */
  async ensureStream(): Promise<void> {
    const nc = await this.connect();
    const jsm = await jetstreamManager(nc);
    const name = EventPublisher.streamName(this.prefix);
    try {
      await jsm.streams.info(name);
    } catch {
      try {
        await jsm.streams.add({
          name,
          subjects: EventPublisher.streamSubjects(this.prefix),
          max_age: 30 * 24 * 60 * 60 * 1_000_000_000, // 30 days, in nanoseconds
          max_bytes: 1024 * 1024 * 1024,
        });
      } catch (err) {
        // Another replica may have created it meanwhile.
        await jsm.streams.info(name).catch(() => {
          throw err;
        });
      }
    }
    this.js = jetstream(nc);
  }

  async publish<P>(subject: EventSubject<P>, payload: P): Promise<void> {
    if (!this.js) await this.ensureStream();
    const headers = natsHeaders();
    const ctx = requestContext.current();
    if (ctx) headers.set(REQUEST_ID_HEADER, ctx.requestId);
    const body = JSON.stringify({ pattern: subject.name, data: payload });
    await this.js!.publish(`${this.prefix}.${subject.name}`, body, { headers });
  }

  /**
   * Publishes without making the caller wait or fail: for facts whose loss must not undo the action
   * that caused them. Failures are logged with the event name.
   */
  publishInBackground<P>(subject: EventSubject<P>, payload: P): void {
    this.publish(subject, payload).catch((err: unknown) => {
      this.logger.error({ event: subject.name, err: err instanceof Error ? err.message : String(err) }, 'event not published');
    });
  }
}
