import { sql } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { historyEntry } from './messages.js';
import type { InboxRow } from './webhook-inbox.js';

export type InboundText = {
  /** The message's id, chosen by the caller so the follow-up job's payload can name it. */
  id: string;
  tenantId: string;
  to: string;
  from: string;
  body: string;
  twilioSid: string;
  segments: number;
  correlationId: string;
  /** The inbox row of the follow-up job; queue, job name and payload come from the job catalog. */
  inbox: { provider: string; queue: string; jobName: string; payload: Record<string, unknown> };
};

/** What enqueueing an inbox row needs. */
export type InboxJob = Pick<InboxRow, 'id' | 'queue' | 'jobName' | 'payload' | 'correlationId'>;

/**
 * Stores inbound texts in the ledger and their inbox rows in one statement: one round
 * trip for a whole batch, atomic without a transaction, and the same statement inside
 * one. Answers in input order; undefined where the MessageSid was already stored (a
 * redelivery) or repeats earlier in the batch.
 */
export async function insertInboundTexts(db: Executor, texts: readonly InboundText[]): Promise<Array<InboxJob | undefined>> {
  if (texts.length === 0) return [];
  const history = JSON.stringify([historyEntry('received', 'webhook')]);
  // One array parameter per column (drizzle would otherwise spread an array into a list).
  const column = <T>(pick: (t: InboundText) => T) => sql.param(texts.map(pick));
  const { rows } = await db.execute<InboxJob & { externalId: string }>(sql`
    with input as (
      select * from unnest(
        ${column((t) => t.id)}::uuid[], ${column((t) => t.tenantId)}::uuid[], ${column((t) => t.to)}::text[], ${column((t) => t.from)}::text[],
        ${column((t) => t.body)}::text[], ${column((t) => t.twilioSid)}::text[], ${column((t) => t.segments)}::int[],
        ${column((t) => t.correlationId)}::text[], ${column((t) => t.inbox.provider)}::text[], ${column((t) => t.inbox.queue)}::text[],
        ${column((t) => t.inbox.jobName)}::text[], ${column((t) => JSON.stringify(t.inbox.payload))}::jsonb[]
      ) with ordinality as i(id, tenant_id, "to", "from", body, twilio_sid, segments, correlation_id, provider, queue, job_name, payload, n)
    ),
    message as (
      insert into messages (id, tenant_id, direction, "to", "from", body, status, twilio_sid, segments, status_history, correlation_id)
      select id, tenant_id, 'inbound', "to", "from", body, 'received', twilio_sid, segments, ${history}::jsonb, correlation_id
      from input order by n
      on conflict (twilio_sid) do nothing
      returning id
    )
    insert into webhook_inbox (provider, external_id, tenant_id, queue, job_name, payload, correlation_id)
    select i.provider, i.twilio_sid, i.tenant_id, i.queue, i.job_name, i.payload, i.correlation_id
    from message m join input i on i.id = m.id
    order by i.n
    on conflict do nothing
    returning id, external_id as "externalId", queue, job_name as "jobName", payload, correlation_id as "correlationId"`);
  const bySid = new Map(rows.map(({ externalId, ...job }) => [externalId, job]));
  // The first text with a MessageSid takes its row; a repeat in the same batch is a redelivery.
  return texts.map((t) => {
    const job = bySid.get(t.twilioSid);
    bySid.delete(t.twilioSid);
    return job;
  });
}
