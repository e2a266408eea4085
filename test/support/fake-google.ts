import {
  bearer,
  consentPage,
  FakeHttpServer,
  form,
  headerOf,
  jsonBody,
  randomId,
  type Fault,
  type FakeRequest,
  type FakeResponse,
} from './fake-http.js';

/**
 * Google's OAuth 2.0 endpoints and the Gmail API on loopback, speaking their wire format, for the
 * real `@googleapis/gmail` / google-auth-library clients.
 *
 *   const google = await startFakeGoogle();
 *   google.addUser('ada@example.com');
 *   // engine config: { clientId: google.clientId, clientSecret: google.clientSecret,
 *   //   authorizeUrl: google.authorizeUrl, tokenUrl: google.tokenUrl, apiUrl: google.apiUrl }
 *   const refreshToken = google.issueRefreshToken('ada@example.com'); // a "pasted" token
 *   google.inject({ method: 'POST', path: /messages\/send$/, status: 429, headers: { 'retry-after': '7' },
 *     json: gmailError(429, 'userRateLimitExceeded', 'User-rate limit exceeded') });
 *   google.inject({ method: 'POST', path: /messages\/send$/, lose: true });   // stored, answer lost
 *   google.expireAccessTokens('ada@example.com');   // next call gets 401
 *   google.revoke('ada@example.com');               // refresh answers invalid_grant
 *   google.setIndexLag(3_600_000); google.flushIndex();  // rfc822msgid: search misses new mail until flushed
 *   google.deliver('ada@example.com', rawMime);      // inbound reply / bounce / auto-reply
 *   google.expireHistory('ada@example.com');         // older startHistoryId answer 404
 *   google.mailbox('ada@example.com').sent();        // what Gmail "sent"
 *   google.tokenGrants('refresh_token');             // token requests, by grant
 */

export interface GmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  raw: Buffer;
  /** The Message-ID Gmail kept (ours when well-formed). */
  messageId: string;
  internalDate: number;
  historyId: number;
  /** When rfc822msgid: search starts finding it. */
  indexedAt: number;
}

interface GUser {
  email: string;
  historyId: number;
  /** Oldest startHistoryId that history.list still accepts. */
  oldestHistoryId: number;
  messages: GmailMessage[];
  history: { id: number; messageId: string }[];
}

export interface FakeGoogle {
  url: string;
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  apiUrl: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  addUser(email: string): void;
  /** A refresh token for the user, as if it had been obtained elsewhere. */
  issueRefreshToken(email: string): string;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Access tokens issued so far stop working (401). */
  expireAccessTokens(email: string): void;
  /** Refresh tokens of the user answer invalid_grant. */
  revoke(email: string): void;
  /** Lifetime (`expires_in`, seconds) of access tokens issued from now on. */
  setAccessTokenLifetime(seconds: number): void;
  setIndexLag(ms: number): void;
  flushIndex(): void;
  deliver(email: string, raw: Buffer | string, labelIds?: string[]): GmailMessage;
  expireHistory(email: string): void;
  mailbox(email: string): { messages: GmailMessage[]; sent(): GmailMessage[]; historyId: number };
  /** Token endpoint requests with this grant_type. */
  tokenGrants(grant: 'authorization_code' | 'refresh_token'): FakeRequest[];
  maxConcurrent(email: string): number;
  close(): Promise<void>;
}

/** The JSON body Gmail answers errors with. */
export function gmailError(code: number, reason: string, message: string) {
  const status =
    {
      400: 'INVALID_ARGUMENT',
      401: 'UNAUTHENTICATED',
      403: 'PERMISSION_DENIED',
      404: 'NOT_FOUND',
      429: 'RESOURCE_EXHAUSTED',
    }[code] ?? 'INTERNAL';
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status } };
}

const WELL_FORMED_ID = /^<[^<>@\s]+@[^<>@\s]+>$/;

