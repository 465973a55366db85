/** A small typed HTTP client for tests and scripts, over global fetch. */
export interface ApiRequestOptions {
  /** Session token, sent as `Authorization: Bearer …`. */
  token?: string;
  /** Support API key, sent as `X-Api-Key`. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Per-request timeout; defaults to 15 s so a hung service fails the test instead of jest's timeout. */
  timeoutMs?: number;
}

export interface ApiResponse<T = any> {
  status: number;
  /** Parsed JSON when the response is JSON, otherwise the text (empty string for no body). */
  body: T;
  headers: Headers;
}

export interface ApiClient {
  readonly baseUrl: string;
  request<T = any>(method: string, path: string, body?: unknown, options?: ApiRequestOptions): Promise<ApiResponse<T>>;
  get<T = any>(path: string, options?: ApiRequestOptions): Promise<ApiResponse<T>>;
  delete<T = any>(path: string, options?: ApiRequestOptions): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, options?: ApiRequestOptions): Promise<ApiResponse<T>>;
  put<T = any>(path: string, body?: unknown, options?: ApiRequestOptions): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, body?: unknown, options?: ApiRequestOptions): Promise<ApiResponse<T>>;
}

export function api(baseUrl: string): ApiClient {
  const root = baseUrl.replace(/\/+$/, '');
  const request = async <T>(method: string, path: string, body?: unknown, options: ApiRequestOptions = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    let payload: string | undefined;
    if (body !== undefined) {
      // A string body is sent as is, so tests can send malformed JSON on purpose.
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${root}${path.startsWith('/') ? path : `/${path}`}`, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (text && (response.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };
  return {
    baseUrl: root,
    request,
    get: (path, options) => request('GET', path, undefined, options),
    delete: (path, options) => request('DELETE', path, undefined, options),
    post: (path, body, options) => request('POST', path, body, options),
    put: (path, body, options) => request('PUT', path, body, options),
    patch: (path, body, options) => request('PATCH', path, body, options),
  };
}

/** Thrown by helpers when the API answers something other than what they need. */
export class UnexpectedResponseError extends Error {
  constructor(
    readonly what: string,
    readonly response: ApiResponse,
  ) {
    super(`${what}: HTTP ${response.status} ${typeof response.body === 'string' ? response.body : JSON.stringify(response.body)}`);
    this.name = 'UnexpectedResponseError';
  }
}
