import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { recipientWindow } from '@fieldhand/sms';
import { arrivalWindow, appointmentDate, reminderTiming, supersededOffsets } from '../src/index.js';

const NY = 'America/New_York';
const local = (iso: string, zone = NY) => DateTime.fromISO(iso, { zone }).toJSDate();
const inZone = (d: Date, zone = NY) => DateTime.fromJSDate(d, { zone }).toFormat("ccc yyyy-LL-dd HH:mm");
const window = { start: '08:00', end: '21:00' };

describe('reminder timing', () => {
  it('goes at start − offset when planned before it, whatever the offset', () => {
    const start = local('2027-06-10T14:00');
    const timing = reminderTiming({ start, offsetMinutes: 4, now: local('2027-06-10T09:00'), zone: NY, window });
    expect(timing).toEqual({ status: 'scheduled', dueAt: local('2027-06-10T13:56') });
  });

  it('moves a reminder due in quiet hours to the window opening if the start allows, else skips it', () => {
    // Due 06:00 for a 10:00 visit: goes at 08:00.
    expect(reminderTiming({ start: local('2027-06-10T10:00'), offsetMinutes: 240, now: local('2027-06-09T12:00'), zone: NY, window })).toEqual({ status: 'scheduled', dueAt: local('2027-06-10T08:00') });
    // Due 06:00 for an 08:20 visit: 08:00 leaves 20 minutes, under the 30 the rule asks.
    expect(reminderTiming({ start: local('2027-06-10T08:20'), offsetMinutes: 140, now: local('2027-06-09T12:00'), zone: NY, window })).toMatchObject({ status: 'skipped', reason: 'quiet_hours' });
    // Exactly 30 minutes left is enough.
    expect(reminderTiming({ start: local('2027-06-10T08:30'), offsetMinutes: 150, now: local('2027-06-09T12:00'), zone: NY, window })).toEqual({ status: 'scheduled', dueAt: local('2027-06-10T08:00') });
  });

  it('sends a late reminder at once if the start is ≥ 30 minutes away, else too_late', () => {
    const now = local('2027-06-10T12:00');
    expect(reminderTiming({ start: local('2027-06-10T13:00'), offsetMinutes: 1440, now, zone: NY, window })).toEqual({ status: 'scheduled', dueAt: now });
    expect(reminderTiming({ start: local('2027-06-10T12:30'), offsetMinutes: 120, now, zone: NY, window })).toEqual({ status: 'scheduled', dueAt: now });
    expect(reminderTiming({ start: local('2027-06-10T12:29'), offsetMinutes: 120, now, zone: NY, window })).toMatchObject({ status: 'skipped', reason: 'too_late' });
  });

  it('ends at 20:00 for a Florida, Oklahoma or Maryland number', () => {
    for (const phone of ['+13055550100', '+14055550100', '+14105550100']) {
      const { zone, window: w } = recipientWindow({ phone }, 'America/Chicago');
      expect(w.end).toBe('20:00');
      const start = DateTime.fromISO('2027-06-11T09:00', { zone }).toJSDate();
      // Due 20:30 the evening before: outside the 20:00 end, so it goes at 08:00.
      const timing = reminderTiming({ start, offsetMinutes: 750, now: DateTime.fromISO('2027-06-10T10:00', { zone }).toJSDate(), zone, window: w });
      expect(inZone(timing.dueAt, zone)).toBe('Fri 2027-06-11 08:00');
    }
    const texas = recipientWindow({ phone: '+15125550100' }, 'America/Chicago');
    expect(texas.window.end).toBe('21:00');
  });

  it('keeps the 24 h reminder at 09:00 local on the Sunday of the spring-forward and of the fall-back', () => {
    // US DST 2027: spring-forward Sun Mar 14 02:00, fall-back Sun Nov 7 02:00.
    for (const [monday, sunday] of [
      ['2027-03-15T09:00', 'Sun 2027-03-14 09:00'],
      ['2027-11-08T09:00', 'Sun 2027-11-07 09:00'],
    ] as const) {
      const start = local(monday);
      const timing = reminderTiming({ start, offsetMinutes: 1440, now: local('2027-03-01T12:00'), zone: NY, window });
      expect(timing.status).toBe('scheduled');
      expect(inZone(timing.dueAt)).toBe(sunday);
    }
  });

  it('keeps one text when two reminders of a visit would go at the same moment', () => {
    const now = local('2027-06-10T12:00');
    const start = local('2027-06-10T13:00');
    const timings = [1440, 120].map((offsetMinutes) => ({ offsetMinutes, timing: reminderTiming({ start, offsetMinutes, now, zone: NY, window }) }));
    expect([...supersededOffsets(timings)]).toEqual([1440]);
  });
});

describe('reminder text dates', () => {
  it('names the day and the arrival window in the customer zone', () => {
    const from = local('2026-12-08T08:00');
    expect(appointmentDate(from, NY)).toBe('Tue Dec 8');
    expect(arrivalWindow(from, local('2026-12-08T10:00'), NY)).toBe('8–10 AM');
    expect(arrivalWindow(local('2026-12-08T11:30'), local('2026-12-08T13:00'), NY)).toBe('11:30 AM–1 PM');
    expect(arrivalWindow(from, null, NY)).toBe('8 AM');
    // The same instant in Los Angeles is 5 AM.
    expect(arrivalWindow(from, local('2026-12-08T10:00'), 'America/Los_Angeles')).toBe('5–7 AM');
  });
});
