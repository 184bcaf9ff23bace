import type { DefinitionInput } from '../definition/definition-schema.js';

const TEXT = 'Hi {{firstName}}, thanks for choosing {{companyName}}! If we did a good job, would you leave us a quick review? Reply STOP to opt out.';

/** A completed job: one text two hours later, at most once per customer per 90 days. */
function reviewRequest(key: string, name: string, afterCompletion: string, snapToSendWindow: boolean): DefinitionInput {
  return {
    key,
    name,
    description: 'Asks for a review two hours after a job is completed; at most once per customer every 90 days.',
    trigger: { event: 'job.completed', conditions: [{ field: 'phone', op: 'exists' }] },
    reentry: { policy: 'again_after', days: 90, per: 'customer' },
    stopWhen: [{ event: 'sms.opted_out', match: 'phone', conditions: [], reason: 'customer opted out' }],
    start: 'wait',
    steps: [
      // Counted from ServiceTitan's completion time, not from when the sync noticed it.
      { id: 'wait', type: 'wait', until: { field: 'jobCompletedOn', offset: afterCompletion }, snapToSendWindow, next: 'ask' },
      { id: 'ask', type: 'send_sms', template: TEXT, next: 'done' },
      { id: 'done', type: 'end' },
    ],
  };
}

export const reviewRequestWorkflow = reviewRequest('review-request', 'Review request', 'PT2H', true);
export const reviewRequestDemoWorkflow = reviewRequest('review-request-demo', 'Review request (demo: minutes)', 'PT2M', false);
