// The normaliser SMS uses too: a synced contact phone must match what SMS sends to and stops on.
import { normalizePhone } from '@fieldhand/phone';

/** Readers that turn loosely-typed GHL fields into column values (null when absent or wrong). */

export type GhlRecord = Record<string, unknown>;

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function time(value: unknown): string | null {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
}

export function obj(value: unknown): GhlRecord | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as GhlRecord) : null;
}

export function money(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return value.trim();
  return null;
}

export function strings(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}

// GHL stores phones as typed, usually E.164 already; anything unparseable is kept out of the column.
export function e164(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  return normalizePhone(value) ?? null;
}

const EPOCH = new Date(0).toISOString();

/** The columns every ghl_* table shares; modified_on orders writes (an older copy never overwrites a newer one). */
export function ghlRow(record: GhlRecord, updated: unknown, created: unknown): GhlRecord {
  const dateUpdated = time(updated);
  return { id: record.id, active: true, date_updated: dateUpdated, modified_on: dateUpdated ?? time(created) ?? EPOCH, raw: record };
}
