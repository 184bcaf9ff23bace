import type { Cluster, Redis } from 'ioredis';
import { findTenant, type Database } from '@fieldhand/db';
import { GhlNotConfiguredError } from './errors.js';
import { createGhlHttp, GhlClient, type GhlRetryPolicy } from './ghl-client.js';
import { GhlRequestBudget, type GhlLimits } from './request-budget.js';

export type GhlClientFactoryOptions = {
  db: Database;
  apiUrl: string;
  /** Holds the shared per-location budget. */
  redis: Redis | Cluster;
  keyPrefix: string;
  limits?: Partial<GhlLimits>;
  retry?: Partial<GhlRetryPolicy>;
  timeoutMs?: number;
};

export type GhlClientFactory = (tenantId: string) => Promise<GhlClient>;

/**
 * One HTTP agent and budget per process; each call reads the tenant's current location
 * and token, so changed credentials apply to the next job.
 */
export function createGhlClientFactory(options: GhlClientFactoryOptions): GhlClientFactory {
  const http = createGhlHttp(options.timeoutMs);
  const budget = new GhlRequestBudget(options.redis, options.keyPrefix, options.limits);
  return async (tenantId) => {
    const tenant = await findTenant(options.db, tenantId);
    if (!tenant?.ghl) throw new GhlNotConfiguredError(tenantId);
    return new GhlClient({ locationId: tenant.ghl.locationId, token: tenant.ghl.token }, { apiUrl: options.apiUrl, budget, http, ...(options.retry ? { retry: options.retry } : {}) });
  };
}
