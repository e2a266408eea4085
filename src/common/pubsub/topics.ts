/**
 * Every topic the engine publishes, with its payload type. Topics are namespaced by organization
 * so a subscriber can only ever be wired to its own organization's channel.
 */
export interface TopicPayloads {
  'organization.updated': { organizationId: string; name: string; timezone: string; updatedAt: Date };
  /** A member's access to the organization changed (removed, role changed): subscriptions re-check it. */
  'access.changed': { userId: string };
  // Contexts add their own topics by augmenting this interface (campaigns: 'campaign.progress',
  // sequences: 'sequence.progress').
}

export type Topic = keyof TopicPayloads;

export const topicFor = (organizationId: string, topic: Topic, id?: string) =>
  `org:${organizationId}:${topic}${id ? `:${id}` : ''}`;
