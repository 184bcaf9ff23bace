export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `everyMs` until it answers something truthy, and returns that; throws
 * `timed out waiting for <what>` after `timeoutMs` (`what` may be a function, so the message
 * can carry what is only known then: a worker's output, say).
 */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string | (() => string), everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(everyMs);
  }
}
