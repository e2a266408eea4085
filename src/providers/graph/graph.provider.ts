import { Inject, Injectable } from '@nestjs/common';
import { ResponseType, type Client, type GraphRequest } from '@microsoft/microsoft-graph-client';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { callSignal } from '../http/deadline.js';
import { KeyedSemaphore } from '../http/keyed-semaphore.js';
import { UnknownOutcomeMailError } from '../mail-errors.js';
import type {
  CallOptions,
  InboundBatch,
  InboundMail,
  MailboxContext,
  MailProvider,
  OutgoingMessage,
  ProviderDefaults,
  SendResult,
} from '../mail-provider.port.js';
import { AccessTokens } from '../oauth/access-tokens.js';
import { OAuthTokenStore } from '../oauth/oauth-token.store.js';
import { classifyGraphError } from './classify-graph-error.js';
import { createGraphClient, graphFailure, MailboxToken } from './graph-client.js';
import { MicrosoftOAuthClient } from './microsoft-oauth.client.js';

/**
 * Our Message-ID, stamped on the draft as a named MAPI property (PS_PUBLIC_STRINGS): it survives
 * sending and Sent Items can be filtered on it (ADR 004).
 */
export const MESSAGE_ID_PROPERTY =
  'String {00020329-0000-0000-C000-000000000046} Name CampaignEngineMessageId';
/** Exchange Online allows 4 concurrent requests per app and mailbox. */
export const GRAPH_CONCURRENCY_PER_MAILBOX = 4;
/** How far back a restarted inbox delta looks (after 410 Gone). */
const RESYNC_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

