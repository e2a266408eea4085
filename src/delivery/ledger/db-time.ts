import { Prisma } from '../../generated/prisma/client.js';

/**
 * The database's own clock, as a UTC `timestamp` like the columns. Technical moments that recovery
 * compares across processes (queued, handed off, heartbeats, rate gaps) use it; business moments
 * users see (sent, opened, schedules) use the injectable Clock.
 */
export const DB_NOW = Prisma.sql`(clock_timestamp() AT TIME ZONE 'UTC')`;
