import type { SyncedTable } from '@fieldhand/db';
import type { ChangeEvent, RowChange, SyncModule } from '@fieldhand/sync';
import { str, type StRecord } from './values.js';

/** One ServiceTitan export feed and the table it fills, as the module files declare it. */
export type StModuleSpec = {
  /** Our name for the module (sync_state.module, the API's `modules`). */
  name: string;
  /** URL segments: {api}/{apiModule}/v2/tenant/{tenant}/export/{resource}. */
  apiModule: string;
  resource: string;
  table: SyncedTable;
  /** Typed columns extracted from a record, keyed by column name (id, active, created_on, modified_on and raw are added). */
  columns: (record: StRecord) => StRecord;
  /** Columns whose previous values change detection needs. */
  tracked: readonly string[];
  events?: (change: RowChange) => ChangeEvent[];
  followUps?: SyncModule['followUps'];
  afterBackfill?: SyncModule['afterBackfill'];
};

export type StModule = StModuleSpec & SyncModule;

/** A module spec as a sync module: the record's columns plus the ones every st_* table has (stColumns). */
export function stModule(spec: StModuleSpec): StModule {
  return {
    ...spec,
    toRow: (record) => ({
      ...spec.columns(record),
      id: record.id,
      active: record.active !== false,
      created_on: str(record.createdOn),
      modified_on: str(record.modifiedOn) ?? str(record.createdOn) ?? new Date(0).toISOString(),
      // The vendor record itself goes to `raw` whole.
      raw: record,
    }),
  };
}
