const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Waits after the 1st, 2nd, … failed attempt: about a day in all, then the delivery is dead-lettered. */
export const RETRY_SCHEDULE_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR] as const;

/** Total attempts of a delivery on its schedule (the first and one per wait). */
export const DELIVERY_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/**
 * The wait after failed attempt number `attempt` (1-based), scaled (WEBHOOK_RETRY_SCALE) and
 * jittered ±10% so a burst's retries spread out; undefined once the schedule is spent.
 */
export function retryDelayMs(attempt: number, scale = 1, random = Math.random): number | undefined {
  const base = RETRY_SCHEDULE_MS[attempt - 1];
  if (base === undefined) return undefined;
  return Math.max(1, Math.round(base * scale * (0.9 + 0.2 * random())));
}
