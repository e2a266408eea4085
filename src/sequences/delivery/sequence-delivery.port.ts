import type { ContentSpec, GroupSpec, MessageSpec } from '../../delivery/delivery.contract.js';
import type { Tx } from '../../prisma/prisma.service.js';

/** A message delivery accepted: its outbound message id, for the step execution that asked. */
export interface HandedOver {
  /** The step execution id given as `MessageSpec.sourceRef`. */
  sourceRef: string;
  /** Delivery's outbound message id (its ledger owns state, Message-ID and provider ids). */
  messageId: string;
}

/**
 * What sequences need from delivery, written against `delivery.contract.ts`. Every call joins the
 * caller's transaction (`tx`): a step execution and its hand-over commit together or not at all.
 * Phase 2 binds this port to the delivery service with one adapter.
 */
export interface SequenceDelivery {
  /** Stores immutable content (one per EMAIL step of a published version); returns its id. */
  createContent(tx: Tx, content: ContentSpec): Promise<string>;
  /** Opens the group of a sequence (idempotent: activating twice opens it once). */
  openGroup(tx: Tx, group: GroupSpec): Promise<void>;
  /** Hands messages over; one answer per message. A sourceRef handed over before is not sent again. */
  handOver(tx: Tx, groupId: string, messages: MessageSpec[]): Promise<HandedOver[]>;
  /** Holds the group's messages not yet sent (pauseSequence). */
  pauseGroup(tx: Tx, groupId: string): Promise<void>;
  /** Releases them (resumeSequence). */
  resumeGroup(tx: Tx, groupId: string): Promise<void>;
  /**
   * Cancels the messages of these sourceRefs that have not been handed to a provider; the others
   * stay as they are. Returns the sourceRefs it cancelled.
   */
  cancelMessages(tx: Tx, groupId: string, sourceRefs: string[]): Promise<string[]>;
}

/** Nest token of the SequenceDelivery implementation. */
export const SEQUENCE_DELIVERY = Symbol('SEQUENCE_DELIVERY');
