/**
 * The contract between delivery and the sources that feed it (campaigns, sequences, test emails).
 *
 * A source hands delivery *what* to send: immutable content (templates, attachments, tracking
 * options), a group that pause/resume/cancel act on (a campaign, a sequence), and messages (who,
 * from which mailbox, which content, which thread). Delivery owns everything after that: the
 * outbound ledger (state, Message-ID, provider ids, attempts, failure kind), caps, gaps, windows,
 * retries, reconciliation, tracking, replies and bounces. It reports back through
 * `DeliverySourceHandler.onEvents`, inside the transaction that records the outcome, so a source's
 * reaction (a sequence scheduling its next step, or stopping on a reply) commits with it or not at
 * all. Delivery imports no source: sources import this file and register a handler.
 */
import type { Prisma } from '../generated/prisma/client.js';

export type SourceType = 'CAMPAIGN' | 'SEQUENCE' | 'TEST';

/** Immutable message content; templates are Liquid. */
export interface ContentSpec {
  organizationId: string;
  subject: string;
  htmlBody: string;
  textBody: string | null;
  fromName: string | null;
  replyTo: string | null;
  trackOpens: boolean;
  trackClicks: boolean;
  /** Template roots besides contact, sender and unsubscribe_url, e.g. `{ campaign: { name } }`. */
  variables: Record<string, unknown>;
}

/** What pause, resume and cancel act on: a campaign, a sequence. */
export interface GroupSpec {
  /** The source's own id (campaign id, sequence id). */
  id: string;
  organizationId: string;
  sourceType: SourceType;
  /** At most this many claims per day of `timezone` (campaign daily send limit); null = no limit. */
  dailyLimit?: number | null;
  timezone?: string;
  /** Attempts per message for transient failures; the configured default when omitted. */
  maxAttempts?: number;
}

/** The thread a follow-up continues. */
export interface ThreadRef {
  /** Message-ID header (with angle brackets) of the message answered. */
  inReplyTo: string;
  /** The References chain, oldest first, ending with `inReplyTo`. */
  references: string[];
  /** The provider's thread id (Gmail threadId), when the first message has one. */
  providerThreadId?: string | null;
}

/** One message a source hands over. */
export interface MessageSpec {
  /**
   * The ledger id, when the source picks it (so it can record it in the same transaction before
   * the hand-over); delivery generates one otherwise.
   */
  id?: string;
  /** Unique within the group (contact id for a campaign, step execution id for a sequence). */
  sourceRef: string;
  contactId: string | null;
  /** Template data of a contact that is not stored (a test email's sample contact). */
  contactData?: Record<string, unknown> | null;
  email: string;
  senderAccountId: string;
  contentId: string;
  /** Not sent before this time (business hours computed by the source). */
  notBefore?: Date | null;
  thread?: ThreadRef | null;
}

export type DeliveryEventType =
  'sent' | 'failed' | 'cancelled' | 'bounced' | 'replied' | 'opened' | 'clicked' | 'unsubscribed';

/** What happened to a handed-over message, as its source hears it. */
export interface DeliveryEvent {
  type: DeliveryEventType;
  organizationId: string;
  groupId: string;
  sourceType: SourceType;
  sourceRef: string;
  /** The outbound message's id in the ledger. */
  messageId: string;
  contactId: string | null;
  at: Date;
  /** sent: the Message-ID header and provider thread, so follow-ups can thread under it. */
  messageIdHeader?: string;
  providerThreadId?: string | null;
  /** failed: why, and the failure kind. */
  reason?: string;
  failureKind?: string;
  /** bounced: a hard (5.x.x) bounce; soft ones are recorded but not reported as bounced. */
  hard?: boolean;
  /** replied: an automatic reply (out-of-office, Auto-Submitted). */
  automatic?: boolean;
  /** opened/clicked: a machine (privacy proxy, link scanner) rather than a person. */
  machine?: boolean;
}

/**
 * A source's reaction to delivery events. Register it with `DeliverySources.register` (from
 * `delivery-sources.ts`) when the source's module starts.
 */
export interface DeliverySourceHandler {
  readonly sourceType: SourceType;
  /**
   * Runs inside the transaction that records the events: what it writes commits with them or not
   * at all. It must not lock the source's own top-level rows that pause/cancel lock first (a
   * campaign, a sequence): see the lock order in docs/adr/005.
   */
  onEvents?(tx: Prisma.TransactionClient, events: DeliveryEvent[]): Promise<void>;
  /**
   * Runs after the recording transaction committed (progress, finishing a campaign). Best effort:
   * a crash may lose it, so anything it does must also be healed by a periodic sweep.
   */
  afterCommit?(events: DeliveryEvent[], groupIds: string[]): Promise<void>;
}
