import { createHmac, timingSafeEqual } from 'node:crypto';
import { TRACKING_PATHS } from '../../common/tracking-paths.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * (No Nest here: render threads sign the links they put in messages with it.)
 *
 * Signed, opaque tokens for the links put in messages (open pixel, click redirect, unsubscribe).
 * A token names one outbound message (and, for a click, one stored link of its content); it cannot
 * be forged, altered or pointed at another organization's message.
 */
export class LinkSigner {
  /** Read at each call: the public URL may be settled after construction (a test app's port). */
  constructor(private readonly settings: { publicUrl: string; jwt: { secret: string } }) {}

  /** `<messageId>.<signature>` */
  token(messageId: string) {
    return `${messageId}.${this.sign(`track:${messageId}`)}`;
  }

  /** The message id of a valid token, or null. */
  verify(token: string): string | null {
    const [id, sig, ...rest] = token.split('.');
    if (!id || !sig || rest.length || !UUID.test(id)) return null;
    return this.same(sig, this.sign(`track:${id}`)) ? id : null;
  }

  /** `<messageId>.<linkId>.<signature>`: a click on one stored link of the message's content. */
  clickToken(messageId: string, linkId: string) {
    return `${messageId}.${linkId}.${this.sign(`click:${messageId}:${linkId}`)}`;
  }

  verifyClick(token: string): { messageId: string; linkId: string } | null {
    const [messageId, linkId, sig, ...rest] = token.split('.');
    if (!messageId || !linkId || !sig || rest.length || !UUID.test(messageId) || !UUID.test(linkId))
      return null;
    return this.same(sig, this.sign(`click:${messageId}:${linkId}`)) ? { messageId, linkId } : null;
  }

  openPixelUrl(messageId: string) {
    return `${this.settings.publicUrl}${TRACKING_PATHS.openPixel}${this.token(messageId)}.gif`;
  }

  clickUrl(messageId: string, linkId: string) {
    return `${this.settings.publicUrl}${TRACKING_PATHS.click}${this.clickToken(messageId, linkId)}`;
  }

  unsubscribeUrl(messageId: string) {
    return `${this.settings.publicUrl}${TRACKING_PATHS.unsubscribe}${this.token(messageId)}`;
  }

  private same(given: string, expected: string) {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private sign(value: string) {
    return createHmac('sha256', this.settings.jwt.secret).update(value).digest('base64url').slice(0, 32);
  }
}
