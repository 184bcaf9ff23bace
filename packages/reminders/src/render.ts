import { DateTime } from 'luxon';

/** "Tue Dec 8" in the customer's zone. */
export function appointmentDate(start: Date, zone: string): string {
  return DateTime.fromJSDate(start, { zone }).toFormat('ccc LLL d');
}

const clock = (t: DateTime): string => (t.minute === 0 ? t.toFormat('h') : t.toFormat('h:mm'));

/** "8–10 AM", "11:30 AM–1 PM", "9 AM" in the customer's zone. */
export function arrivalWindow(from: Date, to: Date | null, zone: string): string {
  const a = DateTime.fromJSDate(from, { zone });
  if (!to || to.getTime() <= from.getTime()) return `${clock(a)} ${a.toFormat('a')}`;
  const b = DateTime.fromJSDate(to, { zone });
  const sameMeridiem = a.toFormat('a') === b.toFormat('a') && a.hasSame(b, 'day');
  return sameMeridiem ? `${clock(a)}–${clock(b)} ${b.toFormat('a')}` : `${clock(a)} ${a.toFormat('a')}–${clock(b)} ${b.toFormat('a')}`;
}

export const firstWord = (name: string | null): string | null => name?.trim().split(/\s+/)[0] || null;
