import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { Observable, tap } from 'rxjs';
import { toRpcErrorBody } from '../nats/rpc-error-body.js';
import { histogram } from './registry.js';

/** Time a NATS handler took, by bare subject and result (`ok` or the error code it answered). */
export function rpcHandlerHistogram() {
  return histogram(
    'twofold_nats_handler_duration_seconds',
    'Time spent answering a NATS request or handling an event, by subject and result (ok or error code).',
    ['subject', 'result'] as const,
  );
}

/** Time a request to another service took as seen by the caller, by subject and result. */
export function rpcClientHistogram() {
  return histogram(
    'twofold_nats_request_duration_seconds',
    'Round trip of a NATS request to another service, by subject and result (ok or error code).',
    ['subject', 'result'] as const,
  );
}

/** Observes every NATS handler of a service. Subjects are recorded without the deployment prefix. */
export class RpcMetricsInterceptor implements NestInterceptor {
  private readonly handled = rpcHandlerHistogram();

  constructor(private readonly subjectPrefix: string) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const natsCtx = context.switchToRpc().getContext<unknown>();
    const raw = natsCtx instanceof NatsContext ? natsCtx.getSubject() : 'unknown';
    const subject = raw.startsWith(`${this.subjectPrefix}.`) ? raw.slice(this.subjectPrefix.length + 1) : raw;
    const end = this.handled.startTimer({ subject });
    return next.handle().pipe(
      tap({
        complete: () => end({ result: 'ok' }),
        error: (err: unknown) => end({ result: toRpcErrorBody(err).code }),
      }),
    );
  }
}
