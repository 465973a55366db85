import { Logger } from '@nestjs/common';
import { NatsRecordBuilder } from '@nestjs/microservices';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { TimeoutError, firstValueFrom, timeout } from 'rxjs';
import { DomainError } from '../errors/domain-error.js';
import { isErrorCode } from '../errors/error-codes.js';
import { requestContext } from '../logging/request-context.js';
import { rpcClientHistogram } from '../metrics/rpc-metrics.js';
import type { PrefixedClientNats } from './prefixed-nats.js';
import type { RpcSubject } from './subject.js';

export const REQUEST_ID_HEADER = 'x-request-id';
export const CLIENT_IP_HEADER = 'x-client-ip';

/**
 * Typed request-reply over NATS. Carries the request id (and client IP) in NATS headers, bounds every
 * call with a timeout, and turns whatever comes back into either the reply or a `DomainError`:
 * a service's own error code, `SERVICE_TIMEOUT`, or `SERVICE_UNAVAILABLE`.
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
    const record = new NatsRecordBuilder(payload).setHeaders(headers).build();
    const end = this.latency.startTimer({ subject: subject.name });
    try {
      const reply = await firstValueFrom(
        this.client.send<Res>(subject.name, record).pipe(timeout(options.timeoutMs ?? this.timeoutMs)),
      );
      end({ result: 'ok' });
      return reply;
    } catch (err) {
      const error = this.toDomainError(subject.name, err);
      end({ result: error.code });
      throw error;
    }
  }

  private toDomainError(subject: string, err: unknown): DomainError {
    if (err instanceof DomainError) return err;
    if (err instanceof TimeoutError) {
      return new DomainError('SERVICE_TIMEOUT', `The ${serviceOf(subject)} service did not answer in time.`);
    }
    if (typeof err === 'object' && err !== null && isErrorCode((err as { code?: unknown }).code)) {
      const body = err as { code: DomainError['code']; message?: unknown; details?: Record<string, unknown> };
      return new DomainError(body.code, typeof body.message === 'string' ? body.message : body.code, body.details);
    }
    this.logger.error({ subject, err: err instanceof Error ? { message: err.message, name: err.name } : err }, 'NATS request failed');
    return new DomainError('SERVICE_UNAVAILABLE', `The ${serviceOf(subject)} service is unavailable.`);
  }
}

function serviceOf(subject: string): string {
  return subject.split('.')[0] ?? 'upstream';
}
