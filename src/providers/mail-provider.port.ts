import type { MailProviderType } from '../generated/prisma/enums.js';
import type { MailError } from './mail-errors.js';

/**
 * The MailProvider port: the only way the engine sends and receives mail. The delivery pipeline
 * builds the complete MIME message (nodemailer's composer) and hands it over with its Message-ID;
 * an adapter only transports it and translates its failures into the errors of mail-errors.ts.
 * Inbound mail (replies, bounces) comes back as raw MIME; delivery parses and classifies it, so
 * every provider is judged by the same rules.
 */
export interface OutgoingMessage {
  /** RFC 5322 Message-ID including the angle brackets, e.g. `<m.123@example.com>`; stored before the call. */
  messageId: string;
  /** Envelope sender (the mailbox address). */
  from: string;
  /** Envelope recipient. */
  to: string;
  subject: string;
  /** The whole RFC 5322 message (headers + body), as built by the pipeline. */
  raw: Buffer;
  /** Provider thread to continue (Gmail threadId / Graph conversation), for follow-ups. */
  threadId?: string;
}

export interface SendResult {
  /** The provider's id of the sent message (Gmail id, Graph id, SMTP server's queue id or the Message-ID). */
  providerMessageId: string;
  providerThreadId?: string;
}

/** A message that arrived in a mailbox, as the provider keeps it. */
export interface InboundMail {
  /** The provider's id of the inbound message (stable: the same message polled twice has the same id). */
  providerMessageId: string;
  /** The provider's conversation/thread id, when it has one. */
  providerThreadId?: string;
  /** The whole RFC 5322 message as received. */
  raw: Buffer;
  /** When the provider received it. */
  receivedAt?: Date;
}

export interface InboundBatch {
  messages: InboundMail[];
  /**
   * Where the next poll continues (Gmail historyId, Graph deltaLink). Stored by the engine only
   * after the messages are recorded, so a crash re-reads rather than loses them.
   */
  cursor: string;
  /** True when more messages are waiting beyond this batch (poll again without waiting). */
  more?: boolean;
}

/** Options every provider call accepts: the pipeline aborts a call that outlives its timeout. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A mailbox as adapters see it: its address and decrypted credentials. */
export interface MailboxContext {
  id: string;
  organizationId: string;
  email: string;
  provider: MailProviderType;
  credentials: Record<string, unknown>;
}

/** Sending limits a new mailbox of a provider gets unless the user sets its own. */
export interface ProviderDefaults {
  dailyCap: number;
  /** Minimum seconds between two sends (e.g. 2 for 30 messages/min). */
  minGapSeconds: number;
}

export interface MailProvider {
  readonly type: MailProviderType;
  /**
   * Whether `findSent` can tell if a message with a Message-ID went out. When false (SMTP), an
   * unsure send is not retried unless the mailbox opted into at-least-once delivery.
   */
  readonly canReconcile: boolean;
  /**
   * How long after a send `findSent` may still miss it (search-index lag, in ms). An unknown
   * outcome is only resent when the message is still absent this long after the send.
   */
  readonly reconcileLagMs?: number;
  /** Limits a new mailbox of this provider gets by default. */
  readonly defaults?: ProviderDefaults;
  /**
   * Optional: limits for a new mailbox of this address when they depend on the kind of account
   * (consumer Gmail vs Google Workspace). Falls back to `defaults` when absent.
   */
  defaultsFor?(email: string): ProviderDefaults;
  /** Checks the credentials work (called when the mailbox is connected). Throws a MailError. */
  verify(mailbox: MailboxContext, options?: CallOptions): Promise<void>;
  /** Sends one message. Throws a MailError subclass on failure. */
  send(mailbox: MailboxContext, message: OutgoingMessage, options?: CallOptions): Promise<SendResult>;
  /**
   * Optional: sends several messages of one mailbox in one call (the sandbox stores them in one
   * statement). One result per message, in order: its SendResult or the MailError it failed with.
   */
  sendMany?(
    mailbox: MailboxContext,
    messages: OutgoingMessage[],
    options?: CallOptions,
  ): Promise<(SendResult | MailError)[]>;
  /** Looks the Message-ID up in the mailbox's sent mail; null when it was not sent. */
  findSent(mailbox: MailboxContext, messageId: string, options?: CallOptions): Promise<SendResult | null>;
  /**
   * Optional: inbound mail since `cursor`. With a null cursor, starts watching now: returns the
   * starting cursor and no messages. An expired cursor is the adapter's to handle (resync).
   */
  fetchInbound?(
    mailbox: MailboxContext,
    cursor: string | null,
    options?: CallOptions & { limit?: number },
  ): Promise<InboundBatch>;
  /** Releases pooled connections of one mailbox (on disconnect) or of all (on shutdown). */
  close(mailboxId?: string): Promise<void>;
}

export const MAIL_PROVIDERS = Symbol('MAIL_PROVIDERS');
