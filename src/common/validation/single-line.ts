import { Matches } from 'class-validator';

/** Line breaks and other control characters: never in a name that may end up in a mail header. */
const SINGLE_LINE = /^[^\p{Cc}\u2028\u2029]*$/u;

/** A name shown on one line (display names, From names, organization and list names). */
export const SingleLine = () =>
  Matches(SINGLE_LINE, {
    message: ({ property }) => `${property} must be one line, without control characters`,
  });
