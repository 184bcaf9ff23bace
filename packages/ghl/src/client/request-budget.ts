import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';

// GHL allows each location 100 requests per 10 s and 200,000 a day, counted by GHL, for
// every process of ours together. The budget lives in Redis: a sliding log of the last
// interval's requests (so no 10 s window, however it falls, sees more than the limit), a
// daily count, a hold set when GHL says the budget is spent (headers, 429), and the limits
// GHL last announced. Redis's clock decides, so processes with skewed clocks agree.
// Returns 0 when a request may go now, else the milliseconds to wait before asking again.
// (No library does a shared sliding log with a server-announced limit and hold: rate-limiter-
// flexible's Redis limiters are fixed windows or buckets, which let 2× through at a seam.)
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = redis.call('PTTL', KEYS[3])
if hold > 0 then return hold end
local announced = redis.call('HMGET', KEYS[4], 'max', 'interval', 'dailyMax')
local margin = tonumber(ARGV[4])
local max = math.min(tonumber(ARGV[1]), tonumber(announced[1]) or tonumber(ARGV[1])) - margin
local interval = math.max(tonumber(ARGV[2]), tonumber(announced[2]) or 0)
local dailyMax = math.min(tonumber(ARGV[3]), tonumber(announced[3]) or tonumber(ARGV[3])) - margin
if max < 1 then max = 1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - interval)
if redis.call('ZCARD', KEYS[1]) >= max then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + interval - now + 1)
end
local day = math.floor(now / 86400000)
local daily = redis.call('HMGET', KEYS[2], 'day', 'count')
local count = 0
if tonumber(daily[1]) == day then count = tonumber(daily[2]) or 0 end
if count >= dailyMax then return (day + 1) * 86400000 - now end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], interval * 2)
redis.call('HSET', KEYS[2], 'day', day, 'count', count + 1)
redis.call('PEXPIRE', KEYS[2], 2 * 86400000)
return 0
`;

export type GhlLimits = {
  /** Requests per interval per location (GHL: 100). */
  max: number;
  intervalMs: number;
  /** Requests per day per location (GHL: 200,000). */
  dailyMax: number;
  /** Kept unused in every window: requests counted here arrive at GHL a little later or earlier. */
  margin: number;
};

export const GHL_LIMITS: GhlLimits = { max: 100, intervalMs: 10_000, dailyMax: 200_000, margin: 5 };

type Headers = Record<string, unknown>;
const numberHeader = (headers: Headers, name: string): number | undefined => {
  const value = Number(headers[name]);
  return headers[name] === undefined || !Number.isFinite(value) ? undefined : value;
};

/** A per-location request budget shared by every process that talks to GHL. */
export class GhlRequestBudget {
  private readonly limits: GhlLimits;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
    limits: Partial<GhlLimits> = {},
  ) {
    this.limits = { ...GHL_LIMITS, ...limits };
  }

  /** Resolves when one request for the location may be sent. */
  async take(locationId: string, signal?: AbortSignal): Promise<void> {
    const { max, intervalMs, dailyMax, margin } = this.limits;
    for (;;) {
      const wait = (await this.redis.eval(TAKE, 4, ...this.keys(locationId), String(max), String(intervalMs), String(dailyMax), String(margin), randomUUID())) as number;
      if (wait <= 0) return;
      await sleep(Math.min(wait, 60_000), undefined, signal ? { signal } : {});
    }
  }

  /**
   * What GHL said about the budget in a response: the limits it announces are kept, and
   * when its remaining count is within the margin nobody sends until the window has passed.
   */
  async observe(locationId: string, headers: Headers): Promise<void> {
    const [, , holdKey, announcedKey] = this.keys(locationId);
    const max = numberHeader(headers, 'x-ratelimit-max');
    const interval = numberHeader(headers, 'x-ratelimit-interval-milliseconds');
    const dailyMax = numberHeader(headers, 'x-ratelimit-limit-daily');
    const remaining = numberHeader(headers, 'x-ratelimit-remaining');
    const dailyRemaining = numberHeader(headers, 'x-ratelimit-daily-remaining');
    const announced: string[] = [];
    if (max !== undefined) announced.push('max', String(max));
    if (interval !== undefined) announced.push('interval', String(interval));
    if (dailyMax !== undefined) announced.push('dailyMax', String(dailyMax));
    const writes = this.redis.multi();
    if (announced.length > 0) writes.hset(announcedKey, ...announced).pexpire(announcedKey, 86_400_000);
    if (remaining !== undefined && remaining <= this.limits.margin) writes.set(holdKey, 'remaining', 'PX', interval ?? this.limits.intervalMs, 'NX');
    if (dailyRemaining !== undefined && dailyRemaining <= this.limits.margin) writes.set(holdKey, 'daily', 'PX', msToNextUtcDay(), 'NX');
    await writes.exec();
  }

  /** GHL answered 429: nobody sends to this location for `ms`. */
  async hold(locationId: string, ms: number): Promise<void> {
    const [, , holdKey] = this.keys(locationId);
    await this.redis.set(holdKey, '429', 'PX', Math.max(1, Math.round(ms)));
  }

  private keys(locationId: string): [string, string, string, string] {
    // One hash tag per location: all its keys in one slot of a Redis Cluster.
    const base = `${this.keyPrefix}:ghl-budget:{${locationId}}`;
    return [`${base}:log`, `${base}:daily`, `${base}:hold`, `${base}:announced`];
  }
}

function msToNextUtcDay(now = Date.now()): number {
  return 86_400_000 - (now % 86_400_000);
}
