import { claimVendorWrite, findCustomerForGhl, findCustomerLink, linkCustomersToContacts, recordVendorWrite, saveCustomerLink, settleVendorWrite } from '@fieldhand/db';
import { UnrecoverableError } from '@fieldhand/queues';
import type { GhlClient } from '../client/ghl-client.js';
import type { GhlPushDeps } from './push-deps.js';
import { isPermanentGhlError, type PushSkipped } from './push-outcome.js';

function splitName(name: string | null): { firstName?: string; lastName?: string } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return {};
  if (parts.length === 1) return { firstName: parts[0]! };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts.at(-1)! };
}

/**
 * The GHL contact that stands for a ServiceTitan customer: its link, else a contact of
 * the mirror with the same phone or email (linked now), else one we upsert. The upsert
 * goes through the vendor write ledger; GHL's upsert finds an existing contact by phone
 * or email, so a retry after a timeout upserts again instead of searching. `tags` are
 * never sent: in an upsert they replace all of the contact's tags.
 */
export async function contactForCustomer(deps: GhlPushDeps, client: GhlClient, tenantId: string, customerId: number): Promise<{ contactId: string } | PushSkipped> {
  const linked = await findCustomerLink(deps.db, tenantId, customerId);
  if (linked) return { contactId: linked.ghlContactId };
  await linkCustomersToContacts(deps.db, tenantId, [customerId]);
  const matched = await findCustomerLink(deps.db, tenantId, customerId);
  if (matched) return { contactId: matched.ghlContactId };

  const customer = await findCustomerForGhl(deps.db, tenantId, customerId);
  if (!customer) return { status: 'skipped', reason: `customer ${customerId} is not synced` };
  const phone = customer.phones[0];
  const email = customer.emails[0];
  if (!phone && !email) return { status: 'skipped', reason: `customer ${customerId} has no phone or email for a GHL contact` };

  const { write } = await recordVendorWrite(deps.db, { tenantId, vendor: 'ghl', operation: 'upsert-contact', key: `ghl-contact:${customerId}`, target: { customerId } });
  if (write.status === 'failed') throw new UnrecoverableError(`GHL refused the contact of customer ${customerId} before: ${write.lastError ?? 'no detail'}`);
  // An upsert is safe to repeat, so a row left `sending` by a dead (or twin) attempt is taken over at once.
  const claimed = write.status === 'done' ? undefined : await claimVendorWrite(deps.db, write.id, new Date(Date.now() + 1));
  try {
    const answer = await client.upsertContact({ ...splitName(customer.name), ...(customer.name ? { name: customer.name } : {}), ...(phone ? { phone } : {}), ...(email ? { email } : {}), source: 'ServiceTitan' });
    const contactId = answer.contact.id;
    const link = await deps.db.transaction(async (tx) => {
      if (claimed) await settleVendorWrite(tx, write.id, { status: 'done', responseStatus: 200 });
      return saveCustomerLink(tx, { tenantId, stCustomerId: customerId, ghlContactId: contactId, matchedBy: 'created' });
    });
    deps.logger.info({ customerId, contactId: link.ghlContactId, created: answer.new }, 'GHL contact upserted for a ServiceTitan customer');
    return { contactId: link.ghlContactId };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (claimed) await settleVendorWrite(deps.db, write.id, { status: isPermanentGhlError(error) ? 'failed' : 'pending', error: message.slice(0, 2_000), responseStatus: (error as { statusCode?: number }).statusCode ?? null });
    throw error;
  }
}
