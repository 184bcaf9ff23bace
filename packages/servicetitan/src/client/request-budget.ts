import type { Cluster, Redis } from 'ioredis';

// Token bucket kept in Redis so every worker process draws from the same budget.
// Redis's own clock is used, so processes with skewed clocks still agree.
// Returns 0 when a request may go now, else the milliseconds to wait before asking again.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

export type RequestBudgetOptions = {
  /** Sustained requests per second per tenant (ServiceTitan publishes 60). */
  requestsPerSecond: number;
  /** Requests allowed at once after an idle spell; defaults to one second's worth. */
  burst?: number;
  keyPrefix: string;
};

/** A per-tenant request budget shared by every process that talks to ServiceTitan. */
export class RequestBudget {
  private readonly burst: number;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly options: RequestBudgetOptions,
  ) {
    this.burst = options.burst ?? Math.max(1, Math.floor(options.requestsPerSecond));
  }

  /** Resolves when one request for `budgetKey` may be sent. */
  async take(budgetKey: string, signal?: AbortSignal): Promise<void> {
    const key = `${this.options.keyPrefix}:st-budget:${budgetKey}`;
    for (;;) {
      const wait = (await this.redis.eval(TAKE, 1, key, String(this.options.requestsPerSecond), String(this.burst))) as number;
      if (wait <= 0) return;
      await sleep(wait, signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
