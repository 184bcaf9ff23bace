import { ghlOpportunities } from '@fieldhand/db';
import type { ChangeEvent, RowChange } from '@fieldhand/sync';
import type { GhlModule } from './ghl-module.js';
import { ghlRow, money, str, time } from './values.js';

type Position = { startAfter: string; startAfterId: string };

function opportunityEvents(change: RowChange): ChangeEvent[] {
  const { old, new: now } = change;
  if (!old) return [];
  const subject = { type: 'ghl-opportunity', id: change.id };
  const refs = { contactId: (now.contact_id as string | null) ?? null, pipelineId: (now.pipeline_id as string | null) ?? null };
  const events: ChangeEvent[] = [];
  if (old.status !== now.status) {
    events.push({ type: 'ghl.opportunity.status_changed', subject, refs, old: { status: old.status }, new: { status: now.status, monetaryValue: now.monetary_value } });
  }
  if (old.pipeline_stage_id !== now.pipeline_stage_id || old.pipeline_id !== now.pipeline_id) {
    events.push({
      type: 'ghl.opportunity.stage_changed',
      subject,
      refs,
      old: { pipelineId: old.pipeline_id, pipelineStageId: old.pipeline_stage_id },
      new: { pipelineId: now.pipeline_id, pipelineStageId: now.pipeline_stage_id, status: now.status },
    });
  }
  return events;
}

export const opportunitiesModule: GhlModule = {
  name: 'opportunities',
  table: ghlOpportunities,
  toRow: (record) => ({
    ...ghlRow(record, record.updatedAt, record.createdAt),
    name: str(record.name),
    status: str(record.status),
    pipeline_id: str(record.pipelineId),
    pipeline_stage_id: str(record.pipelineStageId),
    monetary_value: money(record.monetaryValue),
    contact_id: str(record.contactId),
    assigned_to: str(record.assignedTo),
    date_added: time(record.createdAt),
  }),
  tracked: ['status', 'pipeline_id', 'pipeline_stage_id', 'monetary_value', 'contact_id'],
  events: opportunityEvents,
  reconcile: true,
  /**
   * GET /opportunities/search orders by creation (newest first) and continues with
   * meta.startAfter/startAfterId; it has no order by update. So every pass reads the
   * whole list (100 a page): the last page's cursor is null, the next pass starts over,
   * and the upsert passes over what did not change.
   */
  async fetch(client, cursor, options, signal) {
    const after = cursor ? (JSON.parse(cursor) as Position) : undefined;
    const { opportunities, meta } = await client.searchOpportunities({ limit: options.opportunitiesLimit, status: 'all', startAfter: after?.startAfter, startAfterId: after?.startAfterId }, signal);
    const startAfterId = meta?.startAfterId;
    const startAfter = meta?.startAfter;
    const hasMore = opportunities.length >= options.opportunitiesLimit && typeof startAfterId === 'string' && (typeof startAfter === 'number' || typeof startAfter === 'string');
    return { records: opportunities, cursor: hasMore ? JSON.stringify({ startAfter: String(startAfter), startAfterId }) : null, hasMore };
  },
};
