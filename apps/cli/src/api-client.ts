/** A thin client for the REST API: one method per call the CLI makes, errors as the API's standard body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly correlationId?: string,
    /** For a 400: the problems the API found (path, message), to show the operator. */
    readonly details?: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type ClientOptions = { baseUrl: string; apiKey: string };

export class ApiClient {
  constructor(private readonly options: ClientOptions) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.options.baseUrl.replace(/\/$/, '')}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.options.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; correlationId?: string; details?: unknown } } | undefined)?.error;
      const details = Array.isArray(error?.details) ? (error.details as Array<{ path: string; message: string }>) : undefined;
      throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? response.statusText, error?.correlationId, details);
    }
    return json as T;
  }

  /** Follows `nextCursor` until the last page. */
  async *paginate<T>(path: string, query: Record<string, string | undefined>): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const params = new URLSearchParams(Object.entries({ ...query, cursor }).filter((e): e is [string, string] => e[1] !== undefined));
      const page = await this.request<{ data: T[]; nextCursor: string | null }>('GET', `${path}?${params}`);
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
}
