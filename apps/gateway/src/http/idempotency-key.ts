import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '#common';
import { IDEMPOTENCY_KEY_MAX, idempotencyKeyProblem } from '#contracts';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The optional `Idempotency-Key` header, verbatim: 1 to 255 printable ASCII characters, sent once.
 * Anything else is a 400 VALIDATION_FAILED naming the header (Node would join repeated headers with ", ").
 */
export const IdempotencyKey = createParamDecorator((_data: unknown, ctx: ExecutionContext): string | undefined => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const sent = request.raw.rawHeaders.filter((_, i) => i % 2 === 0 && request.raw.rawHeaders[i]!.toLowerCase() === 'idempotency-key').length;
  if (sent === 0) return undefined;
  const value = request.headers['idempotency-key'];
  const problem = sent > 1 ? 'must be sent once' : idempotencyKeyProblem(value);
  if (problem) {
    throw new DomainError('VALIDATION_FAILED', `The ${IDEMPOTENCY_KEY_HEADER} header ${problem}.`, { problems: [`${IDEMPOTENCY_KEY_HEADER}: ${problem}`] });
  }
  return value as string;
});

/** OpenAPI for a creation that takes an `Idempotency-Key`. */
export function ApiIdempotencyKey(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX, pattern: '^[\\x20-\\x7E]+$' },
      description:
        'Makes the creation safe to retry (draft-ietf-httpapi-idempotency-key-header). Send a new unique value ' +
        '(a UUID) per creation, and the same value on every retry of it: a retry with the same key and the same ' +
        'body answers the first result (201, same body) and never creates a second one; a creation cut short ' +
        'is finished. The same key with a different body is 422 IDEMPOTENCY_KEY_REUSED. Keys are scoped to the ' +
        'caller (support key or holder) and kept 24 hours; the password is not part of the comparison.',
    }),
  );
}
