import { Injectable } from '@nestjs/common';
import { EngagementService, type HitRequest } from '../delivery/engagement/engagement.service.js';
import { SuppressionsService } from '../recipients/suppressions.service.js';

/** What recipients do with a message, over HTTP: open, click, unsubscribe. */
@Injectable()
export class TrackingService {
  constructor(
    private readonly engagement: EngagementService,
    private readonly suppressions: SuppressionsService,
  ) {}

  open(token: string, request: HitRequest) {
    return this.engagement.open(token, request);
  }

  click(token: string, request: HitRequest) {
    return this.engagement.click(token, request);
  }

  /** The address a token unsubscribes, for the confirmation page; null for an invalid token. */
  async describe(token: string) {
    return (await this.engagement.messageOf(token))?.email ?? null;
  }

  /** Puts the address on the organization's suppression list (idempotent). False for an invalid token. */
  async unsubscribe(token: string, via: 'one-click' | 'page') {
    const message = await this.engagement.messageOf(token);
    if (!message) return false;
    await this.suppressions.suppress(
      message.organizationId,
      message.email,
      'UNSUBSCRIBED',
      `Unsubscribed (${via})`,
    );
    await this.engagement.unsubscribed(message, via);
    return true;
  }
}
