import { Prisma } from '../../generated/prisma/client.js';

/**
 * SQL condition: the mailbox (alias `s`, a "SenderAccount") is inside its sending window now, in
 * its own time zone: minutes after midnight within [windowStartMinute, windowEndMinute), on one of
 * its windowDays (ISO weekdays; none = every day).
 */
export const inSendingWindowSql = Prisma.sql`(
  (s."windowStartMinute" IS NULL OR (
    EXTRACT(HOUR FROM now() AT TIME ZONE s.timezone) * 60 + EXTRACT(MINUTE FROM now() AT TIME ZONE s.timezone)
  ) >= s."windowStartMinute" AND (
    EXTRACT(HOUR FROM now() AT TIME ZONE s.timezone) * 60 + EXTRACT(MINUTE FROM now() AT TIME ZONE s.timezone)
  ) < s."windowEndMinute")
  AND (cardinality(s."windowDays") = 0 OR EXTRACT(ISODOW FROM now() AT TIME ZONE s.timezone)::int = ANY(s."windowDays"))
)`;
