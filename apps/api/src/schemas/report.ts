import { z } from 'zod';
import 'zod-openapi';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DAYS = 400;

export const reportQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Start of the period (inclusive); default: `to` minus 7 days' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'End of the period (exclusive); default: now' }),
  })
  .transform((q, ctx) => {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY_MS);
    if (from.getTime() >= to.getTime()) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `the period may span at most ${MAX_DAYS} days` });
    return { from, to };
  });

const count = z.number().int().min(0);

export const reportSummary = z
  .object({
    tenantId: z.uuid(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    texts: z
      .object({
        created: count.meta({ description: 'Outbound texts written to the ledger in the period' }),
        sent: count.meta({ description: 'Of those, taken by Twilio (have a SID)' }),
        delivered: count,
        failed: count.meta({ description: 'failed or undelivered' }),
        held: count.meta({ description: '`unknown`: a person must look' }),
        canceled: count.meta({ description: 'not sent: opted out, past their deadline, or their run ended' }),
        segments: count.meta({ description: 'Segments of the texts sent (what Twilio bills)' }),
      })
      .meta({ id: 'ReportTexts' }),
    replies: count.meta({ description: "Customers' texts that were not keywords (STOP, START, HELP); the office numbers' own texts are left out" }),
    keywords: count.meta({ description: 'Keyword texts (STOP, START, HELP, …)' }),
    optOuts: count.meta({ description: 'Numbers that opted out in the period and still are' }),
    optIns: count.meta({ description: 'Numbers that opted back in in the period and still are' }),
    reminders: z.object({ sent: count, confirmed: count, rescheduleRequested: count }).meta({ id: 'ReportReminders' }),
    workflowRuns: z.object({ started: count, active: count, completed: count, cancelled: count, failed: count }).meta({ id: 'ReportWorkflowRuns', description: 'Runs started in the period, by where they are now' }),
    followUpSales: z
      .object({ estimates: count, total: z.string().meta({ description: 'Sum of their totals (subtotal + tax), a decimal string', example: '12500.00' }) })
      .meta({ id: 'ReportFollowUpSales', description: 'Estimates sold in the period within 30 days after a follow-up text about them reached Twilio' }),
  })
  .meta({ id: 'ReportSummary' });
