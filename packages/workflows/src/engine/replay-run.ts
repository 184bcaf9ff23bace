import { findWorkflowDefinitionById, findWorkflowRun, listWorkflowStepRuns, type WorkflowRunRow } from '@fieldhand/db';
import { documentOf } from '../definition/stored-definitions.js';
import { asSubjectType, loadSubject } from '../subjects/load-subject.js';
import type { WorkflowDeps } from '../workflow-deps.js';
import { startRun } from './start-run.js';

export class ReplayError extends Error {
  constructor(readonly code: 'run_not_found' | 'run_active' | 'unknown_step', message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

/**
 * Replays a finished run as a new run of the same definition version, linked to
 * the old one, from its start or from a given step (e.g. the one that failed).
 * The new run has its own ledger keys: steps it repeats do act again.
 */
export async function replayRun(deps: WorkflowDeps, tenantId: string, runId: string, from: { step?: string | undefined; failedStep?: boolean | undefined } = {}): Promise<WorkflowRunRow> {
  const old = await findWorkflowRun(deps.db, tenantId, runId);
  if (!old) throw new ReplayError('run_not_found', 'No run with this id');
  // Replaying a run that is still going would run its remaining steps twice.
  if (old.status === 'active') throw new ReplayError('run_active', 'The run is still active; cancel it first');
  const definition = await findWorkflowDefinitionById(deps.db, old.definitionId);
  if (!definition) throw new ReplayError('run_not_found', 'The run\'s definition no longer exists');
  const def = documentOf(definition);
  const failed = from.failedStep ? (await listWorkflowStepRuns(deps.db, old.id)).find((r) => r.status === 'failed')?.stepId : undefined;
  if (from.failedStep && !failed) throw new ReplayError('unknown_step', 'The run has no failed step');
  const step = failed ?? from.step ?? def.start;
  if (!def.steps.some((s) => s.id === step)) throw new ReplayError('unknown_step', `Version ${def.version} of ${def.key} has no step ${step}`);
  const subject = await loadSubject(deps.db, tenantId, asSubjectType(old.subjectType), old.subjectId);
  const result = await startRun(deps, { definition, subject, replayOf: { runId: old.id, fromStep: step, phone: old.phone } });
  if (!result.started) throw new Error('a replay is never blocked by re-entry');
  return result.run;
}