interface DraftView {
  id: string;
  internetMessageId?: string;
  conversationId?: string;
}
interface DeltaPage {
  value?: (DraftView & { receivedDateTime?: string; '@removed'?: unknown })[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const odataString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** Delta links are absolute; keep the part after the version so the configured base URL applies. */
const relativeLink = (link: string) => link.replace(/^https?:\/\/[^/]+\/[^/]+\//, '');

/**
 * Microsoft 365 mailboxes through the real Graph client. A send is three calls: a draft created
 * from our MIME, our Message-ID stamped on it as an extended property, then `send` (202). The
 * send call is never retried by the client; lookups are. Ids are requested as immutable ids so
 * the draft's id still names the message in Sent Items. At most 4 concurrent requests per
 * mailbox in this process.
 */
@Injectable()
export class GraphProvider implements MailProvider {
  readonly type = 'MICROSOFT' as const;
  readonly canReconcile = true;
  /** Exchange moves a sent message to Sent Items asynchronously, usually within seconds (PROVIDER_RECONCILE_LAG_MS). */
  readonly reconcileLagMs: number;
  /** Exchange Online: 10,000 recipients a day, 30 messages a minute (one every 2 s). */
  readonly defaults: ProviderDefaults = { dailyCap: 10_000, minGapSeconds: 2 };
  private readonly client: Client;
  private readonly tokens: AccessTokens;
  private readonly limiter = new KeyedSemaphore(GRAPH_CONCURRENCY_PER_MAILBOX);
  private readonly timeoutMs: number;

  constructor(
    @Inject(APP_CONFIG) config: ResolvedConfig,
    store: OAuthTokenStore,
    readonly oauth: MicrosoftOAuthClient,
  ) {
    this.client = createGraphClient(config.microsoft.graphUrl);
    this.timeoutMs = config.providers.timeoutMs;
    this.reconcileLagMs = config.providers.reconcileLagMs ?? 5 * 60_000;
    this.tokens = new AccessTokens(store, (refreshToken, signal) => oauth.refresh(refreshToken, signal));
  }

  /** The mailbox's address according to Graph (`mail`, else the sign-in name), with a given token. */
  async profileAddress(accessToken: string, caller?: AbortSignal): Promise<string> {
    const signal = callSignal(caller, this.timeoutMs);
    try {
      const me = (await this.request('me', accessToken, signal)
        .select(['mail', 'userPrincipalName'])
        .get()) as {
        mail?: string | null;
        userPrincipalName?: string;
      };
      return (me.mail ?? me.userPrincipalName ?? '').toLowerCase();
    } catch (e) {
      throw classifyGraphError(graphFailure(e, signal, caller), { sending: false, now: new Date() });
    }
  }

  async verify(mailbox: MailboxContext, options?: CallOptions): Promise<void> {
    await this.call(mailbox, options, false, (r) => r('me').select(['id']).get());
  }

  async send(mailbox: MailboxContext, message: OutgoingMessage, options?: CallOptions): Promise<SendResult> {
    const draft = (await this.call(mailbox, options, false, (r) =>
      r('me/messages').header('Content-Type', 'text/plain').post(message.raw.toString('base64')),
    )) as DraftView;
    try {
      await this.call(mailbox, options, false, (r) =>
        r(`me/messages/${draft.id}`).patch({
          singleValueExtendedProperties: [{ id: MESSAGE_ID_PROPERTY, value: message.messageId }],
        }),
      );
      await this.call(mailbox, options, true, (r) => r(`me/messages/${draft.id}/send`).post(undefined));
    } catch (e) {
      // Refused before it could go out: remove the draft so the mailbox does not collect them.
      if (!(e instanceof UnknownOutcomeMailError)) await this.discardDraft(mailbox, draft.id);
      throw e;
    }
    return { providerMessageId: draft.id, providerThreadId: draft.conversationId };
  }

  /** Sent Items, by our stamped Message-ID, else by internetMessageId (if Exchange kept ours). */
  async findSent(
    mailbox: MailboxContext,
    messageId: string,
    options?: CallOptions,
  ): Promise<SendResult | null> {
    const filters = [
      `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(MESSAGE_ID_PROPERTY)} and ep/value eq ${odataString(messageId)})`,
      `internetMessageId eq ${odataString(messageId)}`,
    ];
    for (const filter of filters) {
      const page = (await this.call(mailbox, options, false, (r) =>
        r('me/mailFolders/sentitems/messages')
          .filter(filter)
          .select(['id', 'conversationId', 'internetMessageId'])
          .top(1)
          .get(),
      )) as { value?: DraftView[] };
      const found = page.value?.[0];
      if (found) return { providerMessageId: found.id, providerThreadId: found.conversationId };
    }
    return null;
  }

  /**
   * Inbox messages since the delta link `cursor`, one page of at most `limit`. A null cursor
   * starts now (a delta filtered on messages received from now on). On 410 Gone the delta is
   * restarted over the last week; those messages may have been seen already (same ids).
   */
  async fetchInbound(
    mailbox: MailboxContext,
    cursor: string | null,
    options?: CallOptions & { limit?: number },
  ): Promise<InboundBatch> {
    const limit = options?.limit ?? 50;
    if (!cursor) {
      let page = await this.deltaPage(mailbox, this.startLink(new Date()), limit, options);
      while (page['@odata.nextLink'])
        page = await this.deltaPage(mailbox, relativeLink(page['@odata.nextLink']), limit, options);
      return { messages: [], cursor: relativeLink(page['@odata.deltaLink'] ?? '') };
    }
    let page: DeltaPage;
    try {
      page = await this.deltaPage(mailbox, cursor, limit, options);
    } catch (e) {
      if ((e as { graphStatus?: number }).graphStatus !== 410) throw e;
      page = await this.deltaPage(
        mailbox,
        this.startLink(new Date(Date.now() - RESYNC_WINDOW_MS)),
        limit,
        options,
      );
    }
    const messages: InboundMail[] = [];
    for (const item of page.value ?? []) {
      if (item['@removed'] || !item.id) continue;
      const raw = (await this.call(mailbox, options, false, (r) =>
        r(`me/messages/${item.id}/$value`).responseType(ResponseType.ARRAYBUFFER).get(),
      )) as ArrayBuffer;
      messages.push({
        providerMessageId: item.id,
        providerThreadId: item.conversationId,
        raw: Buffer.from(raw),
        receivedAt: item.receivedDateTime ? new Date(item.receivedDateTime) : undefined,
      });
    }
    const next = page['@odata.nextLink'];
    return { messages, cursor: relativeLink(next ?? page['@odata.deltaLink'] ?? cursor), more: !!next };
  }

  async close(mailboxId?: string): Promise<void> {
    this.tokens.forget(mailboxId);
  }

  private startLink(from: Date) {
    return `me/mailFolders/inbox/messages/delta?$filter=receivedDateTime ge ${from.toISOString()}&$select=id,conversationId,receivedDateTime`;
  }

  private async deltaPage(mailbox: MailboxContext, link: string, limit: number, options?: CallOptions) {
    return (await this.call(mailbox, options, false, (r) =>
      r(link).header('Prefer', `odata.maxpagesize=${limit}`).get(),
    )) as DeltaPage;
  }

  private async discardDraft(mailbox: MailboxContext, id: string) {
    await this.call(mailbox, undefined, false, (r) => r(`me/messages/${id}`).delete()).catch(() => undefined);
  }

  private request(path: string, token: string, signal: AbortSignal): GraphRequest {
    return this.client
      .api(path)
      .middlewareOptions([new MailboxToken(token)])
      .option('signal', signal)
      .header('Prefer', 'IdType="ImmutableId"');
  }

  /**
   * One Graph request with the mailbox's token, under the overall deadline and the per-mailbox
   * concurrency limit. A 401 renews the token once and repeats the request (it was refused).
   */
  private async call<T>(
    mailbox: MailboxContext,
    options: CallOptions | undefined,
    sending: boolean,
    fn: (request: (path: string) => GraphRequest) => Promise<T>,
  ): Promise<T> {
    const caller = options?.signal;
    const signal = callSignal(caller, this.timeoutMs);
    let token = await this.tokens.get(mailbox, signal);
    for (let attempt = 0; ; attempt++) {
      const current = token;
      try {
        return await this.limiter.run(mailbox.id, () => fn((path) => this.request(path, current, signal)));
      } catch (e) {
        const failure = graphFailure(e, signal, caller);
        if (failure.status === 401 && attempt === 0) {
          token = await this.tokens.renew(mailbox, token, signal);
          continue;
        }
        throw Object.assign(classifyGraphError(failure, { sending, now: new Date() }), {
          graphStatus: failure.status,
        });
      }
    }
  }
}
