import { claimVendorWrite, findMessage, findOpenOpportunityOwner, findTenant, findVendorWriteByKey, recordVendorWrite, settleVendorWrite, type MessageRow, type VendorWriteRow } from '@fieldhand/db';
import { UnrecoverableError, type JobData, type FieldhandCatalog } from '@fieldhand/queues';
import { classifyKeyword, classifyReminderAnswer } from '@fieldhand/sms';
import { GhlAuthError, GhlRequestError } from '../client/errors.js';
import type { GhlClient } from '../client/ghl-client.js';
import { contactsWithPhone } from './contacts-by-phone.js';
import type { GhlPushDeps } from './push-deps.js';
import { repliedTo } from './replied-to.js';

export type PushReplyOutcome = { skipped: 'no-ghl' | 'no-message' | 'keyword' | 'no-contact' } | { contactId: string; note: WriteResult; task: WriteResult };
type WriteResult = 'written' | 'found' | 'already-done';

// A write claimed longer ago than this lost its worker mid-call: another attempt may take it.
const CLAIM_TIMEOUT_MS = 3 * 60_000;
// The office gets an hour to call back before GHL shows the task overdue.
const CALL_BACK_WITHIN_MS = 60 * 60_000;

export class GhlWriteInFlightError extends Error {
  constructor(id: string) {
    super(`vendor write ${id} is being made by another worker`);
    this.name = 'GhlWriteInFlightError';
  }
}

/**
 * A customer's reply, as one note and one call-back task on their GHL contact. Each is a
 * vendor write ledger row keyed by the message, so a retried or twin job adds neither
 * twice; GHL has no idempotency key, so an attempt after one that may have reached GHL
 * looks for its note (or task) there before writing.
 */
export async function pushReply(deps: GhlPushDeps, data: JobData<FieldhandCatalog, 'ghl.push-reply'>, options: { lastAttempt?: boolean } = {}): Promise<PushReplyOutcome> {
  const tenant = await findTenant(deps.db, data.tenantId);
  if (!tenant?.ghl) return { skipped: 'no-ghl' };
  const message = await findMessage(deps.db, data.tenantId, data.messageId);
  if (!message || message.direction !== 'inbound' || !message.from) return { skipped: 'no-message' };
  // STOP, HELP, START, C, R: handled by consent and reminders, not news for the office.
  if (classifyKeyword(message.body) || classifyReminderAnswer(message.body)) return { skipped: 'keyword' };
  const client = await deps.clients(data.tenantId);
  const [note, task] = await ledgerRows(deps, client, message);
  if (!note || !task) return { skipped: 'no-contact' };
  const contactId = String(note.target['contactId']);
  return {
    contactId,
    note: await writeOnce(deps, note, options, async (claimed) => {
      const body = String(note.target['body']);
      if (claimed.attempts > 1 && (await client.contactNotes(contactId)).some((n) => n.body === body)) return 'found';
      await client.createNote(contactId, { body });
      return 'written';
    }),
    task: await writeOnce(deps, task, options, async (claimed) => {
      const t = task.target as { title: string; body: string; dueDate: string; assignedTo?: string };
      if (claimed.attempts > 1 && (await client.contactTasks(contactId)).some((x) => x.title === t.title && x.body === t.body)) return 'found';
      await client.createTask(contactId, { title: t.title, body: t.body, dueDate: t.dueDate, completed: false, ...(t.assignedTo ? { assignedTo: t.assignedTo } : {}) });
      return 'written';
    }),
  };
}

/** The note's and task's ledger rows, made the first time: what they say is fixed then, so every retry writes the same. */
async function ledgerRows(deps: GhlPushDeps, client: GhlClient, message: MessageRow): Promise<[VendorWriteRow, VendorWriteRow] | []> {
  const key = (kind: string) => `ghl-reply-${kind}:${message.id}`;
  const [note, task] = await Promise.all([findVendorWriteByKey(deps.db, message.tenantId, key('note')), findVendorWriteByKey(deps.db, message.tenantId, key('task'))]);
  if (note && task) return [note, task];
  const phone = message.from!;
  const [contact] = await contactsWithPhone(deps.db, client, message.tenantId, phone);
  if (!contact) return [];
  const body = `Replied to ${await repliedTo(deps.db, message)}: ${message.body}`;
  const owner = (await findOpenOpportunityOwner(deps.db, message.tenantId, contact.id))?.assignedTo ?? contact.assignedTo;
  const dueDate = new Date(message.createdAt.getTime() + CALL_BACK_WITHIN_MS).toISOString();
  const taskTarget = { contactId: contact.id, title: `Call back ${contact.name ?? phone}`, body, dueDate, ...(owner ? { assignedTo: owner } : {}) };
  const base = { tenantId: message.tenantId, vendor: 'ghl' };
  // A twin that got here first keeps its rows (and its choice of contact).
  return deps.db.transaction(async (tx) => [
    (await recordVendorWrite(tx, { ...base, operation: 'contact.note', key: key('note'), target: { contactId: contact.id, body } })).write,
    (await recordVendorWrite(tx, { ...base, operation: 'contact.task', key: key('task'), target: taskTarget })).write,
  ]);
}

/**
 * One GHL write of a ledger row: claimed first (a twin holding it makes this job retry
 * later); a refused request fails the row for good; anything else leaves it pending for
 * the job's retry, and the last attempt fails it.
 */
async function writeOnce(deps: GhlPushDeps, row: VendorWriteRow, options: { lastAttempt?: boolean }, write: (claimed: VendorWriteRow) => Promise<'written' | 'found'>): Promise<WriteResult> {
  if (row.status === 'done' || row.status === 'failed') return 'already-done';
  const claimed = await claimVendorWrite(deps.db, row.id, new Date(Date.now() - CLAIM_TIMEOUT_MS));
  if (!claimed) throw new GhlWriteInFlightError(row.id);
  try {
    const result = await write(claimed);
    await settleVendorWrite(deps.db, row.id, { status: 'done', responseStatus: result === 'written' ? 201 : 200 });
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof GhlRequestError || err instanceof GhlAuthError) {
      await settleVendorWrite(deps.db, row.id, { status: 'failed', responseStatus: err.statusCode, error: message });
      throw new UnrecoverableError(`GHL refused ${row.operation} for message reply: ${message}`);
    }
    await settleVendorWrite(deps.db, row.id, { status: options.lastAttempt ? 'failed' : 'pending', error: message });
    throw err;
  }
}
