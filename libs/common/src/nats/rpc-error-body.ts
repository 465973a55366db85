import { BadRequestException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailable } from '../database/database-errors.js';
import { DomainError, type RpcErrorBody } from '../errors/domain-error.js';

/**
 * What an exception thrown in a NATS handler becomes on the wire. Domain errors go as they are;
 * validation failures become VALIDATION_FAILED; PostgreSQL being unreachable is SERVICE_UNAVAILABLE
 * (retryable, not a bug); anything else is INTERNAL with a fresh correlation id (`unexpected` is set so
 * the caller logs it).
 */
export function toRpcErrorBody(exception: unknown): RpcErrorBody & { unexpected?: boolean } {
  if (exception instanceof DomainError) return exception.toBody();
  if (exception instanceof BadRequestException) {
    const response = exception.getResponse() as { message?: unknown };
    return {
      code: 'VALIDATION_FAILED',
      message: 'The request payload is invalid.',
      details: { problems: Array.isArray(response.message) ? response.message : [String(response.message)] },
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return { code: 'SERVICE_UNAVAILABLE', message: 'The service cannot reach its database right now; try again shortly.' };
  }
  if (isMessagingUnavailable(exception)) {
    return { code: 'SERVICE_UNAVAILABLE', message: 'The service cannot reach NATS right now; try again shortly.' };
  }
  return { code: 'INTERNAL', message: 'Internal error.', details: { correlationId: randomUUID() }, unexpected: true };
}

/** nats.js errors that mean "NATS or JetStream cannot take this right now" (disconnected, no stream leader, no responders). */
const MESSAGING_UNAVAILABLE = new Set([
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'RequestError',
  'NoRespondersError',
  'NoResponders',
  'TimeoutError',
  'JetStreamNotEnabled',
  'JetStreamError',
  'JetStreamStatusError',
]);

export function isMessagingUnavailable(err: unknown): boolean {
  return err instanceof Error && MESSAGING_UNAVAILABLE.has(err.name);
}
