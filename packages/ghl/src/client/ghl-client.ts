import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { retryAfterMs } from '@fieldhand/sync';
import { GhlAuthError, GhlRequestError, GhlRetryableError, type GhlErrorBody } from './errors.js';
import type { GhlRequestBudget } from './request-budget.js';

export const GHL_API_VERSION = '2021-07-28';

export type GhlLocation = { locationId: string; token: string };

export type GhlRetryPolicy = {
  /** Tries of a read, including the first, before the error goes to the caller (its job retries later). */
  attempts: number;
  /** Tries with a token GHL refused before the location counts as failing. */
  authAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

export type GhlClientOptions = {
  apiUrl: string;
  budget?: GhlRequestBudget;
  http?: AxiosInstance;
  retry?: Partial<GhlRetryPolicy>;
};

const DEFAULT_RETRY: GhlRetryPolicy = { attempts: 5, authAttempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/** One keep-alive HTTP client per process. */
export function createGhlHttp(timeoutMs = 30_000): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 32 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 32 }),
  });
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type RequestSpec = { method: Method; path: string; query?: Record<string, string | number | undefined>; body?: unknown };

export type ContactSearch = {
  pageLimit: number;
  searchAfter?: [number, string] | undefined;
  sort?: Array<{ field: string; direction: 'asc' | 'desc' }>;
  filters?: Array<Record<string, unknown>>;
};
export type GhlContactRecord = Record<string, unknown> & { id: string; searchAfter?: [number, string] };
export type OpportunitySearch = { limit: number; startAfter?: string | undefined; startAfterId?: string | undefined; pipelineId?: string; status?: string; contactId?: string };
export type GhlOpportunityRecord = Record<string, unknown> & { id: string };
export type GhlNote = { id: string; body?: string; contactId?: string; userId?: string; dateAdded?: string };
export type GhlTask = { id: string; title?: string; body?: string; assignedTo?: string; dueDate?: string; completed?: boolean; contactId?: string };

/**
 * Calls GHL API v2 for one location: its bearer token, the Version header, the shared
 * budget. Reads (GET, search) are retried here on 429, 5xx and timeouts; writes are tried
 * once, because GHL has no idempotency key and a write that timed out may have been made:
 * the caller's ledger decides what a retry must look for first.
 */
export class GhlClient {
  private readonly http: AxiosInstance;
  private readonly retry: GhlRetryPolicy;

