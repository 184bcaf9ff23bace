// Key names whose values are secrets wherever they appear in a log object.
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-twilio-signature|x-ghl-signature|api[-_]?key|apikey|token|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|client[-_]?secret|secret|password|passwd|admin[-_]?key|st-app-key|app[-_]?key|private[-_]?key|credentials)$/i;

// North American numbers in common spellings, and any E.164 number.
const PHONE_IN_TEXT = /(?<![\w+])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b|(?<!\w)\+\d{8,15}\b/g;
const CREDENTIAL_IN_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
// Our own API keys (fh_<prefix>_<secret>): the prefix stays, so a line still says which key.
const API_KEY_IN_TEXT = /\b(fh_[A-Za-z0-9]{12}_)[A-Za-z0-9_-]{43}/g;
// user:password@ in a URL (a DATABASE_URL or REDIS_URL in an error message).
const URL_CREDENTIALS_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi;
const SECRET_ASSIGNMENT_IN_TEXT =
  /(\b(?:token|api_key|apikey|api-key|secret|client_secret|access_token|auth_token|password)["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi;

export const REDACTED = '[REDACTED]';

/** Keeps the last four digits so an operator can still tell numbers apart. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 7) return value;
  return `${value.trim().startsWith('+') ? '+' : ''}${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

export function scrubText(text: string, maskPhones: boolean): string {
  let out = text
    .replace(CREDENTIAL_IN_TEXT, `$1 ${REDACTED}`)
    .replace(API_KEY_IN_TEXT, `$1${REDACTED}`)
    .replace(URL_CREDENTIALS_IN_TEXT, `$1${REDACTED}@`)
    .replace(SECRET_ASSIGNMENT_IN_TEXT, `$1${REDACTED}`);
  if (maskPhones) out = out.replace(PHONE_IN_TEXT, (m) => maskPhone(m));
  return out;
}

/**
 * Returns a copy of `value` with secrets removed and (optionally) phone numbers
 * masked, at any depth. Bounded depth keeps a cyclic or huge object from
 * stalling the logger.
 */
export function scrub(value: unknown, maskPhones: boolean, depth = 0): unknown {
  if (depth > 8) return '[Truncated]';
  if (typeof value === 'string') return scrubText(value, maskPhones);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubText(value.message, maskPhones), stack: value.stack && scrubText(value.stack, maskPhones) };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, maskPhones, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && v !== undefined && v !== null && v !== '') {
      out[key] = REDACTED;
    } else {
      out[key] = scrub(v, maskPhones, depth + 1);
    }
  }
  return out;
}
