import { and, desc, eq, sql } from 'drizzle-orm';
import { workflowDefinitions, type Database } from '@fieldhand/db';
import type { Definition } from '../definition/definition-schema.js';
import { validateDefinition, type DefinitionIssue } from '../definition/validate-definition.js';
import { SHIPPED_WORKFLOWS } from '../shipped/index.js';

export type DefinitionRow = typeof workflowDefinitions.$inferSelect;

export class InvalidDefinitionError extends Error {
  constructor(readonly issues: DefinitionIssue[]) {
    super(`Invalid workflow definition: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidDefinitionError';
  }
}

export const documentOf = (row: DefinitionRow): Definition => row.document as unknown as Definition;

/**
 * Saves a new version of a definition (version 1 for a new key). A new version
 * keeps the key's enabled state; runs already started stay on their version.
 */
export async function saveDefinition(db: Database, tenantId: string, input: unknown, options: { shipped?: boolean } = {}): Promise<DefinitionRow> {
  const result = validateDefinition(input);
  if (!result.ok) throw new InvalidDefinitionError(result.issues);
  const def = result.definition;
  return db.transaction(async (tx) => {
    // Serialises concurrent saves of one key so two cannot take the same version.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`wf-def:${tenantId}:${def.key}`}))`);
    const [latest] = await tx
      .select({ version: workflowDefinitions.version, enabled: workflowDefinitions.enabled })
      .from(workflowDefinitions)
      .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, def.key)))
      .orderBy(desc(workflowDefinitions.version))
      .limit(1);
    const version = (latest?.version ?? 0) + 1;
    const document = { ...def, version };
    const [row] = await tx
      .insert(workflowDefinitions)
      .values({ tenantId, key: def.key, version, name: def.name, document, enabled: latest?.enabled ?? false, shipped: options.shipped ?? false })
      .returning();
    return row!;
  });
}

/** Copies the shipped workflows in for a tenant (disabled) the first time it looks at its workflows. */
export async function ensureShippedDefinitions(db: Database, tenantId: string): Promise<void> {
  for (const input of SHIPPED_WORKFLOWS) {
    const result = validateDefinition(input);
    if (!result.ok) throw new InvalidDefinitionError(result.issues);
    await db
      .insert(workflowDefinitions)
      .values({ tenantId, key: input.key, version: 1, name: input.name, document: { ...result.definition, version: 1 }, enabled: false, shipped: true })
      .onConflictDoNothing();
  }
}

/** The newest version of every key, or of the enabled keys only. */
export async function latestDefinitions(db: Database, tenantId: string, options: { enabledOnly?: boolean } = {}): Promise<DefinitionRow[]> {
  const rows = await db
    .selectDistinctOn([workflowDefinitions.key])
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, tenantId), options.enabledOnly ? eq(workflowDefinitions.enabled, true) : undefined))
    .orderBy(workflowDefinitions.key, desc(workflowDefinitions.version));
  return rows;
}

export async function findDefinition(db: Database, tenantId: string, key: string, version?: number): Promise<DefinitionRow | undefined> {
  const [row] = await db
    .select()
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, key), version === undefined ? undefined : eq(workflowDefinitions.version, version)))
    .orderBy(desc(workflowDefinitions.version))
    .limit(1);
  return row;
}

export async function findDefinitionById(db: Database, id: string): Promise<DefinitionRow | undefined> {
  const [row] = await db.select().from(workflowDefinitions).where(eq(workflowDefinitions.id, id));
  return row;
}

export async function definitionVersions(db: Database, tenantId: string, key: string): Promise<number[]> {
  const rows = await db
    .select({ version: workflowDefinitions.version })
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, key)))
    .orderBy(desc(workflowDefinitions.version));
  return rows.map((r) => r.version);
}

/** Turns a key on or off for the tenant; returns false when the key does not exist. */
export async function setDefinitionEnabled(db: Database, tenantId: string, key: string, enabled: boolean): Promise<boolean> {
  const rows = await db
    .update(workflowDefinitions)
    .set({ enabled })
    .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, key)))
    .returning({ id: workflowDefinitions.id });
  return rows.length > 0;
}
