import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Length is checked by MinLength/MaxLength; this is the rest of the policy. Null when acceptable. */
export function passwordProblem(password: unknown, email: unknown): string | null {
  if (typeof password !== 'string') return 'password must be a string';
  if (!/\S/.test(password)) return 'password must not be only spaces';
  const p = password.trim().toLowerCase();
  const address = typeof email === 'string' ? email.trim().toLowerCase() : '';
  if (address && (p === address || p === address.split('@')[0]))
    return 'password must not be your email address';
  return null;
}

/** The password policy for new passwords, against the `email` of the same input. */
export const IsAcceptablePassword = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isAcceptablePassword',
      validator: {
        validate: (value, args) =>
          passwordProblem(value, (args?.object as { email?: unknown }).email) === null,
        defaultMessage: (args) =>
          passwordProblem(args?.value, (args?.object as { email?: unknown }).email) ??
          'password is not acceptable',
      },
    },
    options,
  );
