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
 * The Microsoft identity platform (v2.0 authorize + token endpoints, rotating refresh tokens) and
 * the Microsoft Graph mail API on loopback, for the real `@microsoft/microsoft-graph-client`.
 *
 *   const ms = await startFakeMicrosoft();
 *   ms.addUser('bob@contoso.example');
 *   // engine config: { clientId: ms.clientId, clientSecret: ms.clientSecret, authorizeUrl: ms.authorizeUrl,
 *   //   tokenUrl: ms.tokenUrl, graphUrl: ms.graphUrl }
 *   const refreshToken = ms.issueRefreshToken('bob@contoso.example');
 *   ms.inject({ method: 'POST', path: /\/send$/, status: 503, headers: { 'retry-after': '2' },
 *     json: graphError('ServiceUnavailable', 'busy') });
 *   ms.inject({ method: 'POST', path: /\/send$/, lose: true });  // sent, answer lost
 *   ms.expireAccessTokens(email); ms.revoke(email);
 *   ms.setSentItemsLag(ms); ms.flushSentItems();  // Sent Items shows a send only after the lag
 *   ms.deliver(email, rawMime);                       // inbound reply / auto-reply / NDR
 *   ms.expireDelta(email);                            // delta tokens answer 410 Gone
 *   ms.mailbox(email).sent(); ms.maxConcurrent(email); ms.tokenGrants('refresh_token');
 *
 * Every refresh returns a new refresh token and invalidates the one used (strict rotation), so a
 * client that does not store the rotated token fails its next refresh.
 */

export interface GraphMessage {
  id: string;
  internetMessageId: string;
  conversationId: string;
  subject: string;
  raw: Buffer;
  folder: 'drafts' | 'sentitems' | 'inbox';
  extended: Record<string, string>;
  receivedDateTime: string;
  /** Order of arrival in the inbox (delta tokens point into it). */
  seq: number;
  /** When Sent Items starts listing it. */
  visibleAt: number;
  ndr: boolean;
}

interface MUser {
  email: string;
  id: string;
  messages: GraphMessage[];
  deltaGeneration: number;
}

export interface FakeMicrosoft {
  url: string;
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  graphUrl: string;
  requests: FakeRequest[];
  addUser(email: string): void;
  issueRefreshToken(email: string): string;
  inject(fault: Fault): void;
  clearFaults(): void;
  expireAccessTokens(email: string): void;
  revoke(email: string): void;
  /** Whether drafts created from MIME keep its Message-ID as internetMessageId (default: Exchange assigns one). */
  setKeepsMessageId(keep: boolean): void;
  setSentItemsLag(ms: number): void;
  flushSentItems(): void;
  deliver(email: string, raw: Buffer | string, options?: { ndr?: boolean }): GraphMessage;
  expireDelta(email: string): void;
  mailbox(email: string): { messages: GraphMessage[]; sent(): GraphMessage[]; drafts(): GraphMessage[] };
  tokenGrants(grant: 'authorization_code' | 'refresh_token'): FakeRequest[];
  maxConcurrent(email: string): number;
  close(): Promise<void>;
}

/** The JSON body Graph answers errors with. */
export function graphError(code: string, message: string) {
  return {
    error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomId(8) } },
  };
}

const EXT_FILTER =
  /singleValueExtendedProperties\/Any\(ep:\s*ep\/id eq '([^']+)' and ep\/value eq '([^']+)'\)/i;
const IMID_FILTER = /internetMessageId eq '([^']+)'/i;
const RECEIVED_FILTER = /receivedDateTime ge ([0-9T:.\-Z]+)/i;

