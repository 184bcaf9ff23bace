/** Twilio refusals that retrying cannot fix: the number is wrong, unreachable or unsubscribed. */
export const PERMANENT_RECIPIENT_ERRORS = new Set([21211, 21408, 21612, 21614]);
const UNSUBSCRIBED = 21610;

export type SendFailure =
  | { kind: 'unsubscribed'; code: number; message: string }
  | { kind: 'permanent'; code: number | null; message: string }
  | { kind: 'retry'; code: number | null; message: string }
  // No answer, or a broken one: Twilio may have accepted the message.
  | { kind: 'ambiguous'; message: string };

export function classifySendError(error: unknown): SendFailure {
  const e = error as { status?: unknown; code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const code = typeof e?.code === 'number' ? e.code : null;
  if (status === undefined) return { kind: 'ambiguous', message };
  if (code === UNSUBSCRIBED) return { kind: 'unsubscribed', code, message };
  if (code !== null && PERMANENT_RECIPIENT_ERRORS.has(code)) return { kind: 'permanent', code, message };
  if (status === 429 || code === 20429 || status >= 500) return { kind: 'retry', code, message };
  // Other 4xx (bad credentials, a From we do not own): configuration, not the weather.
  return { kind: 'permanent', code, message };
}
