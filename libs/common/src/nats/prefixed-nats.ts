import { ClientNats, ServerNats, type NatsContext, type NatsOptions } from '@nestjs/microservices';
import type { Msg } from '@nats-io/transport-node';
import { requestContext, sanitizeRequestId } from '../logging/request-context.js';
import { rpcHandlerHistogram } from '../metrics/rpc-metrics.js';
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER } from './rpc-client.js';

type NatsClientOptions = Required<NatsOptions>['options'];

/**
 * Nest's NATS transport, with every subject put under a deployment prefix (`twofold.auth.login`).
 * Several deployments, or several test runs, can then share one NATS cluster without answering each
 * other's requests. Handlers keep registering the bare subject from `libs/contracts`.
 */
export class PrefixedServerNats extends ServerNats {
  private readonly prefixedSubscriptions: Array<{ unsubscribe(): void }> = [];
  private handled?: ReturnType<typeof rpcHandlerHistogram>;

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

  /**
   * Every handler runs inside the caller's request context (request id and client IP from the NATS
   * headers), set here around Nest's own handling rather than by an interceptor: one rxjs layer less
   * per message.
   */
  override handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    const headers = natsMsg.headers;
    const context = { requestId: sanitizeRequestId(headers?.get(REQUEST_ID_HEADER) || undefined), ip: headers?.get(CLIENT_IP_HEADER) || undefined };
    return requestContext.run(context, () => super.handleMessage(channel, natsMsg));
  }

  /**
   * Times every request from dispatch to its answer, by bare subject and result (`ok` or the error code
   * answered): `twofold_nats_handler_duration_seconds`, observed on the way out instead of by an interceptor.
   */
  override getPublisher(natsMsg: Msg, id: string, ctx: NatsContext): (response: unknown) => unknown {
    const publish = super.getPublisher(natsMsg, id, ctx);
    this.handled ??= rpcHandlerHistogram();
    const raw = natsMsg.subject;
    const end = this.handled.startTimer({ subject: raw.startsWith(`${this.prefix}.`) ? raw.slice(this.prefix.length + 1) : raw });
    let observed = false;
    return (response: unknown) => {
      if (!observed) {
        observed = true;
        const err = (response as { err?: unknown } | null)?.err;
        const code = typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'INTERNAL';
        end({ result: err === undefined || err === null ? 'ok' : code });
      }
      return publish(response);
    };
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
