import type { PgTable } from 'drizzle-orm/pg-core';
import type { DomainEventType } from '@fieldhand/queues';
import type { StRecord } from './values.js';

/** What one applied row looked like before and after (tracked columns only; old is null for an insert). */
export type RowChange = {
  id: number;
  inserted: boolean;
  modifiedOn: Date;
  new: StRecord;
  old: StRecord | null;
};

export type ChangeEvent = {
  type: DomainEventType;
  subject: { type: string; id: number };
  refs: Record<string, number | null>;
  old: StRecord | null;
  new: StRecord;
};

/** One ServiceTitan export feed and the table it fills. */
export type StModule = {
  /** Our name for the module (sync_state.module, the API's `modules`). */
  name: string;
  /** Scheduling group: modules that are synced together. */
  group: 'crm' | 'jobs' | 'sales' | 'accounting' | 'settings' | 'equipment';
  /** URL segments: {api}/{apiModule}/v2/tenant/{tenant}/export/{resource}. */
  apiModule: string;
  resource: string;
  table: PgTable;
  /** Typed columns extracted from a record, keyed by column name (id, active, created_on, modified_on and raw are added). */
  columns: (record: StRecord) => StRecord;
  /** Columns whose previous values change detection needs. */
  tracked: readonly string[];
  events?: (change: RowChange) => ChangeEvent[];
};
