import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** Path prefix of the open-tracking pixel (the sandbox inbox hides these so previews are not opens). */
export const OPEN_PIXEL_PATH = '/t/o/';

/**
 * Signed, opaque tokens for the links put in messages (open pixel, unsubscribe). A token names
 * one campaign recipient; it cannot be forged or pointed at another organization's recipient.
 */
@Injectable()
export class TrackingLinks {
  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedConfig) {}

  token(recipientId: string) {
    return `${recipientId}.${this.sign(recipientId)}`;
  }

  /** The recipient id of a valid token, or null. */
  verify(token: string): string | null {
    const [id, sig] = token.split('.');
    if (!id || !sig) return null;
    const expected = Buffer.from(this.sign(id));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given) ? id : null;
  }

  openPixelUrl(recipientId: string) {
    return `${this.config.publicUrl}${OPEN_PIXEL_PATH}${this.token(recipientId)}.gif`;
  }

  unsubscribeUrl(recipientId: string) {
    return `${this.config.publicUrl}/u/${this.token(recipientId)}`;
  }

  private sign(id: string) {
    return createHmac('sha256', this.config.jwt.secret)
      .update(`track:${id}`)
      .digest('base64url')
      .slice(0, 32);
  }
}
