import type { DefinitionInput } from '../definition/definition-schema.js';

const TEXT_1 = 'Hi {{firstName}}, this is {{companyName}} following up on your estimate. Any questions? Just reply to this text.';
const TEXT_2 = 'Hi {{firstName}}, checking in on the estimate from {{companyName}}. Happy to walk you through the options - reply here anytime.';
const TEXT_3 = 'Hi {{firstName}}, last note from {{companyName}} about your estimate. Reply if you would like to move ahead or have questions.';

/** Open estimates of $1,000 or more: texts on day 1, 3 and 7 unless sold, dismissed, answered or opted out. */
function estimateFollowUp(key: string, name: string, waits: [string, string, string], snapToSendWindow: boolean): DefinitionInput {
  return {
    key,
    name,
    description: 'Texts the customer of an open estimate of $1,000 or more on day 1, 3 and 7; stops when it is sold or dismissed, or the customer replies or opts out.',
    trigger: {
      event: 'estimate.created',
      conditions: [
        { field: 'estimateStatus', op: 'eq', value: 'Open' },
        { field: 'estimateSubtotal', op: 'gte', value: 1000 },
      ],
    },
    reentry: { policy: 'once', per: 'subject' },
    stopWhen: [
      { event: 'estimate.status_changed', match: 'subject', conditions: [{ field: 'estimateStatus', op: 'in', value: ['Sold', 'Dismissed'] }], reason: 'estimate sold or dismissed' },
      { event: 'sms.replied', match: 'phone', conditions: [], reason: 'customer replied' },
      { event: 'sms.opted_out', match: 'phone', conditions: [], reason: 'customer opted out' },
    ],
    start: 'wait-day-1',
    steps: [
      { id: 'wait-day-1', type: 'wait', duration: waits[0], snapToSendWindow, next: 'text-day-1' },
      { id: 'text-day-1', type: 'send_sms', template: TEXT_1, next: 'wait-day-3' },
      { id: 'wait-day-3', type: 'wait', duration: waits[1], snapToSendWindow, next: 'text-day-3' },
      { id: 'text-day-3', type: 'send_sms', template: TEXT_2, next: 'wait-day-7' },
      { id: 'wait-day-7', type: 'wait', duration: waits[2], snapToSendWindow, next: 'text-day-7' },
      { id: 'text-day-7', type: 'send_sms', template: TEXT_3, next: 'done' },
      { id: 'done', type: 'end' },
    ],
  };
}

export const estimateFollowUpWorkflow = estimateFollowUp('estimate-follow-up', 'Estimate follow-up', ['P1D', 'P2D', 'P4D'], true);
// The demo tenant's variant: minutes stand in for days, so a demo shows all three texts.
export const estimateFollowUpDemoWorkflow = estimateFollowUp('estimate-follow-up-demo', 'Estimate follow-up (demo: minutes)', ['PT1M', 'PT2M', 'PT4M'], false);
