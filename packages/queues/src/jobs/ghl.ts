import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

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
} as const;
