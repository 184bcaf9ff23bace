import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** E.164 (`+15125550123`) for a number written any common way; undefined when it is not a valid number. */
export function normalizePhone(input: string, defaultRegion: CountryCode = 'US'): string | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultRegion);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** The three-digit area code of a North American number, if it is one. */
export function areaCodeOf(e164: string): string | undefined {
  return /^\+1(\d{3})\d{7}$/.exec(e164)?.[1];
}