export async function startFakeMicrosoft(
  options: { clientId?: string; clientSecret?: string; port?: number } = {},
): Promise<FakeMicrosoft> {
  const clientId = options.clientId ?? '00000000-fake-4000-8000-microsoft00';
  const clientSecret = options.clientSecret ?? 'fake-microsoft-secret';
  const users = new Map<string, MUser>();
  const codes = new Map<string, { email: string; redirectUri: string; scope: string }>();
  const refreshTokens = new Map<string, string>();
  const accessTokens = new Map<string, { email: string; expiresAt: number }>();
  let keepsMessageId = false;
  let sentLag = 0;
  let seq = 0;

  const user = (email: string) => {
    const u = users.get(email.toLowerCase());
    if (!u) throw new Error(`fake Microsoft: no user ${email}`);
    return u;
  };
  const tokenUser = (req: FakeRequest) => {
    const t = bearer(req);
    const a = t ? accessTokens.get(t) : undefined;
    return a && a.expiresAt > Date.now() ? a.email : undefined;
  };
  const issue = (email: string) => {
    const access = `eyJ0.${randomId(16)}`;
    const refresh = `M.R3_${randomId(16)}`;
    accessTokens.set(access, { email, expiresAt: Date.now() + 3600_000 });
    refreshTokens.set(refresh, email);
    return { access, refresh };
  };
  function expireAccessTokens(email: string) {
    for (const [t, a] of accessTokens) if (a.email === email.toLowerCase()) accessTokens.delete(t);
  }

  const err = (status: number, code: string, message: string): FakeResponse => ({
    status,
    json: graphError(code, message),
  });

  function create(u: MUser, raw: Buffer, folder: GraphMessage['folder'], ndr = false): GraphMessage {
    const own = headerOf(raw, 'Message-ID');
    const refs = `${headerOf(raw, 'In-Reply-To') ?? ''} ${headerOf(raw, 'References') ?? ''}`;
    const parent = u.messages.find((m) => refs.includes(m.internetMessageId));
    const m: GraphMessage = {
      id: `AAMk${randomId(12)}`,
      internetMessageId:
        folder === 'inbox' || (keepsMessageId && own)
          ? (own ?? '')
          : `<${randomId(10)}@FAKE01.prod.outlook.com>`,
      conversationId: parent?.conversationId ?? `AAQk${randomId(10)}`,
      subject: headerOf(raw, 'Subject') ?? '',
      raw,
      folder,
      extended: {},
      receivedDateTime: new Date().toISOString(),
      seq: ++seq,
      visibleAt: 0,
      ndr,
    };
    u.messages.push(m);
    return m;
  }

  const view = (m: GraphMessage) => ({
    '@odata.type': '#microsoft.graph.message',
    id: m.id,
    internetMessageId: m.internetMessageId,
    conversationId: m.conversationId,
    subject: m.subject,
    isDraft: m.folder === 'drafts',
    receivedDateTime: m.receivedDateTime,
    ...(m.ndr ? { messageClass: 'REPORT.IPM.Note.NDR' } : {}),
  });

  function delta(req: FakeRequest, u: MUser): FakeResponse {
    const token = req.query.get('$deltatoken') ?? req.query.get('$skiptoken');
    let after = 0;
    let from = 0;
    if (token) {
      const [gen, a, f] = token.split('.').map(Number);
      if (gen !== u.deltaGeneration) {
        return err(410, 'SyncStateNotFound', 'The sync state generation is not found. Restart the sync.');
      }
      after = a;
      from = f;
    } else {
      const filter = RECEIVED_FILTER.exec(req.query.get('$filter') ?? '');
      from = filter ? Date.parse(filter[1]) : 0;
    }
    const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(String(req.headers.prefer ?? ''))?.[1] ?? 10);
    const all = u.messages.filter(
      (m) => m.folder === 'inbox' && m.seq > after && Date.parse(m.receivedDateTime) >= from,
    );
    const page = all.slice(0, pageSize);
    const last = page.at(-1)?.seq ?? Math.max(after, seq);
    const next = `${u.deltaGeneration}.${last}.${from}`;
    const link = `${server.url}/v1.0/me/mailFolders/inbox/messages/delta?`;
    return {
      status: 200,
      json: {
        value: page.map(view),
        ...(all.length > page.length
          ? { '@odata.nextLink': `${link}$skiptoken=${next}` }
          : { '@odata.deltaLink': `${link}$deltatoken=${next}` }),
      },
    };
  }

  async function graph(req: FakeRequest, rest: string): Promise<FakeResponse> {
    if (!req.user) {
      return err(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    }
    const u = user(req.user);
    if (req.method === 'GET' && rest === 'me') {
      return {
        status: 200,
        json: { id: u.id, mail: u.email, userPrincipalName: u.email, displayName: u.email.split('@')[0] },
      };
    }
    if (req.method === 'POST' && rest === 'me/messages') {
      if (!String(req.headers['content-type'] ?? '').startsWith('text/plain')) {
        return err(400, 'RequestBodyRead', 'This fake only creates drafts from MIME (text/plain, base64)');
      }
      const raw = Buffer.from(req.body.toString('utf8'), 'base64');
      if (!headerOf(raw, 'To')) return err(400, 'ErrorMimeContentInvalid', 'The MIME content is invalid.');
      const m = create(u, raw, 'drafts');
      return { status: 201, json: view(m) };
    }
    const one = /^me\/messages\/([^/]+)(\/send|\/\$value)?$/.exec(rest);
    if (one) {
      const m = u.messages.find((x) => x.id === one[1]);
      if (!m) return err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      if (req.method === 'DELETE' && !one[2]) {
        u.messages.splice(u.messages.indexOf(m), 1);
        return { status: 204 };
      }
      if (req.method === 'PATCH' && !one[2]) {
        const body = jsonBody<{ singleValueExtendedProperties?: { id: string; value: string }[] }>(req);
        for (const p of body.singleValueExtendedProperties ?? []) m.extended[p.id.toLowerCase()] = p.value;
        return { status: 200, json: view(m) };
      }
      if (req.method === 'POST' && one[2] === '/send') {
        if (m.folder !== 'drafts') return err(400, 'ErrorInvalidOperation', 'Only drafts can be sent.');
        const to = headerOf(m.raw, 'To') ?? '';
        if (!/@[\w.-]+\.\w+/.test(to)) {
          return err(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
        }
        m.folder = 'sentitems';
        m.visibleAt = Date.now() + sentLag;
        return { status: 202 }; // no body and no content type, as Graph answers
      }
      if (req.method === 'GET' && one[2] === '/$value') {
        return { status: 200, headers: { 'content-type': 'text/plain' }, text: m.raw.toString('utf8') };
      }
    }
    if (req.method === 'GET' && /^me\/mailFolders\/sentitems\/messages$/i.test(rest)) {
      const filter = req.query.get('$filter') ?? '';
      let found = u.messages.filter((m) => m.folder === 'sentitems' && m.visibleAt <= Date.now());
      const ext = EXT_FILTER.exec(filter);
      const imid = IMID_FILTER.exec(filter);
      if (ext) found = found.filter((m) => m.extended[ext[1].toLowerCase()] === ext[2]);
      else if (imid) found = found.filter((m) => m.internetMessageId === imid[1]);
      const top = Number(req.query.get('$top') ?? 10);
      return { status: 200, json: { value: found.slice(0, top).map(view) } };
    }
    if (req.method === 'GET' && /^me\/mailFolders\/inbox\/messages\/delta$/i.test(rest)) return delta(req, u);
    return err(404, 'ResourceNotFound', `fake Graph has no ${req.method} ${rest}`);
  }

  function authorizePage(req: FakeRequest): FakeResponse {
    const q = req.query;
    if (q.get('client_id') !== clientId) {
      return {
        status: 400,
        text: 'AADSTS700016: Application with identifier was not found in the directory.',
      };
    }
    const hidden: Record<string, string> = {};
    for (const k of ['client_id', 'redirect_uri', 'scope', 'state']) hidden[k] = q.get(k) ?? '';
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      text: consentPage(
        'Sign in to your Microsoft account (fake)',
        '/common/oauth2/v2.0/authorize/approve',
        hidden,
        [...users.keys()],
      ),
    };
  }

  function approve(req: FakeRequest): FakeResponse {
    const f = form(req);
    const redirect = new URL(f.get('redirect_uri') ?? '');
    redirect.searchParams.set('state', f.get('state') ?? '');
    if (f.get('decision') !== 'allow') {
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set(
        'error_description',
        'AADSTS65004: User declined to consent to access the app.',
      );
    } else {
      const code = `M.C5_${randomId(12)}`;
      codes.set(code, {
        email: f.get('login') ?? '',
        redirectUri: f.get('redirect_uri') ?? '',
        scope: f.get('scope') ?? '',
      });
      redirect.searchParams.set('code', code);
    }
    return { status: 302, headers: { location: redirect.toString() } };
  }

  function token(req: FakeRequest): FakeResponse {
    const f = form(req);
    if (f.get('client_id') !== clientId || f.get('client_secret') !== clientSecret) {
      return {
        status: 401,
        json: {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
          error_codes: [7000215],
        },
      };
    }
    const invalid = (d: string): FakeResponse => ({
      status: 400,
      json: { error: 'invalid_grant', error_description: d, error_codes: [70000] },
    });
    let email: string | undefined;
    let scope = 'Mail.Send Mail.ReadWrite User.Read offline_access';
    if (f.get('grant_type') === 'authorization_code') {
      const c = codes.get(f.get('code') ?? '');
      codes.delete(f.get('code') ?? '');
      if (!c || c.redirectUri !== f.get('redirect_uri'))
        return invalid('AADSTS70000: The provided authorization code is invalid.');
      email = c.email;
      scope = c.scope || scope;
    } else if (f.get('grant_type') === 'refresh_token') {
      const used = f.get('refresh_token') ?? '';
      email = refreshTokens.get(used);
      if (!email) return invalid('AADSTS70000: The provided grant has expired due to it being revoked.');
      refreshTokens.delete(used); // strict rotation
    } else {
      return { status: 400, json: { error: 'unsupported_grant_type' } };
    }
    const { access, refresh } = issue(email);
    return {
      status: 200,
      json: {
        token_type: 'Bearer',
        scope,
        expires_in: 3600,
        ext_expires_in: 3600,
        access_token: access,
        refresh_token: refresh,
      },
    };
  }

  const server = await new FakeHttpServer(
    async (req) => {
      if (req.method === 'GET' && req.path === '/_fake/mailboxes') {
        const json = [...users.values()].map((u) => ({
          email: u.email,
          messages: u.messages.map((m) => ({
            id: m.id,
            folder: m.folder,
            internetMessageId: m.internetMessageId,
            to: headerOf(m.raw, 'To'),
            subject: m.subject,
          })),
        }));
        return { status: 200, json };
      }
      if (req.method === 'GET' && req.path === '/common/oauth2/v2.0/authorize') return authorizePage(req);
      if (req.method === 'POST' && req.path === '/common/oauth2/v2.0/authorize/approve') return approve(req);
      if (req.method === 'POST' && req.path === '/common/oauth2/v2.0/token') return token(req);
      const api = /^\/v1\.0\/(.+)$/.exec(req.path);
      if (api) return graph(req, api[1]);
      return { status: 404, text: 'not found' };
    },
    (req) => {
      if (req.path.endsWith('/token')) {
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
    authorizeUrl: `${server.url}/common/oauth2/v2.0/authorize`,
    tokenUrl: `${server.url}/common/oauth2/v2.0/token`,
    graphUrl: `${server.url}/v1.0`,
    requests: server.requests,
    addUser(email) {
      users.set(email.toLowerCase(), {
        email: email.toLowerCase(),
        id: randomId(16),
        messages: [],
        deltaGeneration: 1,
      });
    },
    issueRefreshToken: (email) => issue(user(email).email).refresh,
    inject: (f) => server.inject(f),
    clearFaults: () => server.clearFaults(),
    expireAccessTokens,
    revoke(email) {
      for (const [t, e] of refreshTokens) if (e === email.toLowerCase()) refreshTokens.delete(t);
      expireAccessTokens(email);
    },
    setKeepsMessageId(keep) {
      keepsMessageId = keep;
    },
    setSentItemsLag(ms) {
      sentLag = ms;
    },
    flushSentItems() {
      for (const u of users.values())
        for (const m of u.messages) m.visibleAt = Math.min(m.visibleAt, Date.now());
    },
    deliver: (email, raw, o = {}) => create(user(email), Buffer.from(raw), 'inbox', o.ndr ?? false),
    expireDelta(email) {
      user(email).deltaGeneration++;
    },
    mailbox(email) {
      const u = user(email);
      return {
        messages: u.messages,
        sent: () => u.messages.filter((m) => m.folder === 'sentitems'),
        drafts: () => u.messages.filter((m) => m.folder === 'drafts'),
      };
    },
    tokenGrants: (grant) =>
      server.requests.filter((r) => r.path.endsWith('/token') && form(r).get('grant_type') === grant),
    maxConcurrent: (email) => server.maxConcurrent(email.toLowerCase()),
    close: () => server.close(),
  };
}
