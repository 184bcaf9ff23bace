import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { retryAfterMs } from '@fieldhand/sync';
import { ServiceTitanRequestError, ServiceTitanRetryableError, type ProblemDetails } from './errors.js';
import { sleep, type RequestBudget } from './request-budget.js';
import type { TokenCache } from './token-cache.js';

export type ServiceTitanTenant = { tenantId: string; clientId: string; clientSecret: string; appKey: string };

export type ExportPage<T = Record<string, unknown>> = { hasMore: boolean; continueFrom: string; data: T[] };

export type RetryPolicy = {
  /** Tries per call, including the first, before the error goes to the caller (the job retries later). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

export type ServiceTitanClientOptions = {
  /** Our tenant the client acts for: its tokens are its own. */
  owner?: string;
  authUrl: string;
  apiUrl: string;
  tokens: TokenCache;
  budget?: RequestBudget;
  http?: AxiosInstance;
  retry?: Partial<RetryPolicy>;
  /** ServiceTitan's own server timeout is 100 s; we give up a little later. */
  timeoutMs?: number;
};

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** One keep-alive HTTP client per process: TLS handshakes per request would dominate a sync. */
export function createHttp(timeoutMs = 110_000): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    maxContentLength: 512 * 1024 * 1024,
  });
}

/** Calls ServiceTitan API v2 for one tenant's credentials, with auth, budget and retries. */
export class ServiceTitanClient {
  private readonly http: AxiosInstance;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly tenant: ServiceTitanTenant,
    private readonly options: ServiceTitanClientOptions,
  ) {
    this.http = options.http ?? createHttp(options.timeoutMs);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** One page of an export feed; `from` is the stored continueFrom (absent for the beginning). */
  async export<T = Record<string, unknown>>(module: string, resource: string, from: string | null, signal?: AbortSignal): Promise<ExportPage<T>> {
    const query: Record<string, string> = { includeRecentChanges: 'false' };
    if (from) query.from = from;
    const body = await this.get(`${module}/v2/tenant/${this.tenant.tenantId}/export/${resource}`, query, signal);
    if (!isExportPage(body)) throw new ServiceTitanRetryableError(`export ${resource} answered a body without hasMore/continueFrom/data`, 200);
    return body as ExportPage<T>;
  }

  /** GET a path under the API base; the parsed JSON body is returned. */
  async get(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      try {
        return await this.attempt('GET', path, query, signal);
      } catch (err) {
        if (!(err instanceof ServiceTitanRetryableError) || signal?.aborted) throw err;
        lastError = err;
        if (attempt === this.retry.attempts) break;
        await sleep(err.retryAfterMs ?? this.backoff(attempt), signal);
      }
    }
    throw lastError;
  }

  /**
   * Confirms an appointment (jpm `PUT …/appointments/{id}/confirmation`). One attempt: the
   * caller's write ledger and job retries decide whether to try again. ServiceTitan answers
   * 409 when the appointment is already confirmed, which for us is the same outcome.
   */
  async confirmAppointment(appointmentId: number, signal?: AbortSignal): Promise<'confirmed' | 'already-confirmed'> {
    const path = `jpm/v2/tenant/${this.tenant.tenantId}/appointments/${appointmentId}/confirmation`;
    try {
      await this.attempt('PUT', path, {}, signal);
      return 'confirmed';
    } catch (err) {
      if (err instanceof ServiceTitanRequestError && err.status === 409) return 'already-confirmed';
      throw err;
    }
  }

  private async attempt(method: 'GET' | 'PUT', path: string, query: Record<string, string>, signal: AbortSignal | undefined, retriedAuth = false): Promise<unknown> {
    const { authUrl, apiUrl, tokens, budget } = this.options;
    const accessToken = await tokens.get(authUrl, this.tenant, this.options.owner);
    await budget?.take(`${this.tenant.clientId}:${this.tenant.tenantId}`, signal);
    const url = `${apiUrl.replace(/\/$/, '')}/${path}`;
    let response: AxiosResponse<string>;
    try {
      response = await this.http.request<string>({
        method,
        url,
        params: query,
        headers: { Authorization: `Bearer ${accessToken}`, 'ST-App-Key': this.tenant.appKey, Accept: 'application/json' },
        // Parse ourselves: a truncated body must become a retryable error, not a crash.
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      // Timeouts, resets, refused connections: the request may never have arrived.
      throw new ServiceTitanRetryableError(`${method} ${path} failed: ${(err as Error).message}`, undefined);
    }
    const { status } = response;
    if (status === 401) {
      // Tokens can die before their advertised lifetime: get a fresh one at once, and if
      // that is refused too, leave it to the backoff (bad credentials end in the dead-letter queue).
      tokens.invalidate(authUrl, this.tenant, accessToken, this.options.owner);
      if (!retriedAuth) return this.attempt(method, path, query, signal, true);
      throw new ServiceTitanRetryableError(`${method} ${path} answered 401 with a fresh token: ${response.data.slice(0, 300)}`, status);
    }
    if (status === 429 || status >= 500 || status === 408) {
      throw new ServiceTitanRetryableError(`${method} ${path} answered ${status}`, status, retryAfterMs(response.headers['retry-after']));
    }
    if (status >= 400) throw new ServiceTitanRequestError(status, method, path, parseProblem(response.data));
    // Writes answer 200 with an empty body.
    if (method !== 'GET' && response.data.trim() === '') return undefined;
    try {
      return JSON.parse(response.data);
    } catch {
      throw new ServiceTitanRetryableError(`${method} ${path} answered a malformed or truncated body (${response.data.length} bytes)`, status);
    }
  }

  /** Exponential backoff with full jitter, so a burst of failures does not retry in lockstep. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

function isExportPage(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const page = body as Record<string, unknown>;
  return typeof page.hasMore === 'boolean' && typeof page.continueFrom === 'string' && Array.isArray(page.data);
}

function parseProblem(text: string): ProblemDetails | string {
  try {
    return JSON.parse(text) as ProblemDetails;
  } catch {
    return text.slice(0, 2_000);
  }
}
