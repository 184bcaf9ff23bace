import { sql, type SQL } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { Database } from '@fieldhand/db';
import type { RowChange, StModule } from '../modules/index.js';
import { str, type StRecord } from '../modules/values.js';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export type UpsertResult = { inserted: number; updated: number; unchanged: number; changes: RowChange[] };

type Statement = { columns: { name: string; type: string }[]; types: Map<string, string>; text: string };
const statements = new WeakMap<StModule, Statement>();

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Builds the one statement that applies a page: the page goes in as a single jsonb
 * parameter, `previous` reads the stored values in the same snapshot, and the upsert
 * only touches rows whose record really changed (and never goes back to an older one).
 */
function statementFor(module: StModule): Statement {
  const cached = statements.get(module);
  if (cached) return cached;
  const config = getTableConfig(module.table);
  const table = q(config.name);
  const columns = config.columns.filter((c) => c.name !== 'tenant_id' && c.name !== 'synced_at').map((c) => ({ name: c.name, type: c.getSQLType() }));
  const names = columns.map((c) => q(c.name));
  const tracked = module.tracked.map(q);
  const text = `
with input as (
  select * from jsonb_to_recordset($2::jsonb) as x(${columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')})
), previous as (
  select t.id${tracked.map((c) => `, t.${c}`).join('')} from ${table} t join input i on t.tenant_id = $1 and t.id = i.id
), applied as (
  insert into ${table} as t (tenant_id, ${names.join(', ')}, synced_at)
  select $1, ${names.map((n) => `i.${n}`).join(', ')}, now() from input i
  on conflict (tenant_id, id) do update set ${[...names.filter((n) => n !== '"id"'), '"synced_at"'].map((n) => `${n} = excluded.${n}`).join(', ')}
  where t.raw is distinct from excluded.raw and t.modified_on <= excluded.modified_on
  returning t.id, t.modified_on${tracked.map((c) => `, t.${c}`).join('')}
)
select a.*${module.tracked.map((c) => `, p.${q(c)} as ${q(`old.${c}`)}`).join('')}, (p.id is not null) as existed
from applied a left join previous p on p.id = a.id`;
  const statement = { columns, types: new Map(columns.map((c) => [c.name, c.type])), text };
  statements.set(module, statement);
  return statement;
}

/** Column values for one record; the vendor record itself goes to `raw` whole. */
export function toRow(module: StModule, record: StRecord): StRecord {
  return {
    ...module.columns(record),
    id: record.id,
    active: record.active !== false,
    created_on: str(record.createdOn),
    modified_on: str(record.modifiedOn) ?? str(record.createdOn) ?? new Date(0).toISOString(),
    raw: record,
  };
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

/** Applies one export page to the module's table in one statement, reporting what changed. */
export async function upsertPage(tx: Tx, module: StModule, tenantId: string, records: readonly StRecord[]): Promise<UpsertResult> {
  // The same record twice in one page would make ON CONFLICT touch a row twice; the later copy wins.
  const unique = new Map<unknown, StRecord>();
  for (const record of records) unique.set(record.id, record);
  if (unique.size === 0) return { inserted: 0, updated: 0, unchanged: 0, changes: [] };
  const statement = statementFor(module);
  const rows = [...unique.values()].map((r) => toRow(module, r));
  const result = await tx.execute<StRecord>(bind(statement.text, [tenantId, JSON.stringify(rows)]));
  const changes: RowChange[] = result.rows.map((row) => {
    const now: StRecord = {};
    const old: StRecord = {};
    for (const c of module.tracked) {
      now[c] = plain(row[c], statement.types.get(c));
      old[c] = plain(row[`old.${c}`], statement.types.get(c));
    }
    return { id: Number(row.id), inserted: row.existed !== true, modifiedOn: new Date(row.modified_on as string), new: now, old: row.existed === true ? old : null };
  });
  const inserted = changes.filter((c) => c.inserted).length;
  return { inserted, updated: changes.length - inserted, unchanged: unique.size - changes.length, changes };
}
