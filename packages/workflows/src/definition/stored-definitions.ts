import { insertShippedWorkflowDefinition, insertWorkflowDefinitionVersion, type Database, type WorkflowDefinitionRow } from '@fieldhand/db';
import { SHIPPED_WORKFLOWS } from '../shipped/index.js';
import type { Definition } from './definition-schema.js';
import { validateDefinition, type DefinitionIssue } from './validate-definition.js';

export class InvalidDefinitionError extends Error {
  constructor(readonly issues: DefinitionIssue[]) {
    super(`Invalid workflow definition: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidDefinitionError';
  }
}

/** A stored version's document. Only validated documents are stored, so it is not parsed again on every step. */
export const documentOf = (row: WorkflowDefinitionRow): Definition => row.document as unknown as Definition;

/**
 * Saves a new version of a definition (version 1 for a new key). A new version
 * keeps the key's enabled state; runs already started stay on their version.
 */
export async function saveDefinition(db: Database, tenantId: string, input: unknown, options: { shipped?: boolean } = {}): Promise<WorkflowDefinitionRow> {
  const result = validateDefinition(input);
  if (!result.ok) throw new InvalidDefinitionError(result.issues);
  const def = result.definition;
  return insertWorkflowDefinitionVersion(db, { tenantId, key: def.key, name: def.name, document: def, shipped: options.shipped ?? false });
}

/** Copies the shipped workflows in for a tenant (disabled) the first time it looks at its workflows. */
export async function ensureShippedDefinitions(db: Database, tenantId: string): Promise<void> {
  for (const input of SHIPPED_WORKFLOWS) {
    const result = validateDefinition(input);
    if (!result.ok) throw new InvalidDefinitionError(result.issues);
    await insertShippedWorkflowDefinition(db, { tenantId, key: input.key, name: input.name, document: result.definition });
  }
}
