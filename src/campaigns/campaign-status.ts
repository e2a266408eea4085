import type { CampaignStatus } from '../generated/prisma/enums.js';

/** The campaign lifecycle: which mutation may move a campaign from which status. */
export const TRANSITIONS = {
  update: ['DRAFT', 'SCHEDULED'],
  schedule: ['DRAFT', 'SCHEDULED'],
  send: ['DRAFT', 'SCHEDULED'],
  pause: ['SENDING'],
  resume: ['PAUSED'],
  cancel: ['DRAFT', 'SCHEDULED', 'SENDING', 'PAUSED'],
  retry: ['SENDING', 'PAUSED', 'COMPLETED', 'FAILED'],
} as const satisfies Record<string, readonly CampaignStatus[]>;

export type CampaignAction = keyof typeof TRANSITIONS;

/**
 * Prefix of a recipient's lastError when its send may or may not have gone out (SMTP cannot be
 * asked). retryFailedRecipients leaves these alone: retrying could deliver the message twice.
 */
export const OUTCOME_UNKNOWN = 'Outcome unknown';

export const FINAL_STATUSES: readonly CampaignStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export function canDo(action: CampaignAction, status: CampaignStatus): boolean {
  return (TRANSITIONS[action] as readonly CampaignStatus[]).includes(status);
}
