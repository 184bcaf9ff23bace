import { nextSendTime, type SendWindow } from '@fieldhand/sms';

/** A reminder moved to the window's opening, or planned late, must still arrive this long before the visit. */
export const MIN_LEAD_MS = 30 * 60_000;

export type ReminderTiming = { status: 'scheduled'; dueAt: Date } | { status: 'skipped'; reason: 'quiet_hours' | 'too_late'; dueAt: Date };

export type TimingInput = {
  start: Date;
  offsetMinutes: number;
  now: Date;
  /** The recipient's zone and send window (the SMS rules: recipientWindow). */
  zone: string;
  window: SendWindow;
};

/**
 * When one reminder goes. Due = start − offset in absolute time (the zone's DST rules
 * are in the instants, not in a fixed UTC offset). Planned before its due time it goes
 * then, whatever the offset. Planned late (booked at short notice) it goes now if the
 * start is still MIN_LEAD_MS away. Either way a time outside the recipient's window
 * moves to the window's next opening, if that still leaves MIN_LEAD_MS before the start.
 */
export function reminderTiming({ start, offsetMinutes, now, zone, window }: TimingInput): ReminderTiming {
  const due = new Date(start.getTime() - offsetMinutes * 60_000);
  const late = due.getTime() < now.getTime();
  const earliest = late ? now : due;
  if (late && start.getTime() - now.getTime() < MIN_LEAD_MS) return { status: 'skipped', reason: 'too_late', dueAt: due };
  const opening = nextSendTime(earliest, zone, window);
  if (opening.getTime() === earliest.getTime()) return { status: 'scheduled', dueAt: earliest };
  if (start.getTime() - opening.getTime() >= MIN_LEAD_MS) return { status: 'scheduled', dueAt: opening };
  return { status: 'skipped', reason: 'quiet_hours', dueAt: due };
}

/**
 * Reminders of one visit that would go at the same moment (two planned late, two moved
 * to the same opening) are one text: the closest to the visit (smallest offset) stays.
 */
export function supersededOffsets(timings: ReadonlyArray<{ offsetMinutes: number; timing: ReminderTiming }>): Set<number> {
  const keep = new Map<number, number>();
  for (const { offsetMinutes, timing } of timings) {
    if (timing.status !== 'scheduled') continue;
    const at = timing.dueAt.getTime();
    const kept = keep.get(at);
    if (kept === undefined || offsetMinutes < kept) keep.set(at, offsetMinutes);
  }
  const kept = new Set(keep.values());
  return new Set(timings.filter((t) => t.timing.status === 'scheduled' && !kept.has(t.offsetMinutes)).map((t) => t.offsetMinutes));
}
