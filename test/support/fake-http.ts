import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP core of the Google and Microsoft fakes: a real server on loopback that records every
 * request, tracks concurrent requests per user, and applies injected faults before (or after)
 * the fake's own handler.
 */

export interface FakeRequest {
  method: string;
  /** Path without the query string, e.g. `/gmail/v1/users/me/messages/send`. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The mailbox the request acts for (from its bearer token or form), when known. */
  user?: string;
  at: Date;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

/** A fault applied to the next `times` requests that match. */
export interface Fault {
  method?: string;
  /** Exact path or a pattern over the path. */
  path?: string | RegExp;
  /** Only requests for this mailbox. */
  user?: string;
  /** Only requests this predicate accepts (e.g. every fifth send, or a message's first attempt). */
  when?: (req: FakeRequest) => boolean;
  /** How many matching requests it applies to (default 1; Infinity for all). */
  times?: number;
  /** Wait this long before answering (latency). */
  delayMs?: number;
  /** Answer with this status (and body/headers) instead of handling the request. */
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  /** Handle the request (e.g. store the message), then destroy the connection without answering. */
  lose?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FakeHttpServer {
  readonly requests: FakeRequest[] = [];
  private readonly faults: (Fault & { left: number })[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private server?: http.Server;
  url = '';

  constructor(
    private readonly handle: (req: FakeRequest) => Promise<FakeResponse>,
    private readonly identify: (req: FakeRequest) => string | undefined,
  ) {}

  /** Listens on loopback; port 0 (tests) picks a free one. */
  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  inject(fault: Fault) {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults() {
    this.faults.length = 0;
  }

  /** The most requests of one mailbox that were in flight at the same time. */
  maxConcurrent(user: string) {
    return this.peak.get(user) ?? 0;
  }

  /** Recorded requests, optionally only those whose `METHOD path` matches. */
  find(method: string, path: string | RegExp) {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  reset() {
    this.requests.length = 0;
    this.clearFaults();
    this.peak.clear();
  }

  close() {
    return new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private takeFault(req: FakeRequest) {
    const i = this.faults.findIndex(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method === req.method) &&
        (!f.user || f.user === req.user) &&
        (!f.path || (typeof f.path === 'string' ? f.path === req.path : f.path.test(req.path))) &&
        (!f.when || f.when(req)),
    );
    if (i < 0) return undefined;
    const fault = this.faults[i];
    if (--fault.left <= 0) this.faults.splice(i, 1);
    return fault;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
      at: new Date(),
    };
    request.user = this.identify(request);
    this.requests.push(request);
    const who = request.user ?? '-';
    const now = (this.inFlight.get(who) ?? 0) + 1;
    this.inFlight.set(who, now);
    this.peak.set(who, Math.max(now, this.peak.get(who) ?? 0));
    try {
      const fault = this.takeFault(request);
      if (fault?.delayMs) await sleep(fault.delayMs);
      let answer: FakeResponse;
      if (fault?.status) {
        answer = { status: fault.status, headers: fault.headers, json: fault.json };
      } else {
        try {
          answer = await this.handle(request);
        } catch (e) {
          answer = { status: 500, json: { error: { code: 500, message: String(e) } } };
        }
      }
      if (fault?.lose) {
        req.socket.destroy();
        return;
      }
      const headers = { ...answer.headers };
      let body: string | undefined;
      if (answer.json !== undefined) {
        headers['content-type'] ??= 'application/json; charset=utf-8';
        body = JSON.stringify(answer.json);
      } else if (answer.text !== undefined) {
        body = answer.text;
      }
      res.writeHead(answer.status, headers);
      res.end(body);
    } finally {
      this.inFlight.set(who, (this.inFlight.get(who) ?? 1) - 1);
    }
  }
}

export const form = (req: FakeRequest) => new URLSearchParams(req.body.toString('utf8'));
export const jsonBody = <T = Record<string, unknown>>(req: FakeRequest): T =>
  JSON.parse(req.body.toString('utf8') || '{}') as T;
export const bearer = (req: FakeRequest) =>
  /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The consent page both fakes show: pick an account, allow or deny. */
export function consentPage(
  title: string,
  action: string,
  hidden: Record<string, string>,
  accounts: string[],
) {
  const inputs = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const options = accounts.map((a) => `<option value="${escapeHtml(a)}">${escapeHtml(a)}</option>`).join('');
  return `<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body>
<h1>${escapeHtml(title)}</h1><p>campaign-engine wants to send and read mail as you.</p>
<form method="post" action="${escapeHtml(action)}">
${inputs}
<label>Account <select name="login">${options}</select></label>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form></body></html>`;
}

/** Header value of a raw RFC 5322 message (first occurrence, unfolded). */
export function headerOf(raw: Buffer | string, name: string): string | undefined {
  const text = raw.toString();
  const head = text.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m?.[1].trim();
}

export const randomId = (bytes = 8) =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');
