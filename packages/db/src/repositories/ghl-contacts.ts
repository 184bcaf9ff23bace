import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { ghlContacts, ghlOpportunities, ghlPipelines } from '../schema/index.js';

export type GhlContactRow = typeof ghlContacts.$inferSelect;
export type GhlPipelineRow = typeof ghlPipelines.$inferSelect;

/** The tenant's mirrored GHL contacts with this phone (E.164), most recently updated first. */
export async function findGhlContactsByPhone(db: Executor, tenantId: string, phone: string): Promise<GhlContactRow[]> {
  return db
    .select()
    .from(ghlContacts)
    .where(and(eq(ghlContacts.tenantId, tenantId), eq(ghlContacts.phone, phone), eq(ghlContacts.active, true)))
    .orderBy(desc(ghlContacts.modifiedOn), asc(ghlContacts.id));
}

/** Who owns the contact's open opportunity (the most recently updated one), when anyone does. */
export async function findOpenOpportunityOwner(db: Executor, tenantId: string, contactId: string): Promise<{ opportunityId: string; assignedTo: string | null } | undefined> {
  const [row] = await db
    .select({ opportunityId: ghlOpportunities.id, assignedTo: ghlOpportunities.assignedTo })
    .from(ghlOpportunities)
    .where(and(eq(ghlOpportunities.tenantId, tenantId), eq(ghlOpportunities.contactId, contactId), eq(ghlOpportunities.status, 'open'), eq(ghlOpportunities.active, true)))
    // One with an owner before one without.
    .orderBy(sql`${ghlOpportunities.assignedTo} is null`, desc(ghlOpportunities.modifiedOn), asc(ghlOpportunities.id))
    .limit(1);
  return row;
}

/** The tenant's mirrored GHL pipelines as synced (stages whole), by name. */
export async function listSyncedGhlPipelines(db: Executor, tenantId: string): Promise<GhlPipelineRow[]> {
  return db
    .select()
    .from(ghlPipelines)
    .where(and(eq(ghlPipelines.tenantId, tenantId), eq(ghlPipelines.active, true)))
    .orderBy(asc(ghlPipelines.name), asc(ghlPipelines.id));
}
