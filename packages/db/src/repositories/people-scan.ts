import { randomUUID } from 'node:crypto';
import { is, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, PgArray, PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../executor.js';
import * as schema from '../schema/index.js';

/**
 * What identifies one person's data inside free text and vendor records: their number in
 * any common spelling, and the bodies of their texts. A short body ("C", "yes") says too
 * little to find rows by, so it only counts inside rows that also carry the number.
 */
export type PersonMatcher = { pattern: string; phone: RegExp; bodies: ReadonlySet<string>; longBodies: readonly string[] };

// Long enough that finding it in another row means it is a copy of this person's text.
const DISTINCTIVE_BODY_LENGTH = 12;

/**
 * A regular expression (the same text works in JavaScript and PostgreSQL) for an E.164
 * number written as E.164, as national digits, or with the usual separators:
 * +15125550123, 5125550123, (512) 555-0123, 1-512-555-0123.
 */
export function phonePattern(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const nanp = digits.length === 11 && digits.startsWith('1');
  const national = nanp ? digits.slice(1) : digits;
  const sep = '[-. ()/]{0,3}';
  const prefix = nanp ? `(?:\\+?1${sep})?` : '\\+?';
  return `(?:^|[^0-9])${prefix}${national.split('').join(sep)}(?:[^0-9]|$)`;
}

/**
 * `written`: the texts the person sent us, whose copies (an office alert, an event) may sit
 * in rows without the number. Our texts to them are often a shared template, so they count
 * only inside rows that carry the number: another customer's identical reminder stays.
 */
export function personMatcher(phone: string, texts: { written: readonly string[]; received: readonly string[] }): PersonMatcher {
  const pattern = phonePattern(phone);
  const kept = (list: readonly string[]) => list.filter((b) => b.trim() !== '');
  const longBodies = [...new Set(kept(texts.written).filter((b) => b.length >= DISTINCTIVE_BODY_LENGTH))];
  return { pattern, phone: new RegExp(pattern), bodies: new Set([...kept(texts.written), ...kept(texts.received)]), longBodies };
}

const hits = (m: PersonMatcher, text: string) => m.phone.test(text) || m.bodies.has(text) || m.longBodies.some((b) => text.includes(b));

/** A copy of a JSON value without the person's number or texts: such strings become '', such numbers null, such keys go. */
export function scrubJson(m: PersonMatcher, value: unknown): unknown {
  if (typeof value === 'string') return hits(m, value) ? '' : value;
  if (typeof value === 'number') return hits(m, String(value)) ? null : value;
  if (Array.isArray(value)) return value.map((v) => scrubJson(m, v));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([key]) => !hits(m, key)).map(([key, v]) => [key, scrubJson(m, v)]));
}

type ColumnKind = 'text' | 'json' | 'textArray';
type ScannedColumn = { name: string; kind: ColumnKind; notNull: boolean; key: boolean };
export type ScannedTable = { name: string; columns: ScannedColumn[] };

function kindOf(column: PgColumn): ColumnKind | undefined {
  if (column.columnType === 'PgText' || column.columnType === 'PgVarchar') return 'text';
  if (column.columnType === 'PgJsonb' || column.columnType === 'PgJson') return 'json';
  if (is(column, PgArray) && (column.baseColumn.columnType === 'PgText' || column.baseColumn.columnType === 'PgVarchar')) return 'textArray';
  return undefined;
}

// Consent is the legal record of the opt-out (docs/operations.md); keys and endpoints are
// the tenant's configuration, never a record about a customer.
const NOT_PERSONAL = new Set(['communication_preferences', 'api_keys', 'webhook_endpoints']);

/**
 * Every table with a `tenant_id`, and its text, JSON and text-array columns, read from the
 * schema: a table added later is scanned without anyone remembering to list it.
 */
export const PERSON_TABLES: readonly ScannedTable[] = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableConfig(table))
  .filter((config) => !NOT_PERSONAL.has(config.name) && config.columns.some((c) => c.name === 'tenant_id'))
  .map((config) => {
    const keyNames = new Set([
      ...config.columns.filter((c) => c.primary || c.isUnique).map((c) => c.name),
      ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
      ...config.indexes.filter((i) => i.config.unique).flatMap((i) => i.config.columns.flatMap((c) => ('name' in c && typeof c.name === 'string' ? [c.name] : []))),
    ]);
    const columns = config.columns.flatMap((c) => {
      const kind = kindOf(c);
      return kind ? [{ name: c.name, kind, notNull: c.notNull, key: keyNames.has(c.name) }] : [];
    });
    return { name: config.name, columns };
  })
  .filter((t) => t.columns.length > 0);

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function rowMatches(m: PersonMatcher, table: ScannedTable): SQL {
  const likes = m.longBodies.map((b) => `%${escapeLike(b)}%`);
  const per = table.columns.map((c) => {
    const text = sql`${sql.identifier(c.name)}::text`;
    return likes.length > 0 ? sql`(${text} ~ ${m.pattern} or ${text} like any(${sql.param(likes)}::text[]))` : sql`${text} ~ ${m.pattern}`;
  });
  return sql.join(per, sql` or `);
}

export type ScannedRow = { ctid: string; row: Record<string, unknown> };

/** The tenant's rows of `table` that carry the person's number or one of their distinctive texts (locked when `forUpdate`). */
export async function scanTable(db: Executor, table: ScannedTable, tenantId: string, m: PersonMatcher, forUpdate = false): Promise<ScannedRow[]> {
  const { rows } = await db.execute<Record<string, unknown> & { ctid__: string }>(sql`
    select ctid::text as ctid__, * from ${sql.identifier(table.name)}
    where tenant_id = ${tenantId} and (${rowMatches(m, table)})
    ${forUpdate ? sql`for update` : sql``}`);
  return rows.map(({ ctid__, ...row }) => ({ ctid: ctid__, row }));
}

/** The person's number and texts taken out of one row's text columns; returns whether anything changed. */
export async function scrubRow(db: Executor, table: ScannedTable, scanned: ScannedRow, m: PersonMatcher): Promise<boolean> {
  const sets: SQL[] = [];
  for (const column of table.columns) {
    const value = scanned.row[column.name];
    if (value === null || value === undefined) continue;
    const target = sql.identifier(column.name);
    if (column.kind === 'json') {
      const next = scrubJson(m, value);
      if (JSON.stringify(next) !== JSON.stringify(value)) sets.push(sql`${target} = ${JSON.stringify(next)}::jsonb`);
    } else if (column.kind === 'textArray') {
      const list = value as string[];
      const next = list.filter((v) => !hits(m, v));
      if (next.length !== list.length) sets.push(sql`${target} = ${sql.param(next)}::text[]`);
    } else if (hits(m, String(value))) {
      // A key column stays unique; otherwise blank it.
      const replacement = column.key ? `erased:${randomUUID()}` : column.notNull ? '' : null;
      sets.push(sql`${target} = ${replacement}`);
    }
  }
  if (sets.length === 0) return false;
  await db.execute(sql`update ${sql.identifier(table.name)} set ${sql.join(sets, sql`, `)} where ctid = ${scanned.ctid}::tid`);
  return true;
}
