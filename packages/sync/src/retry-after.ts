const MAX_RETRY_AFTER_MS = 120_000;

/**
 * A vendor's Retry-After header (seconds or an HTTP date) as milliseconds to wait, capped
 * at two minutes; undefined when absent or unreadable. Every source's client reads it.
 */
export function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}
