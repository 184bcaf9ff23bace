export { CONDITION_OPS, definitionInputSchema, type Condition, type Definition, type DefinitionInput, type Reentry, type Step, type StepType, type StopCondition } from './definition/definition-schema.js';
export { firstFailedCondition, type FailedCondition } from './definition/evaluate-conditions.js';
export { validateDefinition, type DefinitionIssue, type ValidationResult } from './definition/validate-definition.js';
export { EVENT_SUBJECTS, SUBJECT_TYPES, SUBJECT_VARIABLES, TRIGGER_EVENTS, type SubjectType, type SubjectVars } from './definition/variables.js';
export { dryRun, type DryRunResult, type DryRunStep } from './engine/dry-run.js';
export { enqueueStep } from './engine/enqueue-step.js';
export { fromDomainEvent, fromSmsEvent, handleWorkflowEvent, type Evaluation, type WorkflowEvent } from './engine/handle-event.js';
export { reconcileRuns, type ReconcileOptions } from './engine/reconcile-runs.js';
export { replayRun, ReplayError } from './engine/replay-run.js';
export { runStep, type StepJob, type StepJobResult } from './engine/run-step.js';
export { startRun, type StartResult } from './engine/start-run.js';
export { SHIPPED_WORKFLOWS } from './shipped/index.js';
export {
  definitionVersions,
  documentOf,
  ensureShippedDefinitions,
  findDefinition,
  InvalidDefinitionError,
  latestDefinitions,
  saveDefinition,
  setDefinitionEnabled,
  type DefinitionRow,
} from './store/definitions.js';
export { listWorkflowEvents, type WorkflowEventRow } from './store/events.js';
export { cancelRun, findRun, listRuns, smsIdempotencyKey, stepRunsOf, type RunFilter, type RunRow, type RunStatus, type StepRunRow } from './store/runs.js';
export { loadSubject, type Subject } from './subjects/load-subject.js';
export { nowOf, type WorkflowDeps } from './workflow-deps.js';
