import { Inject, Injectable } from '@nestjs/common';
import { auth, gmail, type gmail_v1 } from '@googleapis/gmail';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { callSignal } from '../http/deadline.js';
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
import { classifyGmailError } from './classify-gmail-error.js';
import { gaxiosFailure } from './gaxios-failure.js';
import { GMAIL_WORKSPACE_DEFAULTS, gmailDefaultsFor } from './gmail-defaults.js';
import { GoogleOAuthClient } from './google-oauth.client.js';

type Api = gmail_v1.Gmail;
interface MethodOptions {
  signal: AbortSignal;
  retry: false;
}

/** How far back a resync looks when Gmail no longer has the history since the stored cursor. */
const RESYNC_QUERY = '-in:sent -in:drafts -in:chats newer_than:7d';

/**
 * Gmail through the real @googleapis/gmail client. Sends the pipeline's MIME as `raw` (our
 * Message-ID included), finds sent messages by `rfc822msgid:`, and reads inbound mail through
 * history since the stored historyId. The client's own retries are off: the engine decides
 * (Retry-After, reconciliation), and a send is never repeated by a library.
 */
@Injectable()
export class GmailProvider implements MailProvider {
  readonly type = 'GMAIL' as const;
  readonly canReconcile = true;
  /** Gmail's search index can miss a message for a while after it was sent (PROVIDER_RECONCILE_LAG_MS). */
  readonly reconcileLagMs: number;
  readonly defaults: ProviderDefaults = GMAIL_WORKSPACE_DEFAULTS;
  private readonly tokens: AccessTokens;
  private readonly rootUrl: string;
  private readonly timeoutMs: number;
  private readonly apis = new Map<string, { token: string; api: Api }>();

  constructor(
    @Inject(APP_CONFIG) config: ResolvedConfig,
    store: OAuthTokenStore,
    readonly oauth: GoogleOAuthClient,
  ) {
    this.rootUrl = config.google.apiUrl;
    this.timeoutMs = config.providers.timeoutMs;
    this.reconcileLagMs = config.providers.reconcileLagMs ?? 5 * 60_000;
    this.tokens = new AccessTokens(store, (refreshToken, signal) => oauth.refresh(refreshToken, signal));
  }

  defaultsFor(email: string): ProviderDefaults {
    return gmailDefaultsFor(email);
  }

  /** The mailbox's address according to Gmail, using a given access token (connect flow). */
  async profileAddress(accessToken: string, caller?: AbortSignal): Promise<string> {
    const signal = callSignal(caller, this.timeoutMs);
    try {
      const { data } = await this.apiFor('connect', accessToken).users.getProfile(
        { userId: 'me' },
        { signal, retry: false },
      );
      return (data.emailAddress ?? '').toLowerCase();
    } catch (e) {
      throw classifyGmailError(gaxiosFailure(e, signal, caller), { sending: false, now: new Date() });
    }
  }

  async verify(mailbox: MailboxContext, options?: CallOptions): Promise<void> {
    await this.call(mailbox, options, false, (api, o) => api.users.getProfile({ userId: 'me' }, o));
  }

  async send(mailbox: MailboxContext, message: OutgoingMessage, options?: CallOptions): Promise<SendResult> {
    const data = await this.call(mailbox, options, true, (api, o) =>
      api.users.messages.send(
        {
          userId: 'me',
          requestBody: { raw: message.raw.toString('base64url'), threadId: message.threadId },
        },
        o,
      ),
    );
    return { providerMessageId: data.id ?? '', providerThreadId: data.threadId ?? undefined };
  }

  async findSent(
    mailbox: MailboxContext,
    messageId: string,
    options?: CallOptions,
  ): Promise<SendResult | null> {
    const data = await this.call(mailbox, options, false, (api, o) =>
      api.users.messages.list(
        {
          userId: 'me',
          q: `rfc822msgid:${messageId.replace(/^<|>$/g, '')}`,
          includeSpamTrash: true,
          maxResults: 1,
        },
        o,
      ),
    );
    const found = data.messages?.[0];
    return found?.id ? { providerMessageId: found.id, providerThreadId: found.threadId ?? undefined } : null;
  }

