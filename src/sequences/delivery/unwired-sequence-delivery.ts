import { Injectable } from '@nestjs/common';
import { conflict } from '../../common/errors/domain-error.js';
import type { SequenceDelivery } from './sequence-delivery.port.js';

const NOT_YET = 'Sequences cannot send yet: the delivery pipeline is not connected to sequences';

/**
 * The binding of SEQUENCE_DELIVERY until delivery implements the contract (phase 2): publishing
 * a version needs content, so activating a sequence is refused with CONFLICT and nothing is stored.
 * Controls on existing groups have nothing to act on and succeed.
 */
@Injectable()
export class UnwiredSequenceDelivery implements SequenceDelivery {
  async createContent(): Promise<string> {
    throw conflict(NOT_YET);
  }
  async openGroup(): Promise<void> {
    throw conflict(NOT_YET);
  }
  async handOver(): Promise<never> {
    throw conflict(NOT_YET);
  }
  async pauseGroup(): Promise<void> {}
  async resumeGroup(): Promise<void> {}
  async cancelMessages(): Promise<void> {}
}
