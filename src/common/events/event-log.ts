import type { Prisma } from '../../generated/prisma/client.js';
import type { ActorType } from '../../generated/prisma/enums.js';

/** Who did something: a user, the engine itself (runner, delivery), or a contact (open, click, unsubscribe). */
export interface Actor {
  type: ActorType;
  id?: string;
}

export const SYSTEM = (job: string): Actor => ({ type: 'SYSTEM', id: job });

type EventWriter = { event: { create(args: { data: Prisma.EventUncheckedCreateInput }): Promise<unknown> } };

/** Appends one event to the organization's history, inside the caller's transaction when given one. */
export function recordEvent(
  db: EventWriter,
  organizationId: string,
  type: string,
  actor: Actor,
  refs: { campaignId?: string; recipientId?: string; sequenceId?: string; enrollmentId?: string } = {},
  data: Record<string, unknown> = {},
) {
  return db.event.create({
    data: {
      organizationId,
      type,
      actorType: actor.type,
      actorId: actor.id ?? null,
      ...refs,
      data: data as Prisma.InputJsonValue,
    },
  });
}
