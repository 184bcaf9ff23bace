import { getTableName, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, type AnyPgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../executor.js';
import { syncSeenRows } from '../schema/index.js';

/**
 * A table that mirrors a vendor's records for our tenants (the st_* tables): keyed by
 * tenant and the vendor's id, with the whole record in `raw`, its `modified_on` and
 * when we last wrote it. Its other columns are extracted from the record.
 */
export type SyncedTable = PgTable & Record<'tenantId' | 'id' | 'modifiedOn' | 'raw' | 'syncedAt', AnyPgColumn>;

/** One row of a synced table keyed by column name; it carries id, modified_on and raw at least. */
export type SyncedRow = Record<string, unknown>;

/** What one applied row looked like before and after (tracked columns only; old is null for an insert). */
export type SyncedRowChange = { id: number | string; inserted: boolean; modifiedOn: Date; new: SyncedRow; old: SyncedRow | null };

export type UpsertedRows = { inserted: number; updated: number; unchanged: number; changes: SyncedRowChange[] };

type Statement = { types: Map<string, string>; text: string };
const statements = new WeakMap<PgTable, Map<string, Statement>>();

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Builds the one statement that applies a page: the rows go in as a single jsonb
 * parameter, `previous` reads the stored values in the same snapshot, and the upsert
 * only touches rows whose record really changed (and never goes back to an older one).
 */
function statementFor(table: SyncedTable, tracked: readonly string[]): Statement {
  const byTracked = statements.get(table) ?? new Map<string, Statement>();
  statements.set(table, byTracked);
  const cached = byTracked.get(tracked.join(','));
  if (cached) return cached;
  const config = getTableConfig(table);
  const name = q(config.name);
  const columns = config.columns.filter((c) => c.name !== 'tenant_id' && c.name !== 'synced_at').map((c) => ({ name: c.name, type: c.getSQLType() }));
  const names = columns.map((c) => q(c.name));
  const previous = tracked.map(q);
  const text = `
with input as (
  select * from jsonb_to_recordset($2::jsonb) as x(${columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')})
), previous as (
  select t.id${previous.map((c) => `, t.${c}`).join('')} from ${name} t join input i on t.tenant_id = $1 and t.id = i.id
), applied as (
  insert into ${name} as t (tenant_id, ${names.join(', ')}, synced_at)
  select $1, ${names.map((n) => `i.${n}`).join(', ')}, now() from input i
  on conflict (tenant_id, id) do update set ${[...names.filter((n) => n !== '"id"'), '"synced_at"'].map((n) => `${n} = excluded.${n}`).join(', ')}
  where t.raw is distinct from excluded.raw and t.modified_on <= excluded.modified_on
  returning t.id, t.modified_on${previous.map((c) => `, t.${c}`).join('')}
)
select a.*${tracked.map((c) => `, p.${q(c)} as ${q(`old.${c}`)}`).join('')}, (p.id is not null) as existed
from applied a left join previous p on p.id = a.id`;
  const statement = { types: new Map(columns.map((c) => [c.name, c.type])), text };
  byTracked.set(tracked.join(','), statement);
  return statement;
}

// Raw results carry timestamps and int8 as PostgreSQL text; events compare and carry ISO strings and numbers.
function plain(value: unknown, type: string | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (type?.startsWith('timestamp')) return new Date(value as string).toISOString();
  if (type === 'bigint' || type === 'integer') return Number(value);
  return value;
}

/** Turns `$n` placeholders of a static statement into drizzle parameters. */
function bind(text: string, params: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  parts.forEach((part, i) => chunks.push(i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`));
  return sql.join(chunks);
}

/**
 * Writes one page of rows for a tenant in one statement and reports what changed, with
 * the before and after values of the `tracked` columns. Run it in the transaction that
 * moves the page's cursor.
 */
export async function upsertSyncedRows(tx: Executor, table: SyncedTable, tenantId: string, rows: readonly SyncedRow[], tracked: readonly string[]): Promise<UpsertedRows> {
  // The same record twice in one page would make ON CONFLICT touch a row twice; the later copy wins.
  const unique = new Map<unknown, SyncedRow>();
  for (const row of rows) unique.set(row.id, row);
  if (unique.size === 0) return { inserted: 0, updated: 0, unchanged: 0, changes: [] };
  const statement = statementFor(table, tracked);
  const result = await tx.execute<SyncedRow>(bind(statement.text, [tenantId, JSON.stringify([...unique.values()])]));
  const changes: SyncedRowChange[] = result.rows.map((row) => {
    const now: SyncedRow = {};
    const old: SyncedRow = {};
    for (const c of tracked) {
      now[c] = plain(row[c], statement.types.get(c));
      old[c] = plain(row[`old.${c}`], statement.types.get(c));
    }
    // A number for ServiceTitan's bigint ids, a string for GHL's text ids.
    return { id: plain(row.id, statement.types.get('id')) as number | string, inserted: row.existed !== true, modifiedOn: new Date(row.modified_on as string), new: now, old: row.existed === true ? old : null };
  });
  const inserted = changes.filter((c) => c.inserted).length;
  return { inserted, updated: changes.length - inserted, unchanged: unique.size - changes.length, changes };
}

/** A tenant's row count in each table, in the order given, in one round trip. */
export async function countSyncedRows(db: Executor, tables: readonly SyncedTable[], tenantId: string): Promise<number[]> {
  if (tables.length === 0) return [];
  const { rows } = await db.execute<{ i: number; records: string }>(
    sql.join(
      tables.map((table, i) => sql`select ${i}::int as i, count(*)::text as records from ${sql.identifier(getTableName(table))} where tenant_id = ${tenantId}`),
      sql` union all `,
    ),
  );
  const counts = new Map(rows.map((r) => [Number(r.i), Number(r.records)]));
  return tables.map((_, i) => counts.get(i) ?? 0);
}

/** Records the ids a reconciling full pass read on one page (in the page's transaction). */
export async function markSeenRows(tx: Executor, key: { tenantId: string; source: string; module: string }, runId: string, ids: readonly (number | string)[]): Promise<void> {
  if (ids.length === 0) return;
  // One jsonb parameter, not 500 rows of bound values: drizzle's builder cost more than the insert.
  const unique = [...new Set(ids.map(String))];
  await tx.execute(sql`
    insert into ${syncSeenRows} (tenant_id, source, module, id, run_id)
    select ${key.tenantId}, ${key.source}, ${key.module}, jsonb_array_elements_text(${JSON.stringify(unique)}::jsonb), ${runId}
    on conflict (tenant_id, source, module, id) do update set run_id = excluded.run_id`);
}

/**
 * At the end of a reconciling full pass: rows it did not see become inactive, rows it saw
 * are active again (a record restored in the vendor may come back with the same content,
 * which the upsert leaves alone). Returns how many rows it deactivated. `table` must have
 * an `active` column.
 */
export async function reconcileUnseenRows(tx: Executor, table: SyncedTable, key: { tenantId: string; source: string; module: string }, runId: string): Promise<number> {
  const seen = sql`exists (select 1 from ${syncSeenRows} s where s.tenant_id = ${key.tenantId} and s.source = ${key.source} and s.module = ${key.module} and s.id = t.id::text and s.run_id = ${runId})`;
  const { rows } = await tx.execute<{ active: boolean }>(
    sql`update ${sql.identifier(getTableName(table))} t set active = ${seen}, synced_at = now() where t.tenant_id = ${key.tenantId} and t.active is distinct from ${seen} returning t.active`,
  );
  await tx.execute(sql`delete from ${syncSeenRows} where tenant_id = ${key.tenantId} and source = ${key.source} and module = ${key.module}`);
  return rows.filter((r) => !r.active).length;
}
