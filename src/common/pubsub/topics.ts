/**
 * Every topic the engine publishes, with its payload type. Topics are namespaced by organization
 * so a subscriber can only ever be wired to its own organization's channel.
 */
import type { CampaignProgressService } from '../../campaigns/campaign-progress.service.js';
import type { SequenceProgressModel } from '../../sequences/models/sequence-progress.model.js';

export interface TopicPayloads {
  'organization.updated': { organizationId: string; name: string; timezone: string; updatedAt: Date };
  /** A member's access to the organization changed (removed, role changed): subscriptions re-check it. */
  'access.changed': { userId: string };
  /** Published per campaign (id = campaign id), coalesced. */
  'campaign.progress': Awaited<ReturnType<CampaignProgressService['snapshot']>>;
  /** Published per sequence (id = sequence id), coalesced. */
  'sequence.progress': SequenceProgressModel;
}

export type Topic = keyof TopicPayloads;

export const topicFor = (organizationId: string, topic: Topic, id?: string) =>
  `org:${organizationId}:${topic}${id ? `:${id}` : ''}`;
