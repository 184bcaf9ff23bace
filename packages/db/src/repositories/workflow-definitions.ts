import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { workflowDefinitions } from '../schema/index.js';

export type WorkflowDefinitionRow = typeof workflowDefinitions.$inferSelect;

/** A validated workflow document; the package that validates it also reads it back (`@fieldhand/workflows`). */
export type WorkflowDocument = Record<string, unknown>;

export type NewWorkflowDefinition = { tenantId: string; key: string; name: string; document: WorkflowDocument; shipped: boolean };

/**
 * Stores the next version of a key (version 1 for a new key), with the version written
 * into its document too. A new version keeps the key's enabled state.
 */
export async function insertWorkflowDefinitionVersion(db: Database, definition: NewWorkflowDefinition): Promise<WorkflowDefinitionRow> {
  const { tenantId, key } = definition;
  return db.transaction(async (tx) => {
    // Serialises concurrent saves of one key so two cannot take the same version.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`wf-def:${tenantId}:${key}`}))`);
    const [latest] = await tx
      .select({ version: workflowDefinitions.version, enabled: workflowDefinitions.enabled })
      .from(workflowDefinitions)
      .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, key)))
      .orderBy(desc(workflowDefinitions.version))
      .limit(1);
    const version = (latest?.version ?? 0) + 1;
    const [row] = await tx
      .insert(workflowDefinitions)
      .values({ tenantId, key, version, name: definition.name, document: { ...definition.document, version }, enabled: latest?.enabled ?? false, shipped: definition.shipped })
      .returning();
    return row!;
  });
}

/** Version 1 of a shipped workflow, disabled; nothing when the tenant already has the key. */
export async function insertShippedWorkflowDefinition(db: Executor, definition: Omit<NewWorkflowDefinition, 'shipped'>): Promise<void> {
  await db
    .insert(workflowDefinitions)
    .values({ tenantId: definition.tenantId, key: definition.key, version: 1, name: definition.name, document: { ...definition.document, version: 1 }, enabled: false, shipped: true })
    .onConflictDoNothing();
}

/** The newest version of every key, or of the enabled keys only. */
export async function latestWorkflowDefinitions(db: Database, tenantId: string, options: { enabledOnly?: boolean } = {}): Promise<WorkflowDefinitionRow[]> {
  return db
    .selectDistinctOn([workflowDefinitions.key])
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, tenantId), options.enabledOnly ? eq(workflowDefinitions.enabled, true) : undefined))
    .orderBy(workflowDefinitions.key, desc(workflowDefinitions.version));
}

/** One version of a key, or its newest. */
export async function findWorkflowDefinition(db: Executor, tenantId: string, key: string, version?: number): Promise<WorkflowDefinitionRow | undefined> {
  const [row] = await db
    .select()
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, key), version === undefined ? undefined : eq(workflowDefinitions.version, version)))
    .orderBy(desc(workflowDefinitions.version))
    .limit(1);
  return row;
}

export async function findWorkflowDefinitionById(db: Executor, id: string): Promise<WorkflowDefinitionRow | undefined> {
  const [row] = await db.select().from(workflowDefinitions).where(eq(workflowDefinitions.id, id));
  return row;
}

/** Every version of a key, newest first. */
export async function workflowDefinitionVersions(db: Executor, tenantId: string, key: string): Promise<number[]> {
  const rows = await db
    .select({ version: workflowDefinitions.version })
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, key)))
    .orderBy(desc(workflowDefinitions.version));
  return rows.map((r) => r.version);
}

/** Turns a key on or off on every version; false when the key does not exist. */
export async function setWorkflowDefinitionEnabled(db: Executor, tenantId: string, key: string, enabled: boolean): Promise<boolean> {
  const rows = await db
    .update(workflowDefinitions)
    .set({ enabled })
    .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, key)))
    .returning({ id: workflowDefinitions.id });
  return rows.length > 0;
}
