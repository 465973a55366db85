import { registerDecorator, type ValidationOptions } from 'class-validator';
import { usernameProblem } from './identity.js';

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