  /**
   * Messages added since the historyId `cursor` (our own sends and drafts left out), at most
   * `limit`. A null cursor starts now. When Gmail no longer has that history (404), resyncs:
   * a new cursor from the profile, and the recent inbound messages, which may include some
   * already seen (they keep their ids, so the sink can tell).
   */
  async fetchInbound(
    mailbox: MailboxContext,
    cursor: string | null,
    options?: CallOptions & { limit?: number },
  ): Promise<InboundBatch> {
    const limit = options?.limit ?? 50;
    if (!cursor) return { messages: [], cursor: await this.historyId(mailbox, options) };
    let pageToken: string | undefined;
    const ids: { id: string; historyId: string }[] = [];
    let latest = cursor;
    let more = false;
    try {
      do {
        const page = await this.call(mailbox, options, false, (api, o) =>
          api.users.history.list(
            {
              userId: 'me',
              startHistoryId: cursor,
              historyTypes: ['messageAdded'],
              maxResults: 100,
              pageToken,
            },
            o,
          ),
        );
        for (const record of page.history ?? []) {
          const added = (record.messagesAdded ?? [])
            .map((a) => a.message)
            .filter((m): m is gmail_v1.Schema$Message => !!m?.id)
            .filter((m) => !m.labelIds?.some((l) => l === 'SENT' || l === 'DRAFT'));
          if (ids.length + added.length > limit && ids.length > 0) {
            more = true;
            break;
          }
          ids.push(...added.map((m) => ({ id: m.id!, historyId: record.id! })));
          latest = record.id ?? latest;
        }
        if (more) break;
        pageToken = page.nextPageToken ?? undefined;
        if (!pageToken && page.historyId) latest = page.historyId;
      } while (pageToken);
    } catch (e) {
      if ((e as { gmailStatus?: number }).gmailStatus === 404) return this.resync(mailbox, limit, options);
      throw e;
    }
    const unique = [...new Map(ids.map((x) => [x.id, x])).values()];
    return {
      messages: await this.rawMessages(
        mailbox,
        unique.map((x) => x.id),
        options,
      ),
      cursor: latest,
      more,
    };
  }

  async close(mailboxId?: string): Promise<void> {
    this.tokens.forget(mailboxId);
    if (mailboxId) this.apis.delete(mailboxId);
    else this.apis.clear();
  }

  private async resync(mailbox: MailboxContext, limit: number, options?: CallOptions): Promise<InboundBatch> {
    const cursor = await this.historyId(mailbox, options);
    const list = await this.call(mailbox, options, false, (api, o) =>
      api.users.messages.list({ userId: 'me', q: RESYNC_QUERY, maxResults: limit }, o),
    );
    const ids = (list.messages ?? []).map((m) => m.id!).filter(Boolean);
    return { messages: await this.rawMessages(mailbox, ids, options), cursor };
  }

  private async historyId(mailbox: MailboxContext, options?: CallOptions) {
    const profile = await this.call(mailbox, options, false, (api, o) =>
      api.users.getProfile({ userId: 'me' }, o),
    );
    return String(profile.historyId);
  }

  private async rawMessages(
    mailbox: MailboxContext,
    ids: string[],
    options?: CallOptions,
  ): Promise<InboundMail[]> {
    const mails: InboundMail[] = [];
    for (const id of ids) {
      try {
        const m = await this.call(mailbox, options, false, (api, o) =>
          api.users.messages.get({ userId: 'me', id, format: 'raw' }, o),
        );
        mails.push({
          providerMessageId: m.id ?? id,
          providerThreadId: m.threadId ?? undefined,
          raw: Buffer.from(m.raw ?? '', 'base64url'),
          receivedAt: m.internalDate ? new Date(Number(m.internalDate)) : undefined,
        });
      } catch (e) {
        // Deleted between the history and the fetch: nothing left to record.
        if ((e as { gmailStatus?: number }).gmailStatus !== 404) throw e;
      }
    }
    return mails;
  }

  /**
   * One Gmail call with the mailbox's access token, under the overall deadline. A 401 renews the
   * token once and repeats the call (the request was refused, so repeating a send is safe).
   */
  private async call<T>(
    mailbox: MailboxContext,
    options: CallOptions | undefined,
    sending: boolean,
    fn: (api: Api, o: MethodOptions) => Promise<{ data: T }>,
  ): Promise<T> {
    const caller = options?.signal;
    const signal = callSignal(caller, this.timeoutMs);
    let token = await this.tokens.get(mailbox, signal);
    for (let attempt = 0; ; attempt++) {
      try {
        return (await fn(this.apiFor(mailbox.id, token), { signal, retry: false })).data;
      } catch (e) {
        const failure = gaxiosFailure(e, signal, caller);
        if (failure.status === 401 && attempt === 0) {
          token = await this.tokens.renew(mailbox, token, signal);
          continue;
        }
        throw Object.assign(classifyGmailError(failure, { sending, now: new Date() }), {
          gmailStatus: failure.status,
        });
      }
    }
  }

  private apiFor(key: string, token: string): Api {
    const cached = this.apis.get(key);
    if (cached?.token === token) return cached.api;
    const client = new auth.OAuth2();
    client.setCredentials({ access_token: token });
    const api = gmail({ version: 'v1', auth: client, rootUrl: this.rootUrl });
    if (key !== 'connect') this.apis.set(key, { token, api });
    return api;
  }
}
