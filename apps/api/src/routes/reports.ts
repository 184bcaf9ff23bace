import { z } from 'zod';
import { countConsentChanges, countReminders, countTexts, countWorkflowRuns, followUpSales, inboundBodies, type Database, type ReportPeriod } from '@fieldhand/db';
import { classifyKeyword, officeNumbers } from '@fieldhand/sms';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { uuidParam } from '../schemas/common.js';
import { reportQuery, reportSummary } from '../schemas/report.js';

const tenantParams = z.object({ tenantId: uuidParam });

/** Replies and keywords among the period's inbound texts (the office's own left out). */
async function countReplies(db: Database, period: ReportPeriod, office: string[]): Promise<{ replies: number; keywords: number }> {
  let replies = 0;
  let keywords = 0;
  for (const { body, count } of await inboundBodies(db, period, office)) {
    if (classifyKeyword(body)) keywords += count;
    else replies += count;
  }
  return { replies, keywords };
}

/** What Fieldhand did for a tenant in a period, and what it earned. */
export function reportRoutes(db: Database): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/reports/summary',
      operationId: 'getReportSummary',
      summary: 'What Fieldhand did for a tenant in a period',
      description:
        'Texts sent, delivered and failed; replies; opt-outs; reminders sent and confirmed; workflow runs by outcome; ' +
        'and the estimates sold within 30 days of a follow-up text, with their total. `from`/`to` default to the last 7 days (at most 400).',
      tag: 'reports',
      access: 'tenant',
      params: tenantParams,
      query: reportQuery,
      responses: { 200: { description: 'The summary', schema: reportSummary } },
      errors: [404],
      handler: async ({ params, query }) => {
        const tenant = await requireTenant(db, params.tenantId);
        const period: ReportPeriod = { tenantId: tenant.id, from: query.from, to: query.to };
        const [texts, inbound, consent, reminders, workflowRuns, sales] = await Promise.all([
          countTexts(db, period),
          countReplies(db, period, officeNumbers(tenant)),
          countConsentChanges(db, period),
          countReminders(db, period),
          countWorkflowRuns(db, period),
          followUpSales(db, period),
        ]);
        return {
          status: 200,
          body: { tenantId: tenant.id, from: query.from.toISOString(), to: query.to.toISOString(), texts, ...inbound, optOuts: consent.optedOut, optIns: consent.optedIn, reminders, workflowRuns, followUpSales: sales },
        };
      },
    }),
  ];
}
