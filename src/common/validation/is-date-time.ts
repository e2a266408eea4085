import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isValidDateTime } from '../graphql/date-time.scalar.js';

/** A DateTime input that parsed (see DateTimeScalar): BAD_USER_INPUT naming the field otherwise. */
export function IsDateTime(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isDateTime',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be an ISO 8601 date-time with a time zone, e.g. 2030-01-31T09:00:00Z, in the years 1970 to 9999`,
        ...options,
      },
      validator: { validate: isValidDateTime },
    });
}
