import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type Summary = {
  from: string;
  to: string;
  texts: { created: number; sent: number; delivered: number; failed: number; held: number; canceled: number; segments: number };
  replies: number;
  keywords: number;
  optOuts: number;
  optIns: number;
  reminders: { sent: number; confirmed: number; rescheduleRequested: number };
  workflowRuns: { started: number; active: number; completed: number; cancelled: number; failed: number };
  followUpSales: { estimates: number; total: string };
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** The period the options name: --week (the last 7 days, the default), --month (30), or --from/--to. */
function periodOf(opts: { week?: boolean; month?: boolean; from?: string; to?: string }): Record<string, string> {
  if (opts.from || opts.to) return { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) };
  const to = new Date();
  return { from: new Date(to.getTime() - (opts.month ? 30 : 7) * DAY_MS).toISOString(), to: to.toISOString() };
}

/** `fieldhand report <tenantId>`: the tenant's summary for a period, as a table. */
export function registerReportCommand(program: Command, client: () => ApiClient, output: Output): void {
  program
    .command('report <tenantId>')
    .description("what Fieldhand did for a tenant: texts, replies, opt-outs, reminders, runs, and the sales after follow-ups")
    .option('--week', 'the last 7 days (default)')
    .option('--month', 'the last 30 days')
    .option('--from <iso>', 'start of the period (ISO 8601)')
    .option('--to <iso>', 'end of the period (ISO 8601, exclusive)')
    .option('--json', 'the summary as one JSON object')
    .action(async (tenantId: string, opts: { week?: boolean; month?: boolean; from?: string; to?: string; json?: boolean }) => {
      const query = new URLSearchParams(periodOf(opts)).toString();
      const s = await client().request<Summary>('GET', `/tenants/${tenantId}/reports/summary?${query}`);
      if (opts.json) {
        output.out(JSON.stringify(s));
        return;
      }
      output.out(`${s.from} → ${s.to}`);
      const rows = [
        { figure: 'texts sent', value: s.texts.sent },
        { figure: 'texts delivered', value: s.texts.delivered },
        { figure: 'texts failed', value: s.texts.failed },
        { figure: 'texts held (unknown)', value: s.texts.held },
        { figure: 'segments', value: s.texts.segments },
        { figure: 'replies', value: s.replies },
        { figure: 'opt-outs', value: s.optOuts },
        { figure: 'reminders sent', value: s.reminders.sent },
        { figure: 'reminders confirmed', value: s.reminders.confirmed },
        { figure: 'reschedules asked', value: s.reminders.rescheduleRequested },
        { figure: 'workflow runs started', value: s.workflowRuns.started },
        { figure: 'runs completed / cancelled / failed', value: `${s.workflowRuns.completed} / ${s.workflowRuns.cancelled} / ${s.workflowRuns.failed}` },
        { figure: 'estimates sold after a follow-up', value: s.followUpSales.estimates },
        { figure: 'their total', value: `$${s.followUpSales.total}` },
      ];
      printRows(output, rows, ['figure', 'value'], false);
    });
}
