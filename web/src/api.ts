// The app's one way to talk to the Aftercare server: JSON requests to the
// same origin (the browser sends the HttpOnly session cookie), GraphQL over
// POST /query, and GraphQL subscriptions over one shared WebSocket.
import { createClient, type Client } from 'graphql-ws';

/**
 * ApiError is a failed request: the code (EUNAUTHORIZED, ERATELIMIT,
 * EINVALID, …) and message of the server's first error, or EINTERNAL for a
 * failure with no such error, such as a lost connection.
 */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

interface ServerError {
  message?: string;
  extensions?: { code?: string };
}

interface Envelope<T> {
  data?: T;
  errors?: ServerError[];
}

function errorFrom(body: Envelope<unknown> | undefined, status: number, fallback: string): ApiError {
  const first = body?.errors?.[0];
  return new ApiError(first?.extensions?.code ?? 'EINTERNAL', first?.message ?? fallback, status);
}

/**
 * requestJSON sends a request to the server and returns its JSON body, or
 * throws an ApiError when the answer is not a 2xx or carries `errors`.
 */
export async function requestJSON<T>(path: string, method: 'GET' | 'POST', body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiError('EINTERNAL', err instanceof Error ? err.message : String(err));
  }
  let parsed: (T & Envelope<unknown>) | undefined;
  if (response.status !== 204) {
    parsed = (await response.json().catch(() => undefined)) as (T & Envelope<unknown>) | undefined;
  }
  if (!response.ok || (parsed?.errors?.length ?? 0) > 0) {
    throw errorFrom(parsed, response.status, `${response.status} ${response.statusText}`.trim());
  }
  return parsed as T;
}

/** gql runs a query or mutation against /query and returns its data. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = await requestJSON<Envelope<T>>('/query', 'POST', { query, variables });
  if (body.data === undefined) {
    throw new ApiError('EINTERNAL', 'The server answered without data.');
  }
  return body.data;
}

/** queryWebSocketURL is the same-origin WebSocket address of /query. */
export function queryWebSocketURL(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/query`;
}

let wsClient: Client | undefined;

/** webSocketClient is the one graphql-ws client that every subscription shares. */
export function webSocketClient(): Client {
  wsClient ??= createClient({ url: queryWebSocketURL(), lazy: true });
  return wsClient;
}

/**
 * subscribe starts a GraphQL subscription, calls onData with each result's
 * data and onError (if given) when it fails, and returns a function that ends it.
 */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  onError?: (err: ApiError) => void,
): () => void {
  return webSocketClient().subscribe<T>(
    { query, variables },
    {
      next(result) {
        const first = result.errors?.[0];
        if (first) {
          const code = first.extensions?.['code'];
          onError?.(new ApiError(typeof code === 'string' ? code : 'EINTERNAL', first.message));
        } else if (result.data != null) {
          onData(result.data);
        }
      },
      error(err) {
        onError?.(new ApiError('EINTERNAL', socketErrorMessage(err)));
      },
      complete() {},
    },
  );
}

function socketErrorMessage(err: unknown): string {
  if (err instanceof CloseEvent) {
    return `The connection closed (${err.code}${err.reason ? `: ${err.reason}` : ''}).`;
  }
  if (Array.isArray(err) && err.length > 0) {
    return String((err[0] as { message?: unknown }).message ?? err[0]);
  }
  return err instanceof Error ? err.message : String(err);
}
