import { z } from 'zod';
import { cancelQueuedWorkflowTexts, findConsent, findWorkflowRun, workflowTextKey } from '@fieldhand/db';
import { NEW_WORK_PRIORITY } from '@fieldhand/queues';
import { createOutboundMessage, InvalidPhoneNumberError, parseTemplate, renderTemplate, TemplateError } from '@fieldhand/sms';
import type { DefinitionIssue } from '../definition/check-conditions.js';
import { stepId } from '../definition/step-fields.js';
import { SUBJECT_VARIABLES } from '../definition/variables.js';
import { defineStep } from './step-kind.js';

/**
 * Texts through the SMS ledger. The idempotency key is run + step, so a retry
 * (or a second worker after a kill -9) finds the row the first attempt wrote and
 * never queues a second text; quiet hours and consent are the sms worker's job.
 */
export const sendSmsStep = defineStep({
  type: 'send_sms',
  schema: z.strictObject({
    id: stepId,
    type: z.literal('send_sms'),
    template: z.string().min(1).max(1600),
    next: stepId.optional(),
  }),
  successors: (step) => (step.next ? [step.next] : []),
  check: (step, { subject, path }) => {
    const vars = SUBJECT_VARIABLES[subject];
    const issues: DefinitionIssue[] = [];
    try {
      for (const name of parseTemplate(step.template)) {
        if (!Object.hasOwn(vars, name)) issues.push({ path: `${path}.template`, message: `unknown template variable {{${name}}} for a ${subject}; known: ${Object.keys(vars).join(', ')}` });
      }
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      issues.push({ path: `${path}.template`, message: error.message });
    }
    return issues;
  },
  execute: async ({ deps, tenant, run, step, subject, first }) => {
    const to = run.phone;
    if (!to) return { kind: 'fail', error: 'the customer has no textable phone number' };
    if (!tenant.twilio?.from && !tenant.twilio?.messagingServiceSid) return { kind: 'fail', error: 'the tenant has no Twilio sender configured' };
    const consent = await findConsent(deps.db, run.tenantId, to);
    if (consent?.smsOptOut) return { kind: 'cancel', reason: 'customer opted out' };
    const vars = Object.fromEntries(Object.entries(subject.vars).filter((e): e is [string, string | number] => e[1] !== null));
    try {
      const { message, created } = await createOutboundMessage(deps.db, deps.bus, {
        tenantId: run.tenantId,
        to,
        template: step.template,
        vars,
        idempotencyKey: workflowTextKey(run.id, step.id),
        location: { state: subject.locationState ?? undefined },
        // A follow-up already due goes out before a first text of a new run.
        ...(first ? { priority: NEW_WORK_PRIORITY } : {}),
      }, deps.logger);
      // A stop that landed while this step ran must still win over a text not yet sent. Only a
      // stop: a run found completed got there through this very step, run twice at once (a stalled
      // job retried beside its re-enqueued twin), and its text is the one the customer should get.
      const now = await findWorkflowRun(deps.db, run.tenantId, run.id);
      if (now?.status === 'cancelled') await cancelQueuedWorkflowTexts(deps.db, run.tenantId, run.id, now.cancelReason ?? now.status);
      return { kind: 'next', outcome: { messageId: message.id, to, created }, next: step.next ?? null };
    } catch (error) {
      if (error instanceof TemplateError || error instanceof InvalidPhoneNumberError) return { kind: 'fail', error: error.message };
      throw error;
    }
  },
  preview: (step, { subject, vars }) => {
    const preview: { next: string | null; text?: string; error?: string } = { next: step.next ?? null };
    try {
      preview.text = renderTemplate(step.template, vars);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      preview.error = error.message;
    }
    if (!subject.phone) preview.error = 'the customer has no textable phone number';
    return preview;
  },
});
