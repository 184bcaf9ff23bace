// The normaliser SMS uses too: a synced contact phone must match what SMS sends to and stops on.
import { normalizePhone } from '@fieldhand/phone';

/** Readers that turn loosely-typed vendor fields into column values (null when absent or wrong). */

export type StRecord = Record<string, unknown>;

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

export function int(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** Money arrives as a number (sales) or a string (accounting); PostgreSQL numeric takes either as text. */
export function money(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return value.trim();
  return null;
}

export function time(value: unknown): string | null {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
}

export function obj(value: unknown): StRecord {
  return typeof value === 'object' && value !== null ? (value as StRecord) : {};
}

// ServiceTitan stores US numbers as 10 digits without a country code.
export function e164(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  return normalizePhone(value) ?? null;
}

const PHONE_TYPES = new Set(['Phone', 'MobilePhone', 'Fax']);

/** Columns shared by customer and location contacts. */
export function contactColumns(record: StRecord): StRecord {
  const type = str(record.type);
  const settings = obj(record.phoneSettings);
  return {
    type,
    value: str(record.value),
    phone: type && PHONE_TYPES.has(type) ? e164(record.value) : null,
    do_not_text: bool(settings.doNotText) ?? false,
  };
}
