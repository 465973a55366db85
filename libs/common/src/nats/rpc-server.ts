import {
  Catch,
  Logger,
  ValidationPipe,
  type ArgumentMetadata,
  type ArgumentsHost,
  type ExceptionFilter,
  type ValidationError,
} from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { DomainError, type RpcErrorBody } from '../errors/domain-error.js';
import { toRpcErrorBody } from './rpc-error-body.js';

/**
 * Every error leaves a service as `{code, message, details?}` (see `toRpcErrorBody`). Domain errors go
 * as they are; validation failures of a NATS payload become VALIDATION_FAILED; an unreachable database
 * becomes SERVICE_UNAVAILABLE (logged as a warning: it is an outage, not a bug); anything else is a bug:
 * logged with a correlation id, answered as INTERNAL with that id and nothing of the cause.
 */
@Catch()
export class RpcErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => this.toBody(exception));
  }

  private toBody(exception: unknown): RpcErrorBody {
    const { unexpected, ...body } = toRpcErrorBody(exception);
    if (unexpected) {
      this.logger.error(
        { correlationId: body.details?.correlationId, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : exception },
        'unhandled error in handler',
      );
    } else if (body.code === 'SERVICE_UNAVAILABLE' && !(exception instanceof DomainError)) {
      this.logger.warn({ err: exception instanceof Error ? exception.message : String(exception) }, 'database unavailable');
    }
    return body;
  }
}

/** Flattens class-validator's tree into `field: problem` lines that name every bad field. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/** Deeper than any payload we define; a body nested beyond it is refused before anything recurses into it. */
export const MAX_PAYLOAD_DEPTH = 32;

/** True when `value` nests objects or arrays deeper than `maxDepth`. Iterative: a hostile depth cannot overflow the stack. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * class-transformer and class-validator recurse; a deeply nested body (`[[[[…]]]]`, well within the
 * size limit) would overflow the stack and surface as a 500. Refused first, as any invalid payload.
 */
class BoundedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (nestsDeeperThan(value, MAX_PAYLOAD_DEPTH)) {
      throw new DomainError('VALIDATION_FAILED', 'The request is invalid.', { problems: [`payload: nested deeper than ${MAX_PAYLOAD_DEPTH} levels`] });
    }
    return super.transform(value, metadata);
  }
}

/** Same rules at the edge and inside: whitelist, reject unknown fields, no implicit conversion, bounded depth. */
export function strictValidationPipe(): ValidationPipe {
  return new BoundedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new DomainError('VALIDATION_FAILED', 'The request is invalid.', { problems: describeValidationErrors(errors) }),
  });
}
