import type { Database, SyncedRow, SyncedRowChange, SyncedTable, TenantRow } from '@fieldhand/db';
import type { DomainEventType, FieldhandCatalog, OutboxJob } from '@fieldhand/queues';

/** A vendor record as its API returned it. */
export type SourceRecord = Record<string, unknown>;

/** One page of a module's feed. */
export type SourcePage = {
  records: SourceRecord[];
  /**
   * Where the next page starts; stored in sync_state only once this page is committed.
   * Null on a last page: the next pass starts from the beginning (a feed with no order
   * by change, read whole every pass).
   */
  cursor: string | null;
  hasMore: boolean;
};

/** A committed row's tracked columns before and after (old is null for an insert). */
export type RowChange = SyncedRowChange;

/** A change that workflows may act on; the engine adds tenant, event id, source and time. */
export type ChangeEvent = {
  type: DomainEventType;
  /** ServiceTitan ids are numbers, GHL ids strings. */
  subject: { type: string; id: number | string };
  refs: Record<string, number | string | null>;
  old: SourceRecord | null;
  new: SourceRecord;
};

/** One feed of a source and the table it fills. */
export type SyncModule = {
  /** sync_state.module and the API's `modules`; unique within its source. */
  name: string;
  /** The mirror table (packages/db/src/schema). */
  table: SyncedTable;
  /** The record as a row of `table`, keyed by column name: id, modified_on and raw at least. */
  toRow(record: SourceRecord): SyncedRow;
  /** Columns whose previous values `events` compares. */
  tracked: readonly string[];
  /** The change events one applied row stands for. */
  events?(change: RowChange): ChangeEvent[];
  /**
   * The feed never reports deletions: a completed full pass marks the rows it did not
   * read inactive (the table needs an `active` column).
   */
  reconcile?: boolean;
  /**
   * Jobs an event of this module leads to besides its workflow.domain-event (a push of
   * the changed record to another system), under ids derived from `eventId`.
   */
  followUps?(tenantId: string, eventId: string, event: ChangeEvent): Array<OutboxJob<FieldhandCatalog> & { tenantId: string }>;
  /** Jobs to run once a first pass (which emits no events) has brought the module in. */
  afterBackfill?(tenantId: string, runId: string): Array<OutboxJob<FieldhandCatalog> & { tenantId: string }>;
};

/** What the API and the planner know of a source without talking to its vendor. */
export type SyncSourceDefinition<M extends SyncModule = SyncModule> = {
  /** sync_state.source and the `source` of jobs and the API (/^[a-z][a-z0-9-]{0,31}$/). */
  name: string;
  /** In the order a first sync reads them. */
  modules: readonly M[];
  /** Whether the tenant holds what this source needs (its credentials). */
  configured(tenant: TenantRow): boolean;
  /** The tenants the planner keeps in sync. */
  tenantIds(db: Database): Promise<string[]>;
  /**
   * When set, the planner starts a full pass of each module once the last one is this old
   * (for a vendor whose missed changes and deletions only a re-read finds).
   */
  fullPassIntervalSeconds?: number;
};

/**
 * A source the sync worker runs. `fetchPage` reads one page of a module from `cursor`
 * (null: the beginning). An error it throws with `permanent: true` fails the page job at
 * once; any other error is retried with the job's backoff, from the same cursor.
 */
export type SyncSource<M extends SyncModule = SyncModule> = SyncSourceDefinition<M> & {
  fetchPage(tenantId: string, module: M, cursor: string | null, signal: AbortSignal): Promise<SourcePage>;
};

/** The error says retrying cannot help (a source's client marks it `permanent`). */
export function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}
