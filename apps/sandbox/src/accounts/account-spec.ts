import { z } from 'zod';
import { loopbackUrl } from '../util/loopback-url.js';

/** What a caller may say about a new set of vendor accounts; everything has a default. */
export const accountSpecSchema = z.object({
  seed: z.number().int().optional(),
  /** Customers in the ServiceTitan dataset (about 12 records each across resources). */
  size: z.number().int().min(0).max(5_000_000).optional(),
  /** Generated history ends here (ISO date); defaults to today 00:00 UTC. */
  anchor: z.string().datetime({ offset: true }).optional(),
  servicetitan: z
    .object({
      tenantId: z.number().int().positive().optional(),
      clientId: z.string().min(1).optional(),
      clientSecret: z.string().min(1).optional(),
      appKey: z.string().min(1).optional(),
      exportPageSize: z.number().int().min(1).max(5_000).optional(),
    })
    .optional(),
  ghl: z
    .object({
      locationId: z.string().min(1).optional(),
      token: z.string().min(1).optional(),
      // Past 10,000 so a client must page with searchAfter (page-based paging stops there).
      contacts: z.number().int().min(0).max(200_000).optional(),
      opportunities: z.number().int().min(0).max(200_000).optional(),
    })
    .optional(),
  twilio: z
    .object({
      accountSid: z.string().regex(/^AC[0-9a-f]{32}$/).optional(),
      authToken: z.string().min(1).optional(),
      numbers: z.array(z.object({ phoneNumber: z.string().regex(/^\+\d{8,15}$/), smsUrl: loopbackUrl.nullable().optional() })).optional(),
    })
    .optional(),
});

export type AccountSpec = z.infer<typeof accountSpecSchema>;
