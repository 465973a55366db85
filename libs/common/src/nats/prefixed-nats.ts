import { ClientNats, ServerNats, type NatsOptions } from '@nestjs/microservices';

type NatsClientOptions = Required<NatsOptions>['options'];

/**
 * Nest's NATS transport, with every subject put under a deployment prefix (`twofold.auth.login`).
 * Several deployments, or several test runs, can then share one NATS cluster without answering each
 * other's requests. Handlers keep registering the bare subject from `libs/contracts`.
 */
export class PrefixedServerNats extends ServerNats {
  private readonly prefixedSubscriptions: Array<{ unsubscribe(): void }> = [];

  constructor(
    private readonly prefix: string,
    private readonly natsOptions: NatsClientOptions,
  ) {
    super(natsOptions);
  }

  override bindEvents(client: Parameters<ServerNats['bindEvents']>[0]): void {
    const defaultQueue = this.natsOptions.queue;
    for (const [channel, handler] of this.messageHandlers) {
      const queue = (handler.extras?.queue as string | undefined) ?? defaultQueue;
      // Events fan out to every replica that listens; only requests share a queue group,
      // unless the handler asks for one explicitly.
      const sub = client.subscribe(`${this.prefix}.${channel}`, {
        queue: handler.isEventHandler ? (handler.extras?.queue as string | undefined) : queue,
        callback: this.getMessageHandler(channel).bind(this),
      });
      this.prefixedSubscriptions.push(sub);
    }
  }

  /**
   * Our patterns are plain subjects. Nest first tries `JSON.parse` on every incoming message's pattern
   * (for object patterns), which throws — and builds a SyntaxError with its stack — on each of ours:
   * a tenth of a busy replica's CPU. A registered subject is its own route.
   */
  override getRouteFromPattern(pattern: string): string {
    if (typeof pattern === 'string' && this.messageHandlers.has(pattern)) return pattern;
    return super.getRouteFromPattern(pattern);
  }

  override async close(): Promise<void> {
    // Stop taking new requests first, so a replica being stopped drains instead of dropping work.
    for (const sub of this.prefixedSubscriptions.splice(0)) sub.unsubscribe();
    await super.close();
  }
}

export class PrefixedClientNats extends ClientNats {
  constructor(
    private readonly prefix: string,
    options: NatsClientOptions,
  ) {
    super(options);
  }

  protected override normalizePattern(pattern: Parameters<ClientNats['normalizePattern']>[0]): string {
    return `${this.prefix}.${super.normalizePattern(pattern)}`;
  }

  /** The subject a bare contract subject is sent on in this deployment. */
  subjectOf(subject: string): string {
    return `${this.prefix}.${subject}`;
  }
}
