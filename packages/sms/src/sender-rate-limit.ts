import type { Cluster, Redis } from 'ioredis';

// Reserves the sender for `cost` ms if it is free now; otherwise says how long until it is.
const RESERVE = `
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local busyUntil = tonumber(redis.call('GET', KEYS[1]) or '0')
if busyUntil > now then return busyUntil - now end
redis.call('SET', KEYS[1], now + cost, 'PX', cost + 1000)
return 0
`;

/**
 * Per-sender throughput in Redis, shared by every sms worker process. It never
 * sleeps: a send that must wait is rescheduled as a delayed job, so one tenant's
 * backlog does not hold a worker slot another tenant's texts could use.
 */
export class SenderRateLimit {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {}

  /** 0 when the send may go now (and the sender is reserved for its segments), else the wait in ms. */
  async reserve(sender: string, segments: number, segmentsPerSecond: number): Promise<number> {
    if (segmentsPerSecond <= 0) return 0;
    const cost = Math.ceil((segments * 1000) / segmentsPerSecond);
    const wait = await this.redis.eval(RESERVE, 1, `${this.prefix}:sms-sender:${sender}`, Date.now(), cost);
    return Number(wait);
  }
}
