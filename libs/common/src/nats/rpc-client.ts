import { Logger } from '@nestjs/common';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors/domain-error.js';
import { isErrorCode } from '../errors/error-codes.js';
import { requestContext } from '../logging/request-context.js';
import { rpcClientHistogram } from '../metrics/rpc-metrics.js';
import type { PrefixedClientNats } from './prefixed-nats.js';
import type { RpcSubject } from './subject.js';

export const REQUEST_ID_HEADER = 'x-request-id';
export const CLIENT_IP_HEADER = 'x-client-ip';

/** What a Nest microservice answers a request with: one message, `{id, response | err, isDisposed}`. */
interface NestReply {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/**
 * Typed request-reply over NATS. Carries the request id (and client IP) in NATS headers, bounds every
 * call with a timeout, and turns whatever comes back into either the reply or a `DomainError`:
 * a service's own error code, `SERVICE_TIMEOUT`, or `SERVICE_UNAVAILABLE`.
 *
 * It speaks Nest's packet format (`{pattern, data, id}` out, `{id, response | err}` back) over the
 * connection's shared reply subscription (`nc.request`), instead of Nest's ClientNats, which opens and
 * closes a subscription on a fresh inbox for every request: three protocol operations and server-side
 * interest churn per call, measurable on every hop (see `npm run bench`). Our handlers answer once
 * (a promise), so the first reply is the whole answer.
 */
export class RpcClient {
  private readonly logger = new Logger(RpcClient.name);
  private readonly latency = rpcClientHistogram();

  constructor(
    private readonly client: PrefixedClientNats,
    private readonly timeoutMs: number,
  ) {}

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async request<Req, Res>(subject: RpcSubject<Req, Res>, payload: Req, options: { timeoutMs?: number } = {}): Promise<Res> {
    const headers = natsHeaders();
    const ctx = requestContext.current();
    if (ctx) {
      headers.set(REQUEST_ID_HEADER, ctx.requestId);
      if (ctx.ip) headers.set(CLIENT_IP_HEADER, ctx.ip);
    }
    const id = randomUUID();
    const end = this.latency.startTimer({ subject: subject.name });
    try {
      // Rejects at once while NATS is disconnected (Nest's client keeps that state): a fast 503.
      const nc = (await this.client.connect()) as NatsConnection;
      const message = await nc.request(this.client.subjectOf(subject.name), JSON.stringify({ pattern: subject.name, data: payload, id }), {
        timeout: options.timeoutMs ?? this.timeoutMs,
        headers,
      });
      const reply = (message.data.length ? message.json<NestReply>() : {}) as NestReply;
      if (reply.err !== undefined && reply.err !== null) throw new RemoteError(reply.err);
      end({ result: 'ok' });
      return reply.response as Res;
    } catch (err) {
      const error = this.toDomainError(subject.name, err);
      end({ result: error.code });
      throw error;
    }
  }

  private toDomainError(subject: string, err: unknown): DomainError {
    if (err instanceof DomainError) return err;
    if (err instanceof RemoteError) {
      const body = err.body as { code?: unknown; message?: unknown; details?: Record<string, unknown> } | null;
      if (typeof body === 'object' && body !== null && isErrorCode(body.code)) {
        return new DomainError(body.code, typeof body.message === 'string' ? body.message : body.code, body.details);
      }
      this.logger.error({ subject, err: body }, 'NATS request answered with an error without a code');
      return new DomainError('SERVICE_UNAVAILABLE', `The ${serviceOf(subject)} service is unavailable.`);
    }
    if (isTimeout(err)) {
      return new DomainError('SERVICE_TIMEOUT', `The ${serviceOf(subject)} service did not answer in time.`);
    }
    this.logger.error({ subject, err: err instanceof Error ? { message: err.message, name: err.name } : err }, 'NATS request failed');
    return new DomainError('SERVICE_UNAVAILABLE', `The ${serviceOf(subject)} service is unavailable.`);
  }
}

/** The `err` of a reply, kept apart from transport failures. */
class RemoteError extends Error {
  constructor(readonly body: unknown) {
    super('remote error');
  }
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: unknown; cause?: { name?: unknown } } | null;
  return e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError';
}

function serviceOf(subject: string): string {
  return subject.split('.')[0] ?? 'upstream';
}
