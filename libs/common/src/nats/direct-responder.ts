import { Logger } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { DomainError } from '../errors/domain-error.js';
import { requestContext, sanitizeRequestId } from '../logging/request-context.js';
import { rpcHandlerHistogram } from '../metrics/rpc-metrics.js';
import type { PrefixedClientNats } from './prefixed-nats.js';
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER } from './rpc-client.js';
import { toRpcErrorBody } from './rpc-error-body.js';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from './rpc-server.js';
import type { RpcSubject } from './subject.js';

export interface DirectResponderOptions<Req, Res> {
  nats: PrefixedClientNats;
  subject: RpcSubject<Req, Res>;
  /** Queue group: the service's name, as for its Nest handlers, so replicas share the requests. */
  queue: string;
  /** Checks the payload and answers the typed request; throws a DomainError (VALIDATION_FAILED) otherwise. */
  parse: (data: unknown) => Req;
  handle: (request: Req) => Promise<Res>;
}

/**
 * Answers one hot request-reply subject straight from a NATS subscription, without Nest's per-message
 * pipeline (rxjs, interceptors, class-transformer + class-validator), which costs more than the answer
 * itself when that answer comes from memory. Same contract as a Nest handler: Nest's packet format
 * (`{pattern, data, id}` in, `{id, response | err, isDisposed}` out), the same error bodies
 * (`toRpcErrorBody`), the caller's request id and IP in the request context, the same handler metrics,
 * a queue group, and a drain on shutdown that lets answers in flight go out. Use it only where the
 * payload is small and `parse` can check it exactly.
 */
export class DirectResponder<Req, Res> {
  private readonly logger = new Logger(DirectResponder.name);
  private readonly handled = rpcHandlerHistogram();
  private subscription?: Subscription;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly options: DirectResponderOptions<Req, Res>) {}

  async start(): Promise<void> {
    const nc = (await this.options.nats.connect()) as NatsConnection;
    this.subscription = nc.subscribe(this.options.nats.subjectOf(this.options.subject.name), {
      queue: this.options.queue,
      callback: (err, msg) => {
        if (err) return this.logger.warn({ err: err.message, subject: this.options.subject.name }, 'subscription error');
        const answered = this.answer(msg).finally(() => this.inflight.delete(answered));
        this.inflight.add(answered);
      },
    });
  }

  /** Stops taking requests, then waits (at most `graceMs`) for the answers in flight. */
  async stop(graceMs = 2_000): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private async answer(msg: Msg): Promise<void> {
    let packet: { data?: unknown; id?: unknown };
    try {
      packet = msg.json();
    } catch {
      packet = {};
    }
    // No id: an event (nobody waits for an answer); a request must carry one to be matched.
    if (typeof packet !== 'object' || packet === null || typeof packet.id !== 'string' || !msg.reply) return;
    const id = packet.id;
    const subject = this.options.subject.name;
    const end = this.handled.startTimer({ subject });
    const context = { requestId: sanitizeRequestId(msg.headers?.get(REQUEST_ID_HEADER) || undefined), ip: msg.headers?.get(CLIENT_IP_HEADER) || undefined };
    let body: string;
    try {
      if (nestsDeeperThan(packet.data, MAX_PAYLOAD_DEPTH)) {
        throw new DomainError('VALIDATION_FAILED', 'The request is invalid.', { problems: [`payload: nested deeper than ${MAX_PAYLOAD_DEPTH} levels`] });
      }
      const response = await requestContext.run(context, () => this.options.handle(this.options.parse(packet.data)));
      body = JSON.stringify({ id, response, isDisposed: true });
      end({ result: 'ok' });
    } catch (exception) {
      const { unexpected, ...err } = toRpcErrorBody(exception);
      if (unexpected) {
        this.logger.error(
          { subject, correlationId: err.details?.correlationId, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : exception },
          'unhandled error in handler',
        );
      }
      body = JSON.stringify({ id, err, isDisposed: true });
      end({ result: err.code });
    }
    msg.respond(body);
  }
}
