import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

// A sorted set per endpoint: members are attempts in flight, scores the time their slot
// lapses (a killed worker's slot frees itself). One round trip to take, one to give back.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

const POLL_MS = 20;

/**
 * Attempts in flight per endpoint, across every events worker: at most `limit`. A slow or
 * hanging endpoint holds at most that many worker slots; its other deliveries wait
 * (re-added a moment later) while other endpoints' deliveries run.
 */
export class EndpointSlots {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly holdMs: number,
  ) {}

  private key(endpointId: string): string {
    return `${this.prefix}:webhook-slots:${endpointId}`;
  }

  /**
   * A slot's token, or undefined when the endpoint still has `limit` attempts in flight after
   * `waitMs`: a healthy endpoint's slots free within milliseconds, so a short poll keeps its
   * deliveries flowing; only a slow one's deliveries give up and wait out of the worker.
   */
  async acquire(endpointId: string, waitMs = 0): Promise<string | undefined> {
    const token = randomUUID();
    const until = Date.now() + waitMs;
    for (;;) {
      const now = Date.now();
      const got = await this.redis.eval(ACQUIRE, 1, this.key(endpointId), String(now), String(now + this.holdMs), String(this.limit), token, String(this.holdMs * 2));
      if (got === 1) return token;
      if (now >= until) return undefined;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async release(endpointId: string, token: string): Promise<void> {
    await this.redis.zrem(this.key(endpointId), token);
  }
}
