import { registerDecorator, type ValidationOptions } from 'class-validator';
import { idempotencyKeyProblem, usernameProblem } from './identity.js';

/** Validates a username with the same rule everywhere (see `usernameProblem`). */
export function IsUsername(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isUsername',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => usernameProblem(value) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'username'} ${usernameProblem(args?.value) ?? 'is invalid'}`,
      },
    });
  };
}

/** Validates an idempotency key with the same rule at the gateway and in accounts (see `idempotencyKeyProblem`). */
export function IsIdempotencyKey(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isIdempotencyKey',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => idempotencyKeyProblem(value) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'idempotencyKey'} ${idempotencyKeyProblem(args?.value) ?? 'is invalid'}`,
      },
    });
  };
}
