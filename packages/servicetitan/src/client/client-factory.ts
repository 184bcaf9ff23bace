import type { Cluster, Redis } from 'ioredis';
import { findTenant, type Database } from '@fieldhand/db';
import { ServiceTitanNotConfiguredError } from './errors.js';
import { RequestBudget } from './request-budget.js';
import { createHttp, ServiceTitanClient, type RetryPolicy } from './servicetitan-client.js';
import { TokenCache } from './token-cache.js';

export type ClientFactoryOptions = {
  db: Database;
  authUrl: string;
  apiUrl: string;
  /** Holds the shared request budget. */
  redis: Redis | Cluster;
  keyPrefix: string;
  requestsPerSecond: number;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
};

export type ClientFactory = (tenantId: string) => Promise<ServiceTitanClient>;

/**
 * One process-wide HTTP agent, token cache and budget; a client per call reads the
 * tenant's current credentials, so a credential change applies to the next job.
 */
export function createClientFactory(options: ClientFactoryOptions): ClientFactory {
  const http = createHttp(options.timeoutMs);
  const tokens = new TokenCache(http);
  const budget = new RequestBudget(options.redis, { requestsPerSecond: options.requestsPerSecond, keyPrefix: options.keyPrefix });
  return async (tenantId) => {
    const tenant = await findTenant(options.db, tenantId);
    if (!tenant?.servicetitan) throw new ServiceTitanNotConfiguredError(tenantId);
    return new ServiceTitanClient(tenant.servicetitan, {
      owner: tenantId,
      authUrl: options.authUrl,
      apiUrl: options.apiUrl,
      tokens,
      budget,
      http,
      ...(options.retry ? { retry: options.retry } : {}),
    });
  };
}
