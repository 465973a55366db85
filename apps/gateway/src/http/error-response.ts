import { HttpException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, httpStatusOf, type ErrorCode, type RpcErrorBody } from '#common';

export interface ErrorResponse {
  status: number;
  body: { error: RpcErrorBody & { requestId?: string } };
  /** Set for unexpected errors: the caller logs it with the correlation id. */
  unexpected?: unknown;
}

/** Fastify's own errors (raised before Nest sees the request), by their `code`. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'MALFORMED_REQUEST', message: 'The Content-Length header is wrong.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_REQUEST', message: 'The JSON body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_REQUEST', message: 'The body is not valid JSON.' },
  FST_ERR_BAD_URL: { code: 'MALFORMED_REQUEST', message: 'The URL is malformed.' },
};

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'MALFORMED_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/**
 * The one mapping from anything thrown to an HTTP answer `{error:{code, message, details?}}`.
 * Domain codes map through `ErrorCodes`; framework errors get the closest stable code; anything else is
 * a 500 with a correlation id (and a bug to fix).
 */
export function toErrorResponse(exception: unknown, requestId?: string): ErrorResponse {
  const respond = (code: ErrorCode, message: string, details?: Record<string, unknown>, status = httpStatusOf(code)): ErrorResponse => ({
    status,
    body: { error: { code, message, ...(details ? { details } : {}), ...(requestId ? { requestId } : {}) } },
  });

  if (exception instanceof DomainError) return respond(exception.code, exception.message, exception.details);

  const fastifyCode = (exception as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    const known = FASTIFY_CODES[fastifyCode];
    return respond(known.code, known.message);
  }
  // JSON.parse errors surfaced by Fastify carry statusCode 400 and no specific code on some paths.
  if (exception instanceof SyntaxError) return respond('MALFORMED_REQUEST', 'The body is not valid JSON.');

  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = HTTP_CODES[status];
    if (code) return respond(code, status === 404 ? 'No such route.' : exception.message, undefined, status);
  }
  const statusCode = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return respond(HTTP_CODES[statusCode] ?? 'MALFORMED_REQUEST', 'The request is malformed.', undefined, statusCode);
  }

  const correlationId = randomUUID();
  return { ...respond('INTERNAL', 'Internal error.', { correlationId }), unexpected: exception };
}
