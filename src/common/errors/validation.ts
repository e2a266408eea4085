import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, ErrorCode } from './domain-error.js';

function firstFailure(
  errors: ValidationError[],
  prefix = '',
): { field: string; message: string } | undefined {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const message = e.constraints ? Object.values(e.constraints)[0] : undefined;
    if (message) return { field, message };
    const nested = firstFailure(e.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * Global input validation: unknown properties are rejected, values transformed to their types,
 * and the first failure becomes BAD_USER_INPUT naming its field (e.g. `email`, `contacts.2.email`).
 */
export function createValidationPipe() {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const failure = firstFailure(errors) ?? {
        field: errors[0]?.property ?? 'input',
        message: 'Invalid input',
      };
      return new DomainError(ErrorCode.BAD_USER_INPUT, failure.message, { field: failure.field });
    },
  });
}
