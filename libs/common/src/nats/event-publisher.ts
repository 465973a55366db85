import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
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
  private closed = false;

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

  /**
   * Copies of the stream to keep: 3 on a NATS cluster of three or more (the stream survives a node
   * down), as many as there are nodes on a smaller one, 1 on a single server.
   */
  static replicasFor(nc: NatsConnection): number {
    const info = nc.info as { cluster?: string; connect_urls?: string[] } | undefined;
    if (!info?.cluster) return 1;
    return Math.max(1, Math.min(3, info.connect_urls?.length ?? 1));
  }

  /** Creates the events stream if missing. Safe to call from every replica at boot. */
  async ensureStream(): Promise<void> {
    const nc = await this.connect();
    const jsm = await jetstreamManager(nc);
    const name = EventPublisher.streamName(this.prefix);
    try {
      await jsm.streams.info(name);
    } catch {
      const config = {
        name,
        subjects: EventPublisher.streamSubjects(this.prefix),
        max_age: 30 * 24 * 60 * 60 * 1_000_000_000, // 30 days, in nanoseconds
        max_bytes: 1024 * 1024 * 1024,
      };
      const replicas = EventPublisher.replicasFor(nc);
      try {
        await jsm.streams.add({ ...config, num_replicas: replicas });
      } catch (err) {
        // Another replica may have created it meanwhile; or the cluster cannot place that many copies
        // right now (a node down at first boot): one copy beats no stream.
        await jsm.streams.info(name).catch(async () => {
          if (replicas === 1) throw err;
          await jsm.streams.add(config).catch(async (again: unknown) => {
            await jsm.streams.info(name).catch(() => {
              throw again;
            });
          });
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
   * that caused them. A failed publish is retried with a growing delay for about a minute, which rides
   * out a JetStream leader election (a restarted cluster takes 10 s or more before it stores anything);
   * only then is the loss logged with the event name.
   */
  publishInBackground<P>(subject: EventSubject<P>, payload: P): void {
    void this.publishWithRetry(subject, payload);
  }

  /**
   * Sends a signal to every replica that listens (plain NATS, not stored), and waits until the server
   * has it (a flush): messages a subscriber gets from the server keep that order, so a reply sent after
   * this returns reaches a listener after the signal did. For caches that must forget something before
   * the caller hears it was done. Never throws: a signal that cannot be sent is logged, and the caches'
   * own expiry and reconnect rules cover it.
   */
  async signal<P>(subject: EventSubject<P>, payload: P, timeoutMs = 2_000): Promise<boolean> {
    try {
      const nc = await this.connect();
      nc.publish(`${this.prefix}.${subject.name}`, JSON.stringify({ pattern: subject.name, data: payload }));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        nc.flush(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no flush within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      return true;
    } catch (err) {
      this.logger.warn({ signal: subject.name, err: err instanceof Error ? err.message : String(err) }, 'signal not sent');
      return false;
    }
  }

  /** Stops background retries (the service is shutting down: its connection is about to close). */
  close(): void {
    this.closed = true;
  }

  private async publishWithRetry<P>(subject: EventSubject<P>, payload: P): Promise<void> {
    let lastError: unknown;
    for (const delayMs of [0, ...BACKGROUND_RETRY_DELAYS_MS]) {
      // Unref'd: a pending retry never keeps a stopping process alive.
      if (delayMs > 0) await sleep(delayMs, undefined, { ref: false });
      if (this.closed) break;
      try {
        await this.publish(subject, payload);
        return;
      } catch (err) {
        lastError = err;
      }
    }
    this.logger.error({ event: subject.name, err: lastError instanceof Error ? lastError.message : String(lastError) }, 'event not published');
  }
}

/** About a minute in all. */
const BACKGROUND_RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000];
