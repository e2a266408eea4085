import type { MailProviderType } from '../generated/prisma/enums.js';
import type { InboundMail } from './mail-provider.port.js';

/** The mailbox a batch of inbound mail arrived in. */
export interface InboundMailbox {
  id: string;
  organizationId: string;
  email: string;
  provider: MailProviderType;
}

/**
 * Where the inbound poller hands what it fetched (replies, auto-replies, bounces, anything else
 * that arrived). Delivery provides the real sink: it matches messages to what it sent and turns
 * them into events. `record` must be idempotent per `providerMessageId`: after a crash, or a
 * provider resync, the same messages can come again. The poller stores its cursor only after
 * `record` resolves; if it rejects, the batch is fetched again at the next poll.
 */
export interface InboundSink {
  record(mailbox: InboundMailbox, mails: InboundMail[]): Promise<void>;
}

export const INBOUND_SINK = Symbol('INBOUND_SINK');
