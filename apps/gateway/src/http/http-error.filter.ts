import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const response = toErrorResponse(exception, request.id);
    if (response.unexpected !== undefined) {
      const err = response.unexpected;
      this.logger.error(
        { correlationId: response.body.error.details?.correlationId, err: err instanceof Error ? { message: err.message, stack: err.stack } : err },
        'unhandled error',
      );
    }
    // RATE_LIMITED and MFA_LOCKED say when to come back; HTTP clients read it from Retry-After.
    const retryAfter = response.body.error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter > 0) void reply.header('retry-after', String(Math.ceil(retryAfter)));
    void reply.status(response.status).header('cache-control', 'no-store').send(response.body);
  }
}