export async function startFakeGoogle(
  options: { clientId?: string; clientSecret?: string; port?: number } = {},
): Promise<FakeGoogle> {
  const clientId = options.clientId ?? 'fake-google-client.apps.googleusercontent.com';
  const clientSecret = options.clientSecret ?? 'fake-google-secret';
  const users = new Map<string, GUser>();
  const codes = new Map<string, { email: string; redirectUri: string; offline: boolean; scope: string }>();
  const refreshTokens = new Map<string, string>();
  const accessTokens = new Map<string, { email: string; expiresAt: number }>();
  let lifetime = 3600;
  let indexLag = 0;
  let nextHistory = 1000;

  const user = (email: string) => {
    const u = users.get(email.toLowerCase());
    if (!u) throw new Error(`fake Google: no user ${email}`);
    return u;
  };
  const tokenUser = (req: FakeRequest) => {
    const t = bearer(req);
    const a = t ? accessTokens.get(t) : undefined;
    return a && a.expiresAt > Date.now() ? a.email : undefined;
  };
  const issueAccess = (email: string) => {
    const token = `ya29.${randomId(16)}`;
    accessTokens.set(token, { email, expiresAt: Date.now() + lifetime * 1000 });
    return token;
  };
  const issueRefresh = (email: string) => {
    const token = `1//${randomId(16)}`;
    refreshTokens.set(token, email);
    return token;
  };

  function store(u: GUser, raw: Buffer, labelIds: string[], threadId?: string): GmailMessage {
    const id = randomId(8);
    let messageId = headerOf(raw, 'Message-ID') ?? '';
    if (!WELL_FORMED_ID.test(messageId)) {
      messageId = `<${randomId(12)}@mail.gmail.com>`;
      raw = Buffer.concat([Buffer.from(`Message-ID: ${messageId}\r\n`), raw]);
    }
    const refs = `${headerOf(raw, 'In-Reply-To') ?? ''} ${headerOf(raw, 'References') ?? ''}`;
    const parent = u.messages.find((m) => refs.includes(m.messageId));
    const historyId = ++nextHistory;
    u.historyId = historyId;
    const m: GmailMessage = {
      id,
      threadId: threadId ?? parent?.threadId ?? id,
      labelIds,
      raw,
      messageId,
      internalDate: Date.now(),
      historyId,
      indexedAt: Date.now() + indexLag,
    };
    u.messages.push(m);
    u.history.push({ id: historyId, messageId: id });
    return m;
  }

  const err = (code: number, reason: string, message: string): FakeResponse => ({
    status: code,
    json: gmailError(code, reason, message),
  });

  function search(u: GUser, q: string): GmailMessage[] {
    let found = u.messages.filter((m) => m.indexedAt <= Date.now());
    for (const term of q.split(/\s+/).filter(Boolean)) {
      const [key, value] = term.split(/:(.*)/s);
      if (key === 'rfc822msgid') {
        const id = value.replace(/^<|>$/g, '');
        found = found.filter((m) => m.messageId === `<${id}>`);
      } else if (key === 'newer_than') {
        const days = parseInt(value, 10);
        found = found.filter((m) => m.internalDate >= Date.now() - days * 86400000);
      } else if (key === '-in') {
        found = found.filter((m) => !m.labelIds.includes(value.toUpperCase()));
      } else if (key === 'in') {
        found = found.filter((m) => m.labelIds.includes(value.toUpperCase()));
      }
    }
    return found.reverse();
  }

  async function gmail(req: FakeRequest, rest: string): Promise<FakeResponse> {
    const email = req.user;
    if (!email) {
      return err(
        401,
        'authError',
        'Request had invalid authentication credentials. Expected OAuth 2 access token.',
      );
    }
    const u = user(email);
    if (req.method === 'GET' && rest === 'profile') {
      return {
        status: 200,
        json: {
          emailAddress: u.email,
          messagesTotal: u.messages.length,
          threadsTotal: 0,
          historyId: String(u.historyId),
        },
      };
    }
    if (req.method === 'POST' && rest === 'messages/send') {
      const body = jsonBody<{ raw?: string; threadId?: string }>(req);
      if (!body.raw)
        return err(
          400,
          'invalidArgument',
          "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        );
      const raw = Buffer.from(body.raw, 'base64url');
      const to = headerOf(raw, 'To');
      if (!to || !/@/.test(to)) return err(400, 'invalidArgument', 'Invalid To header');
      if (body.threadId && !u.messages.some((m) => m.threadId === body.threadId)) {
        return err(404, 'notFound', 'Requested entity was not found.');
      }
      const m = store(u, raw, ['SENT'], body.threadId);
      return { status: 200, json: { id: m.id, threadId: m.threadId, labelIds: m.labelIds } };
    }
    if (req.method === 'GET' && rest === 'messages') {
      const max = Number(req.query.get('maxResults') ?? 100);
      const found = search(u, req.query.get('q') ?? '').slice(0, max);
      return {
        status: 200,
        json: {
          ...(found.length ? { messages: found.map((m) => ({ id: m.id, threadId: m.threadId })) } : {}),
          resultSizeEstimate: found.length,
        },
      };
    }
    const get = /^messages\/([^/]+)$/.exec(rest);
    if (req.method === 'GET' && get) {
      const m = u.messages.find((x) => x.id === get[1]);
      if (!m) return err(404, 'notFound', 'Requested entity was not found.');
      const base = {
        id: m.id,
        threadId: m.threadId,
        labelIds: m.labelIds,
        historyId: String(m.historyId),
        internalDate: String(m.internalDate),
        sizeEstimate: m.raw.length,
      };
      if (req.query.get('format') === 'raw')
        return { status: 200, json: { ...base, raw: m.raw.toString('base64url') } };
      const wanted = req.query.getAll('metadataHeaders').map((h) => h.toLowerCase());
      const headers = ['From', 'To', 'Subject', 'Message-ID', 'In-Reply-To', 'References', 'Date']
        .filter((h) => !wanted.length || wanted.includes(h.toLowerCase()))
        .map((name) => ({ name, value: headerOf(m.raw, name) }))
        .filter((h) => h.value !== undefined);
      return { status: 200, json: { ...base, payload: { headers } } };
    }
    if (req.method === 'GET' && rest === 'history') {
      const start = Number(req.query.get('startHistoryId'));
      if (!Number.isFinite(start) || start < u.oldestHistoryId) {
        return err(404, 'notFound', 'Requested entity was not found.');
      }
      const max = Number(req.query.get('maxResults') ?? 100);
      const offset = Number(req.query.get('pageToken') ?? 0);
      const records = u.history.filter((h) => h.id > start);
      const page = records.slice(offset, offset + max);
      const history = page.map((h) => {
        const m = u.messages.find((x) => x.id === h.messageId)!;
        return {
          id: String(h.id),
          messages: [{ id: m.id, threadId: m.threadId }],
          messagesAdded: [{ message: { id: m.id, threadId: m.threadId, labelIds: m.labelIds } }],
        };
      });
      return {
        status: 200,
        json: {
          ...(history.length ? { history } : {}),
          historyId: String(u.historyId),
          ...(offset + max < records.length ? { nextPageToken: String(offset + max) } : {}),
        },
      };
    }
    return err(404, 'notFound', `fake Gmail has no ${req.method} ${rest}`);
  }

  function authorizePage(req: FakeRequest): FakeResponse {
    const q = req.query;
    if (q.get('client_id') !== clientId) return { status: 401, text: 'Error 401: invalid_client' };
    if (q.get('response_type') !== 'code' || !q.get('redirect_uri')) {
      return { status: 400, text: 'Error 400: invalid_request' };
    }
    const hidden: Record<string, string> = {};
    for (const k of ['client_id', 'redirect_uri', 'scope', 'state', 'access_type'])
      hidden[k] = q.get(k) ?? '';
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      text: consentPage('Sign in with Google (fake)', '/o/oauth2/v2/auth/approve', hidden, [...users.keys()]),
    };
  }

  function approve(req: FakeRequest): FakeResponse {
    const f = form(req);
    const redirect = new URL(f.get('redirect_uri') ?? '');
    redirect.searchParams.set('state', f.get('state') ?? '');
    if (f.get('decision') !== 'allow') {
      redirect.searchParams.set('error', 'access_denied');
    } else {
      const code = `4/${randomId(12)}`;
      codes.set(code, {
        email: f.get('login') ?? '',
        redirectUri: f.get('redirect_uri') ?? '',
        offline: f.get('access_type') === 'offline',
        scope: f.get('scope') ?? '',
      });
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('scope', f.get('scope') ?? '');
    }
    return { status: 302, headers: { location: redirect.toString() } };
  }

  function token(req: FakeRequest): FakeResponse {
    const f = form(req);
    const basic = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64').toString().split(':')
      : [f.get('client_id'), f.get('client_secret')];
    if (id !== clientId || secret !== clientSecret) {
      return {
        status: 401,
        json: { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
      };
    }
    const invalid = (d: string): FakeResponse => ({
      status: 400,
      json: { error: 'invalid_grant', error_description: d },
    });
    if (f.get('grant_type') === 'authorization_code') {
      const c = codes.get(f.get('code') ?? '');
      codes.delete(f.get('code') ?? '');
      if (!c || c.redirectUri !== f.get('redirect_uri')) return invalid('Malformed auth code.');
      return {
        status: 200,
        json: {
          access_token: issueAccess(c.email),
          expires_in: lifetime,
          token_type: 'Bearer',
          scope: c.scope,
          ...(c.offline ? { refresh_token: issueRefresh(c.email) } : {}),
        },
      };
    }
    if (f.get('grant_type') === 'refresh_token') {
      const email = refreshTokens.get(f.get('refresh_token') ?? '');
      if (!email) return invalid('Token has been expired or revoked.');
      return {
        status: 200,
        json: {
          access_token: issueAccess(email),
          expires_in: lifetime,
          token_type: 'Bearer',
          scope: 'https://www.googleapis.com/auth/gmail.send',
        },
      };
    }
    return { status: 400, json: { error: 'unsupported_grant_type' } };
  }

  /** What each fake mailbox holds, for people trying the engine against the fake (`npm run start:fakes`). */
  function overview(): FakeResponse {
    const json = [...users.values()].map((u) => ({
      email: u.email,
      messages: u.messages.map((m) => ({
        id: m.id,
        threadId: m.threadId,
        labelIds: m.labelIds,
        messageId: m.messageId,
        to: headerOf(m.raw, 'To'),
        subject: headerOf(m.raw, 'Subject'),
      })),
    }));
    return { status: 200, json };
  }

  function expireAccessTokens(email: string) {
    for (const [t, a] of accessTokens) if (a.email === email.toLowerCase()) accessTokens.delete(t);
  }

  const server = await new FakeHttpServer(
    async (req) => {
      if (req.method === 'GET' && req.path === '/_fake/mailboxes') return overview();
      if (req.method === 'GET' && req.path === '/o/oauth2/v2/auth') return authorizePage(req);
      if (req.method === 'POST' && req.path === '/o/oauth2/v2/auth/approve') return approve(req);
      if (req.method === 'POST' && req.path === '/token') return token(req);
      const api = /^\/gmail\/v1\/users\/me\/(.+)$/.exec(req.path);
      if (api) return gmail(req, api[1]);
      return { status: 404, text: 'not found' };
    },
    (req) => {
      if (req.path === '/token') {
        const f = form(req);
        return refreshTokens.get(f.get('refresh_token') ?? '') ?? codes.get(f.get('code') ?? '')?.email;
      }
      return tokenUser(req);
    },
  ).start(options.port);

  return {
    url: server.url,
    clientId,
    clientSecret,
    authorizeUrl: `${server.url}/o/oauth2/v2/auth`,
    tokenUrl: `${server.url}/token`,
    apiUrl: `${server.url}/`,
    requests: server.requests,
    addUser(email) {
      const historyId = ++nextHistory;
      users.set(email.toLowerCase(), {
        email: email.toLowerCase(),
        historyId,
        oldestHistoryId: 0,
        messages: [],
        history: [],
      });
    },
    issueRefreshToken: (email) => issueRefresh(user(email).email),
    inject: (f) => server.inject(f),
    clearFaults: () => server.clearFaults(),
    expireAccessTokens,
    revoke(email) {
      for (const [t, e] of refreshTokens) if (e === email.toLowerCase()) refreshTokens.delete(t);
      expireAccessTokens(email);
    },
    setAccessTokenLifetime(seconds) {
      lifetime = seconds;
    },
    setIndexLag(ms) {
      indexLag = ms;
    },
    flushIndex() {
      for (const u of users.values())
        for (const m of u.messages) m.indexedAt = Math.min(m.indexedAt, Date.now());
    },
    deliver: (email, raw, labelIds = ['INBOX', 'UNREAD']) => store(user(email), Buffer.from(raw), labelIds),
    expireHistory(email) {
      const u = user(email);
      u.oldestHistoryId = u.historyId;
    },
    mailbox(email) {
      const u = user(email);
      return {
        messages: u.messages,
        sent: () => u.messages.filter((m) => m.labelIds.includes('SENT')),
        historyId: u.historyId,
      };
    },
    tokenGrants: (grant) =>
      server.requests.filter((r) => r.path === '/token' && form(r).get('grant_type') === grant),
    maxConcurrent: (email) => server.maxConcurrent(email.toLowerCase()),
    close: () => server.close(),
  };
}
