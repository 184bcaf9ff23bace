import { z } from 'zod';
import { NEW_WORK_PRIORITY, tenantScoped } from '../catalog.js';

export const DOMAIN_EVENT_TYPES = [
  'estimate.created',
  'estimate.status_changed',
  'appointment.scheduled',
  'appointment.rescheduled',
  'appointment.canceled',
  'appointment.status_changed',
  'appointment.confirmed',
  'appointment.reschedule_requested',
  'job.completed',
  'job.canceled',
  'contact.phone_changed',
  'contact.do_not_text_changed',
  // GoHighLevel, from the sync's pull (subjects ghl-contact and ghl-opportunity, string ids).
  'ghl.contact.created',
  'ghl.contact.updated',
  'ghl.contact.dnd_changed',
  'ghl.opportunity.status_changed',
  'ghl.opportunity.stage_changed',
] as const;

export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export const domainEventSchema = tenantScoped.extend({
  tenantId: z.uuid(),
  // Deterministic from tenant, subject and the change, so consumers can dedupe on it.
  eventId: z.string().min(1).max(200),
  type: z.enum(DOMAIN_EVENT_TYPES),
  source: z.string().min(1),
  // ServiceTitan ids are integers, GHL ids strings.
  subject: z.object({ type: z.string().min(1), id: z.union([z.number().int(), z.string().min(1).max(64)]) }),
  // Ids of related records (jobId, customerId, locationId, contactId, ...).
  refs: z.record(z.string(), z.union([z.number().int(), z.string().max(64)]).nullable()).default({}),
  old: z.record(z.string(), z.unknown()).nullable(),
  new: z.record(z.string(), z.unknown()),
  occurredAt: z.string().min(1),
});

export const workflowJobs = {
  // A change the sync saw in a vendor's data that workflows may act on.
  // New work: a burst of synced changes must not delay steps and texts already due.
  'workflow.domain-event': { queue: 'workflow', schema: domainEventSchema, priority: NEW_WORK_PRIORITY },
} as const;

// Steps run one job each; the job id is derived from run + step (workflowStepJobId) so an
// enqueue repeated by a retry or the reconciler adds nothing.
export const workflowStepJobs = {
  // Runs one step of one workflow run; the run and step rows in PostgreSQL hold everything else.
  'workflow.step': {
    queue: 'workflow',
    schema: tenantScoped.extend({
      tenantId: z.uuid(),
      runId: z.uuid(),
      stepId: z.string().min(1).max(64),
    }),
  },
} as const;

/** BullMQ job ids may not contain ':'; run ids are UUIDs and step ids are [A-Za-z0-9_-]. */
export const workflowStepJobId = (runId: string, stepId: string): string => `wf-${runId}-${stepId}`;
