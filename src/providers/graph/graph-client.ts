import {
  Client,
  GraphClientError,
  GraphError,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';
import { networkKind, retryAfterMs, type HttpFailure } from '../http/http-failure.js';

/** The access token of one request, handed to the auth middleware through per-request options. */
export class MailboxToken implements MiddlewareOptions {
  constructor(readonly accessToken: string) {}
}

/** Lookups may be retried by the client for a short Retry-After; anything that writes never is. */
const MAX_CLIENT_RETRY_WAIT_MS = 2000;

/**
 * Sets `Authorization: Bearer …` from the request's MailboxToken (the library's own auth handler
 * only does that for https URLs), and turns a failed fetch into a GraphClientError that keeps the
 * original error, which the client would otherwise reduce to its name.
 */
class MailboxAuthMiddleware implements Middleware {
  private next?: Middleware;

  async execute(context: Context): Promise<void> {
    const token = context.middlewareControl?.getMiddlewareOptions(MailboxToken) as MailboxToken | undefined;
    if (!token) throw new GraphClientError('No mailbox token for a Graph request');
    const options = (context.options ??= {});
    const headers = new Headers(options.headers);
    headers.set('Authorization', `Bearer ${token.accessToken}`);
    options.headers = Object.fromEntries(headers.entries());
    try {
      await this.next!.execute(context);
    } catch (e) {
      if (e instanceof GraphClientError) throw e;
      const wrapped = new GraphClientError((e as Error).message);
      wrapped.customError = e;
      throw wrapped;
    }
  }

  setNext(next: Middleware) {
    this.next = next;
  }
}

/**
 * The Graph client with our own middleware chain: auth header → RetryHandler that retries only
 * GETs whose Retry-After is short (never a POST or PATCH: a repeated send could duplicate a
 * message) → HTTPMessageHandler (Node's fetch).
 */
export function createGraphClient(graphUrl: string): Client {
  const url = new URL(graphUrl);
  const parts = url.pathname.split('/').filter(Boolean);
  const version = parts.pop() ?? 'v1.0';
  url.pathname = `/${parts.join('/')}${parts.length ? '/' : ''}`;
  const shouldRetry = (
    _delay: number,
    _attempt: number,
    request: RequestInfo,
    options: RequestInit | undefined,
    response: Response,
  ) => {
    const method = (options?.method ?? (typeof request === 'string' ? 'GET' : request.method)).toUpperCase();
    const wait = retryAfterMs(response.headers.get('retry-after'), new Date());
    return method === 'GET' && wait !== undefined && wait <= MAX_CLIENT_RETRY_WAIT_MS;
  };
  const auth = new MailboxAuthMiddleware();
  const retry = new RetryHandler(new RetryHandlerOptions(1, 2, shouldRetry));
  auth.setNext(retry);
  retry.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ baseUrl: url.toString(), defaultVersion: version, middleware: auth });
}

/** What the Graph client threw, as a HttpFailure. */
export function graphFailure(error: unknown, deadline: AbortSignal, caller?: AbortSignal): HttpFailure {
  if (error instanceof GraphClientError) {
    return {
      reasons: [],
      message: error.message,
      network: networkKind(error.customError ?? error, deadline, caller),
    };
  }
  if (error instanceof GraphError && error.statusCode > 0) {
    return {
      status: error.statusCode,
      reasons: error.code ? [error.code] : [],
      message: error.message,
      retryAfter: error.headers?.get('retry-after') ?? null,
    };
  }
  return {
    reasons: [],
    message: (error as Error)?.message ?? String(error),
    network: networkKind(error, deadline, caller),
  };
}
