import { DateTime } from 'luxon';
import { areaCodeOf } from '@fieldhand/phone';
import { stateOfAreaCode, zoneOfAreaCode, zoneOfState } from './area-codes.js';

export type SendWindow = { start: string; end: string };

export const DEFAULT_SEND_WINDOW: SendWindow = { start: '08:00', end: '21:00' };
// State rules stricter than the federal 8–21 (Florida, Oklahoma, Maryland telemarketing laws).
const EARLY_CUTOFF_STATES: Record<string, string> = { FL: '20:00', OK: '20:00', MD: '20:00' };

export type Recipient = {
  phone: string;
  /** From the service location's address, when known. */
  state?: string | null;
  timezone?: string | null;
};

export type RecipientWindow = { zone: string; window: SendWindow; zoneSource: 'address' | 'area_code' | 'tenant' };

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * The recipient's zone (address, else area code, else the tenant's) and the
 * window that applies there. A number or an address in an early-cutoff state
 * gets the earlier end: either may be where the customer actually is.
 */
export function recipientWindow(recipient: Recipient, tenantZone: string, tenantWindow: SendWindow = DEFAULT_SEND_WINDOW): RecipientWindow {
  const areaCode = areaCodeOf(recipient.phone);
  const numberState = areaCode ? stateOfAreaCode(areaCode) : undefined;
  const addressState = recipient.state?.toUpperCase() || undefined;
  const addressZone = recipient.timezone || (addressState ? zoneOfState(addressState) : undefined);
  const numberZone = areaCode ? zoneOfAreaCode(areaCode) : undefined;
  const zone = addressZone ?? numberZone ?? tenantZone;
  const zoneSource = addressZone ? 'address' : numberZone ? 'area_code' : 'tenant';
  let end = tenantWindow.end;
  for (const state of [addressState, numberState]) {
    const cutoff = state ? EARLY_CUTOFF_STATES[state] : undefined;
    if (cutoff && minutes(cutoff) < minutes(end)) end = cutoff;
  }
  return { zone, window: { start: tenantWindow.start, end }, zoneSource };
}

/** `now` if it falls inside the window in `zone`, else the window's next opening. Never earlier than `now`. */
export function nextSendTime(now: Date, zone: string, window: SendWindow): Date {
  const local = DateTime.fromJSDate(now, { zone });
  const minute = local.hour * 60 + local.minute;
  const start = minutes(window.start);
  const end = minutes(window.end);
  if (minute >= start && minute < end) return now;
  const openingDay = minute < start ? local : local.plus({ days: 1 });
  return openingDay.set({ hour: Math.floor(start / 60), minute: start % 60, second: 0, millisecond: 0 }).toJSDate();
}
