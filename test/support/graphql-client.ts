import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlError {
  message: string;
  path?: string[];
  extensions?: { code?: string; field?: string; [k: string]: unknown };
}
export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: GqlError[];
}
export interface Caller {
  token?: string;
  org?: string;
}

/** A plain HTTP GraphQL client, as any Apollo client or curl would call the API. */
export class GraphQLClient {
  constructor(
    readonly baseUrl: string,
    readonly caller: Caller = {},
  ) {}

  as(caller: Caller) {
    return new GraphQLClient(this.baseUrl, caller);
  }

  async request<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GqlResult<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.caller.token) headers.authorization = `Bearer ${this.caller.token}`;
    if (this.caller.org) headers['x-organization-id'] = this.caller.org;
    const res = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult<T>;
  }

  /** Like request, but fails the test on any GraphQL error. */
  async ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const r = await this.request<T>(query, variables);
    if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data as T;
  }

  /** The first error of a request that must fail. */
  async error(query: string, variables?: Record<string, unknown>): Promise<GqlError> {
    const r = await this.request(query, variables);
    if (!r.errors?.length) throw new Error(`Expected an error, got ${JSON.stringify(r.data)}`);
    return r.errors[0];
  }

  /** A graphql-ws client over a real WebSocket, authenticated through connectionParams. */
  ws(caller: Caller = this.caller): Client {
    return createClient({
      url: this.baseUrl.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: {
        authorization: caller.token ? `Bearer ${caller.token}` : undefined,
        organizationId: caller.org,
      },
      retryAttempts: 0,
      lazy: true,
    });
  }
}

/** Collects a subscription's events until `until` says stop (or it errors/completes). */
export function subscribe<T = any>(client: Client, query: string, variables?: Record<string, unknown>) {
  const events: T[] = [];
  let error: unknown;
  let waiters: (() => void)[] = [];
  const notify = () => {
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  };
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors?.length) error = v.errors;
        else events.push(v.data as T);
        notify();
      },
      error: (e) => {
        error = e;
        notify();
      },
      complete: notify,
    },
  );
  return {
    events,
    get error() {
      return error;
    },
    /** Resolves when `predicate` holds over the events received, or rejects on error/timeout. */
    waitFor(predicate: (events: T[]) => boolean, timeoutMs = 20000): Promise<T[]> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out; got ${JSON.stringify(events.slice(-3))}`)),
          timeoutMs,
        );
        const check = () => {
          if (error) {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          } else if (predicate(events)) {
            clearTimeout(timer);
            resolve(events);
          } else waiters.push(check);
        };
        check();
      });
    },
    dispose,
  };
}
