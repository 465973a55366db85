import { Param, ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '#common';

/** A UUID path parameter; anything else is a 400 VALIDATION_FAILED naming the parameter. */
export function UuidParam(name: string): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => new DomainError('VALIDATION_FAILED', `${name} must be a UUID.`, { problems: [`${name}: must be a UUID`] }),
    }),
  );
}
