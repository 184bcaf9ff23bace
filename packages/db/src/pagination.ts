import { and, eq, lt, or, sql, type Column, type SQL } from 'drizzle-orm';

/**
 * Opaque keyset cursors: (timestamp, id) of the last row of a page, so pages
 * stay stable while rows are added, unlike offsets. The timestamp is kept as
 * PostgreSQL's own text form: a JavaScript Date would drop the microseconds and
 * skip rows created within the same millisecond.
 */
export type KeysetCursor = { at: string; id: string };

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

const PG_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:([+-])(\d{2})(?::?(\d{2}))?|Z)?$/;

/** A timestamp PostgreSQL accepts: the right shape and a real calendar date and time (no 2026-02-30 or 25:00). */
function isTimestamp(text: string): boolean {
  const m = PG_TIMESTAMP.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const calendar = year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  const clock = hour < 24 && minute < 60 && second < 60;
  const offset = m[9] === undefined || (Number(m[9]) <= 15 && Number(m[10] ?? 0) < 60);
  return calendar && clock && offset;
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(value: string): KeysetCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [at, id] = parsed as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string' || !isTimestamp(at) || !UUID.test(id)) return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}

/** The exact timestamp of a row, as text, for building its cursor. */
export function cursorTimestamp(column: Column): SQL<string> {
  return sql<string>`${column}::text`;
}

/** Rows after `cursor` in (timestamp desc, id desc) order. */
export function afterCursor(atColumn: Column, idColumn: Column, cursor: KeysetCursor): SQL {
  const at = sql`${cursor.at}::timestamptz`;
  return or(lt(atColumn, at), and(eq(atColumn, at), lt(idColumn, cursor.id)))!;
}

export type Page<T> = { data: T[]; nextCursor: string | null };

/** Splits the `limit + 1` rows a query fetched into a page and the cursor of the next. */
export function toPage<T extends { id: string }>(rows: Array<T & { cursorAt: string }>, limit: number): Page<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const data = page.map(({ cursorAt: _cursorAt, ...row }) => row as unknown as T);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null };
}
