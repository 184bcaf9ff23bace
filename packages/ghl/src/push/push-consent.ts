import { findConsent, findTenant } from '@fieldhand/db';
import type { JobData, FieldhandCatalog } from '@fieldhand/queues';
import { GhlRequestError, GhlRetryableError } from '../client/errors.js';
import type { GhlClient } from '../client/ghl-client.js';
import { contactsWithPhone } from './contacts-by-phone.js';
import type { GhlPushDeps } from './push-deps.js';

export type PushConsentOutcome =
  | { skipped: 'no-ghl' | 'superseded' | 'from-ghl' | 'no-contact' }
  | { contacts: Array<{ id: string; result: 'written' | 'already' | 'kept-permanent' | 'gone' }> };

const smsDndStatus = (contact: Record<string, unknown>): string | undefined =>
  ((contact['dndSettings'] as Record<string, { status?: unknown } | undefined> | undefined)?.['SMS']?.status as string | undefined) ?? undefined;

/**
 * Mirrors a consent change made in Fieldhand to the SMS DND of the GHL contacts with that
 * phone: an opt-out sets it active, an opt-in lifts an active one (a `permanent` DND is
 * GHL's own and stays). Decided on the consent as it is now: a change GHL made itself is
 * never echoed back, and one a later change replaced is left to that change's job.
 */
export async function pushConsent(deps: GhlPushDeps, data: JobData<FieldhandCatalog, 'ghl.push-consent'>): Promise<PushConsentOutcome> {
  const tenant = await findTenant(deps.db, data.tenantId);
  if (!tenant?.ghl) return { skipped: 'no-ghl' };
  const consent = await findConsent(deps.db, data.tenantId, data.phone);
  if (!consent || consent.smsOptOut !== data.optedOut) return { skipped: 'superseded' };
  if (consent.source === 'ghl') return { skipped: 'from-ghl' };
  const client = await deps.clients(data.tenantId);
  const contacts = await contactsWithPhone(deps.db, client, data.tenantId, data.phone);
  if (contacts.length === 0) return { skipped: 'no-contact' };
  const results: Array<{ id: string; result: 'written' | 'already' | 'kept-permanent' | 'gone' }> = [];
  for (const { id } of contacts) results.push({ id, result: await setSmsDnd(client, id, data.optedOut, consent.keyword) });
  deps.logger.info({ tenantId: data.tenantId, optedOut: data.optedOut, contacts: results }, 'consent mirrored to GHL SMS DND');
  return { contacts: results };
}

async function setSmsDnd(client: GhlClient, contactId: string, optedOut: boolean, keyword: string | null): Promise<'written' | 'already' | 'kept-permanent' | 'gone'> {
  let current: Record<string, unknown>;
  try {
    current = await client.getContact(contactId);
  } catch (err) {
    // Deleted in GHL since the mirror saw it: nothing to mark.
    if (err instanceof GhlRequestError && (err.statusCode === 400 || err.statusCode === 404)) return 'gone';
    throw err;
  }
  const status = smsDndStatus(current);
  if (status === 'permanent') return 'kept-permanent';
  const wanted = optedOut ? 'active' : 'inactive';
  if ((status ?? 'inactive') === wanted) return 'already';
  const message = optedOut ? `Opted out in Fieldhand${keyword ? ` (${keyword.slice(0, 40)})` : ''}` : 'Opted back in to texts in Fieldhand';
  // Only the SMS channel: the office's DND on other channels is theirs.
  await client.updateContact(contactId, { dndSettings: { SMS: { status: wanted, message } } });
  // GHL's contact writes have dropped fields before (docs issues #37, #337): check it took.
  const after = smsDndStatus(await client.getContact(contactId));
  if ((after ?? 'inactive') !== wanted) throw new GhlRetryableError(`GHL contact ${contactId} reads SMS DND ${after ?? 'unset'} after we wrote ${wanted}`, undefined);
  return 'written';
}
