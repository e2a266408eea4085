import type { MailProviderType } from '../generated/prisma/enums.js';

/**
 * The MailProvider port: the only way the engine sends mail. The delivery pipeline builds the
 * complete MIME message (nodemailer's composer) and hands it over with its Message-ID; an adapter
 * only transports it and translates its failures into the errors of mail-errors.ts.
 */
export interface OutgoingMessage {
  /** RFC 5322 Message-ID including the angle brackets, e.g. `<r-123@campaign-engine>`; stored before the call. */
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

/** A mailbox as adapters see it: its address and decrypted credentials. */
export interface MailboxContext {
  id: string;
  organizationId: string;
  email: string;
  provider: MailProviderType;
  credentials: Record<string, unknown>;
}

export interface MailProvider {
  readonly type: MailProviderType;
  /**
   * Whether `findSent` can tell if a message with a Message-ID went out. When false (SMTP), an
   * unsure send is not retried unless the mailbox opted into at-least-once delivery.
   */
  readonly canReconcile: boolean;
  /** Checks the credentials work (called when the mailbox is connected). Throws a MailError. */
  verify(mailbox: MailboxContext): Promise<void>;
  /** Sends one message. Throws a MailError subclass on failure. */
  send(mailbox: MailboxContext, message: OutgoingMessage): Promise<SendResult>;
  /** Looks the Message-ID up in the mailbox's sent mail; null when it was not sent. */
  findSent(mailbox: MailboxContext, messageId: string): Promise<SendResult | null>;
  /** Releases pooled connections of one mailbox (on disconnect) or of all (on shutdown). */
  close(mailboxId?: string): Promise<void>;
}

export const MAIL_PROVIDERS = Symbol('MAIL_PROVIDERS');
