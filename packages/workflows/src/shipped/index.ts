import type { DefinitionInput } from '../definition/definition-schema.js';
import { estimateFollowUpDemoWorkflow, estimateFollowUpWorkflow } from './estimate-follow-up.workflow.js';
import { reviewRequestDemoWorkflow, reviewRequestWorkflow } from './review-request.workflow.js';

/** Offered to every tenant, off until the tenant enables them. */
export const SHIPPED_WORKFLOWS: readonly DefinitionInput[] = [estimateFollowUpWorkflow, reviewRequestWorkflow, estimateFollowUpDemoWorkflow, reviewRequestDemoWorkflow];
