import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

const forTenant = tenantScoped.extend({ tenantId: z.uuid() });

export const ghlJobs = {
  // A verified GoHighLevel webhook, stored in the inbox first (unique on webhookId). The
  // sync worker applies what it says: an SMS DND change to consent, a changed record to
  // the mirror, an uninstall to the tenant's GHL connection.
  'ghl.webhook': {
    queue: 'sync',
    schema: tenantScoped.extend({
      tenantId: z.uuid(),
      webhookId: z.string().min(1).max(200),
      type: z.string().min(1).max(100),
      // The flat event as GHL sent it (its own fields vary by type).
      event: z.record(z.string(), z.unknown()),
    }),
  },
  // One ServiceTitan estimate made (or kept) exactly one GHL opportunity in the tenant's
  // estimate pipeline, through the vendor write ledger.
  'ghl.push-estimate': { queue: 'ghl-push', schema: forTenant.extend({ estimateId: z.number().int() }) },
  // Every estimate of the tenant pushed: the estimate pipeline was just set.
  'ghl.push-estimates': { queue: 'ghl-push', schema: forTenant },
  // An opt-out (or opt-in) recorded in Fieldhand, mirrored to the linked GHL contacts' SMS DND.
  'ghl.push-consent': { queue: 'ghl-push', schema: forTenant.extend({ phone: z.string().min(1), optedOut: z.boolean(), eventId: z.string().min(1).max(200) }) },
  // A customer's reply to one of our texts, as a note and a call-back task on the linked GHL contact.
  'ghl.push-reply': { queue: 'ghl-push', schema: forTenant.extend({ messageId: z.uuid() }) },
} as const;
