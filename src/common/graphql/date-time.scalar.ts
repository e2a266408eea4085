import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** Earliest and latest instants a DateTime input may name. */
export const DATE_TIME_RANGE = { min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) };

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * An ISO 8601 date-time with a time zone, years 1970–9999, as a Date; anything else (`"soon"`,
 * `+099999-…`, February 30th) as an Invalid Date, which the @IsDateTime() validator refuses with
 * BAD_USER_INPUT naming the field. The scalar does not throw itself: graphql-js would report its
 * error without the field's name.
 */
export function parseDateTime(value: unknown): Date {
  const invalid = new Date(NaN);
  if (typeof value !== 'string') return invalid;
  const m = ISO.exec(value);
  if (!m) return invalid;
  const [year, month, day, hour, minute, second = '0', offH = '0', offM = '0'] = m
    .slice(1)
    .map((x) => x ?? '0');
  const calendar = new Date(Date.UTC(+year, +month - 1, +day));
  if (
    calendar.getUTCMonth() !== +month - 1 ||
    calendar.getUTCDate() !== +day ||
    +hour > 23 ||
    +minute > 59 ||
    +second > 59 ||
    +offH > 14 ||
    +offM > 59
  )
    return invalid;
  const date = new Date(value);
  const t = date.getTime();
  return t >= DATE_TIME_RANGE.min && t <= DATE_TIME_RANGE.max ? date : invalid;
}

export const isValidDateTime = (value: unknown): value is Date =>
  value instanceof Date &&
  !Number.isNaN(value.getTime()) &&
  value.getTime() >= DATE_TIME_RANGE.min &&
  value.getTime() <= DATE_TIME_RANGE.max;

/** The engine's DateTime: ISO 8601 out, strict ISO 8601 with a time zone in. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'A date-time in ISO 8601 with a time zone, such as 2030-01-31T09:00:00Z or 2030-01-31T10:00:00+01:00 (years 1970 to 9999); answered in UTC.',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    throw new GraphQLError('DateTime cannot represent an invalid date');
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
