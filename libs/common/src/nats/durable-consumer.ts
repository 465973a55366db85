import { Logger } from '@nestjs/common';
import { jetstream, jetstreamManager, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventPublisher } from './event-publisher.js';

/** Where a message came from: the stream's creation time tells one incarnation of a stream from the next. */
export interface ConsumedFrom {
  stream: string;
  streamCreated: string;
}

export interface DurableConsumerOptions {
  /** Deployment subject prefix: the stream is `EventPublisher.streamName(prefix)`. */
  prefix: string;
  /** Durable name, shared by every replica of the service (each message goes to one of them). */
  durableName: string;
  /** Consumer settings beyond the durable name (ack policy, deliver policy, filter, ack wait…). */
  config: Partial<ConsumerConfig>;
  /** Messages pulled at a time. */
  maxMessages: number;
  /** Handles one message and acks, naks or terms it; throwing restarts the subscription. */
  handle(message: JsMsg, from: ConsumedFrom): Promise<void>;
}

/**
 * A durable JetStream pull consumer that keeps consuming across NATS outages and JetStream leader
 * elections (retrying with a growing delay), and stops without hanging: a subscription still being set
 * up while the connection closes may never answer, so stopping lets go of it instead of waiting.
 * The audit log (accounts) and the mail notifier (mfa) are built on it.
 */
export class DurableConsumer {
  private readonly logger: Logger;
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly connect: () => Promise<NatsConnection>,
    private readonly options: DurableConsumerOptions,
  ) {
    this.logger = new Logger(`DurableConsumer:${options.durableName}`);
  }

  get stream(): string {
    return EventPublisher.streamName(this.options.prefix);
  }

  /** Creates the durable consumer, or keeps the one another replica (or an earlier run) created. */
  async ensure(): Promise<void> {
    const jsm = await jetstreamManager(await this.connect());
    await jsm.consumers.add(this.stream, { ...this.options.config, durable_name: this.options.durableName }).catch(async (err: unknown) => {
      await jsm.consumers.info(this.stream, this.options.durableName).catch(() => {
        throw err;
      });
    });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Bounded: a handler in flight may finish (its ack follows its work); nothing else is waited for. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    void this.messages?.close().catch(() => undefined);
    if (this.loop) await Promise.race([this.loop, sleep(graceMs)]);
  }

  private async run(): Promise<void> {
    let delay = 500;
    while (!this.stopped) {
      try {
        await this.consume();
        delay = 500;
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'consumer interrupted; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private async consume(): Promise<void> {
    await this.ensure();
    const nc = await this.connect();
    const info = await (await jetstreamManager(nc)).streams.info(this.stream);
    const from: ConsumedFrom = { stream: this.stream, streamCreated: info.created };
    const consumer = await jetstream(nc).consumers.get(this.stream, this.options.durableName);
    const messages = await consumer.consume({ max_messages: this.options.maxMessages });
    this.messages = messages;
    if (this.stopped) {
      void messages.close().catch(() => undefined);
      return;
    }
    for await (const message of messages) await this.options.handle(message, from);
  }
}
