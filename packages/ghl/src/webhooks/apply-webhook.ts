import { updateTenant, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import { normalizePhone } from '@fieldhand/phone';
import type { FieldhandCatalog, JobBus, JobData } from '@fieldhand/queues';
import { setConsentFromGhl } from '@fieldhand/sms';

export type GhlWebhookDeps = { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger };
export type GhlWebhookJob = JobData<FieldhandCatalog, 'ghl.webhook'>;
export type GhlWebhookOutcome = { consent?: 'opted_out' | 'opted_in' | 'unchanged'; resync?: string; uninstalled?: boolean; ignored?: boolean };

const CONTACT_EVENTS = new Set(['ContactCreate', 'ContactUpdate', 'ContactDelete', 'ContactDndUpdate', 'ContactTagUpdate']);
const OPPORTUNITY_EVENTS = new Set([
  'OpportunityCreate',
  'OpportunityUpdate',
  'OpportunityDelete',
  'OpportunityStatusUpdate',
  'OpportunityStageUpdate',
  'OpportunityMonetaryValueUpdate',
]);
const SMS_DND_ON = new Set(['active', 'permanent']);

/**
 * What a contact event says about texting: opted out when its SMS DND (or the global DND)
 * is on, opted in when it is explicitly off; undefined when the event does not say.
 */
export function smsDndOf(event: Record<string, unknown>): boolean | undefined {
  const settings = event['dndSettings'] as Record<string, { status?: unknown } | undefined> | undefined;
  const sms = settings?.['SMS']?.status;
  if (event['dnd'] === true) return true;
  if (typeof sms === 'string') return SMS_DND_ON.has(sms);
  if (event['dnd'] === false) return false;
  return undefined;
}

/**
 * Applies one verified GHL webhook. An SMS DND change becomes a consent change with
 * source `ghl` through the one consent home (GHL may lift only its own opt-outs); a
 * changed contact or opportunity asks for an incremental pass of that module, so the
 * mirror converges on GHL's state whatever order webhooks came in (and a missed one is
 * caught by the reconciliation pass); an uninstall disconnects the tenant's location.
 */
export async function applyGhlWebhook(deps: GhlWebhookDeps, job: GhlWebhookJob): Promise<GhlWebhookOutcome> {
  const { tenantId, type, event } = job;
  if (type === 'AppUninstall') {
    await updateTenant(deps.db, tenantId, { ghl: null });
    deps.logger.warn({ tenantId, locationId: event['locationId'] }, 'GHL app uninstalled: the location is disconnected and its sync stops');
    return { uninstalled: true };
  }
  const outcome: GhlWebhookOutcome = {};
  if (CONTACT_EVENTS.has(type) && type !== 'ContactDelete') {
    const dnd = smsDndOf(event);
    const phone = typeof event['phone'] === 'string' ? normalizePhone(event['phone']) : undefined;
    if (dnd !== undefined && phone) {
      const { changed } = await setConsentFromGhl(deps, { tenantId, phone, optOut: dnd, keyword: null });
      outcome.consent = changed ? (dnd ? 'opted_out' : 'opted_in') : 'unchanged';
    }
  }
  const module = CONTACT_EVENTS.has(type) ? 'contacts' : OPPORTUNITY_EVENTS.has(type) ? 'opportunities' : undefined;
  if (!module) return { ...outcome, ignored: outcome.consent === undefined };
  // One pass per module and few seconds, however many webhooks arrive together.
  const slot = Math.floor(Date.now() / 5_000);
  await deps.bus.enqueue('sync.start', { tenantId, source: 'ghl', modules: [module] }, { jobId: `ghl-resync-${tenantId}-${module}-${slot}` });
  return { ...outcome, resync: module };
}