  constructor(
    readonly location: GhlLocation,
    private readonly options: GhlClientOptions,
  ) {
    this.http = options.http ?? createGhlHttp();
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  searchContacts(search: ContactSearch, signal?: AbortSignal): Promise<{ contacts: GhlContactRecord[]; total: number }> {
    return this.read({ method: 'POST', path: 'contacts/search', body: { locationId: this.location.locationId, ...search } }, signal) as Promise<{ contacts: GhlContactRecord[]; total: number }>;
  }

  async getContact(contactId: string, signal?: AbortSignal): Promise<GhlContactRecord> {
    return ((await this.read({ method: 'GET', path: `contacts/${encodeURIComponent(contactId)}` }, signal)) as { contact: GhlContactRecord }).contact;
  }

  searchOpportunities(search: OpportunitySearch, signal?: AbortSignal): Promise<{ opportunities: GhlOpportunityRecord[]; meta?: Record<string, unknown> }> {
    const query = { location_id: this.location.locationId, limit: search.limit, startAfter: search.startAfter, startAfterId: search.startAfterId, pipeline_id: search.pipelineId, status: search.status, contact_id: search.contactId };
    return this.read({ method: 'GET', path: 'opportunities/search', query }, signal) as Promise<{ opportunities: GhlOpportunityRecord[]; meta?: Record<string, unknown> }>;
  }

  async pipelines(signal?: AbortSignal): Promise<Array<Record<string, unknown> & { id: string }>> {
    return ((await this.read({ method: 'GET', path: 'opportunities/pipelines', query: { locationId: this.location.locationId } }, signal)) as { pipelines: Array<Record<string, unknown> & { id: string }> }).pipelines;
  }

  /** `POST /contacts/upsert`. Never send `tags` here unless replacing all of them is meant. */
  upsertContact(contact: Record<string, unknown>, signal?: AbortSignal): Promise<{ new: boolean; contact: GhlContactRecord }> {
    return this.write({ method: 'POST', path: 'contacts/upsert', body: { ...contact, locationId: this.location.locationId } }, signal) as Promise<{ new: boolean; contact: GhlContactRecord }>;
  }

  async updateContact(contactId: string, patch: Record<string, unknown>, signal?: AbortSignal): Promise<GhlContactRecord> {
    return ((await this.write({ method: 'PUT', path: `contacts/${encodeURIComponent(contactId)}`, body: patch }, signal)) as { contact: GhlContactRecord }).contact;
  }

  async createOpportunity(opportunity: Record<string, unknown>, signal?: AbortSignal): Promise<GhlOpportunityRecord> {
    return ((await this.write({ method: 'POST', path: 'opportunities/', body: { ...opportunity, locationId: this.location.locationId } }, signal)) as { opportunity: GhlOpportunityRecord }).opportunity;
  }

  async updateOpportunity(opportunityId: string, patch: Record<string, unknown>, signal?: AbortSignal): Promise<GhlOpportunityRecord> {
    return ((await this.write({ method: 'PUT', path: `opportunities/${encodeURIComponent(opportunityId)}`, body: patch }, signal)) as { opportunity: GhlOpportunityRecord }).opportunity;
  }

  async updateOpportunityStatus(opportunityId: string, status: 'open' | 'won' | 'lost' | 'abandoned', signal?: AbortSignal): Promise<void> {
    await this.write({ method: 'PUT', path: `opportunities/${encodeURIComponent(opportunityId)}/status`, body: { status } }, signal);
  }

  async contactNotes(contactId: string, signal?: AbortSignal): Promise<GhlNote[]> {
    return ((await this.read({ method: 'GET', path: `contacts/${encodeURIComponent(contactId)}/notes` }, signal)) as { notes: GhlNote[] }).notes;
  }

  /** `POST /contacts/{id}/notes`: no idempotency key, so a caller that may repeat it looks in contactNotes first. */
  async createNote(contactId: string, note: { body: string; userId?: string; title?: string }, signal?: AbortSignal): Promise<GhlNote> {
    return ((await this.write({ method: 'POST', path: `contacts/${encodeURIComponent(contactId)}/notes`, body: note }, signal)) as { note: GhlNote }).note;
  }

  async contactTasks(contactId: string, signal?: AbortSignal): Promise<GhlTask[]> {
    return ((await this.read({ method: 'GET', path: `contacts/${encodeURIComponent(contactId)}/tasks` }, signal)) as { tasks: GhlTask[] }).tasks;
  }

  /** `POST /contacts/{id}/tasks` (title, dueDate and completed are required). */
  async createTask(contactId: string, task: { title: string; body?: string; dueDate: string; completed: boolean; assignedTo?: string }, signal?: AbortSignal): Promise<GhlTask> {
    return ((await this.write({ method: 'POST', path: `contacts/${encodeURIComponent(contactId)}/tasks`, body: task }, signal)) as { task: GhlTask }).task;
  }

  /** A read: retried on what may pass (429 after its wait, 5xx, timeouts). */
  private async read(spec: RequestSpec, signal?: AbortSignal): Promise<unknown> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      try {
        return await this.send(spec, signal);
      } catch (err) {
        if (!(err instanceof GhlRetryableError) || signal?.aborted) throw err;
        lastError = err;
        if (attempt === this.retry.attempts) break;
        await sleep(err.retryAfterMs ?? this.backoff(attempt), undefined, signal ? { signal } : {});
      }
    }
    throw lastError;
  }

  /** A write: one attempt at GHL (a 429 was refused before it was made, so it waits and tries again). */
  private async write(spec: RequestSpec, signal?: AbortSignal): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(spec, signal);
      } catch (err) {
        const refused = err instanceof GhlRetryableError && err.statusCode === 429;
        if (!refused || attempt >= this.retry.attempts || signal?.aborted) throw err;
        await sleep(err.retryAfterMs ?? this.backoff(attempt), undefined, signal ? { signal } : {});
      }
    }
  }

  /** One request; a 401 is asked again a few times (GHL's tokens blink) before the location counts as failing. */
  private async send(spec: RequestSpec, signal: AbortSignal | undefined): Promise<unknown> {
    for (let authAttempt = 1; ; authAttempt++) {
      const response = await this.attempt(spec, signal);
      if (response.status !== 401) return this.outcome(spec, response);
      if (authAttempt >= this.retry.authAttempts) throw new GhlAuthError(this.location.locationId, parseBody(response.data));
      await sleep(this.backoff(authAttempt), undefined, signal ? { signal } : {});
    }
  }

  private async attempt(spec: RequestSpec, signal: AbortSignal | undefined): Promise<AxiosResponse<string>> {
    const { budget, apiUrl } = this.options;
    await budget?.take(this.location.locationId, signal);
    let response: AxiosResponse<string>;
    try {
      response = await this.http.request<string>({
        method: spec.method,
        url: `${apiUrl.replace(/\/$/, '')}/${spec.path}`,
        params: spec.query ? Object.fromEntries(Object.entries(spec.query).filter(([, v]) => v !== undefined)) : undefined,
        data: spec.body,
        headers: { Authorization: `Bearer ${this.location.token}`, Version: GHL_API_VERSION, Accept: 'application/json' },
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new GhlRetryableError(`GHL ${spec.method} ${spec.path} failed: ${(err as Error).message}`, undefined);
    }
    await budget?.observe(this.location.locationId, response.headers as Record<string, unknown>);
    return response;
  }

  private async outcome(spec: RequestSpec, response: AxiosResponse<string>): Promise<unknown> {
    const { status } = response;
    const where = `GHL ${spec.method} ${spec.path}`;
    if (status === 429) {
      const wait = retryAfterMs(response.headers['retry-after']) ?? (Number(response.headers['x-ratelimit-interval-milliseconds']) || 10_000);
      await this.options.budget?.hold(this.location.locationId, wait);
      throw new GhlRetryableError(`${where} answered 429: ${response.data.slice(0, 200)}`, status, wait);
    }
    if (status >= 500 || status === 408) throw new GhlRetryableError(`${where} answered ${status}: ${response.data.slice(0, 200)}`, status, retryAfterMs(response.headers['retry-after']));
    if (status >= 400) throw new GhlRequestError(status, spec.method, spec.path, parseBody(response.data));
    if (response.data.trim() === '') return undefined;
    try {
      return JSON.parse(response.data);
    } catch {
      throw new GhlRetryableError(`${where} answered a malformed or truncated body (${response.data.length} bytes)`, status);
    }
  }

  /** Exponential backoff with full jitter. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

function parseBody(text: string): GhlErrorBody | string {
  try {
    return JSON.parse(text) as GhlErrorBody;
  } catch {
    return text.slice(0, 2_000);
  }
}
