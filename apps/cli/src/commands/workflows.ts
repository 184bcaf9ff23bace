import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type Definition = { key: string; version: number; name: string; enabled: boolean; shipped: boolean };
type Run = { id: string; definitionKey: string; definitionVersion: number; subject: { type: string; id: string }; phone: string | null; status: string; currentStep: string | null; cancelReason: string | null; error: string | null; startedAt: string };

const flatRun = (r: Run) => ({ ...r, subject: `${r.subject.type}:${r.subject.id}`, why: r.cancelReason ?? r.error ?? '' });

/** `fieldhand workflows …` (definitions), `fieldhand runs …` and `fieldhand workflows why` (evaluated events). */
export function registerWorkflowCommands(program: Command, client: () => ApiClient, output: Output): void {
  const wf = program.command('workflows').description('workflow definitions: list, save a version, enable, dry-run, why');

  wf.command('list <tenantId>')
    .option('--json', 'one JSON object per line')
    .action(async (tenantId: string, opts: { json?: boolean }) => {
      const { data } = await client().request<{ data: Definition[] }>('GET', `/tenants/${tenantId}/workflows`);
      printRows(output, data, ['key', 'version', 'enabled', 'shipped', 'name'], Boolean(opts.json));
    });

  wf.command('show <tenantId> <key>')
    .option('--version <n>', 'this version instead of the newest')
    .action(async (tenantId: string, key: string, opts: { version?: string }) => {
      const query = opts.version ? `?version=${encodeURIComponent(opts.version)}` : '';
      output.out(JSON.stringify(await client().request('GET', `/tenants/${tenantId}/workflows/${key}${query}`), null, 2));
    });

  wf.command('save <tenantId> <file>')
    .description('save the JSON definition in <file> as a new version')
    .action(async (tenantId: string, file: string) => {
      const body = JSON.parse(await readFile(file, 'utf8')) as unknown;
      const saved = await client().request<Definition>('POST', `/tenants/${tenantId}/workflows`, body);
      output.out(`${saved.key} version ${saved.version} saved`);
    });

  for (const action of ['enable', 'disable'] as const) {
    wf.command(`${action} <tenantId> <key>`).action(async (tenantId: string, key: string) => {
      const def = await client().request<Definition>('POST', `/tenants/${tenantId}/workflows/${key}/${action}`);
      output.out(`${def.key} ${def.enabled ? 'enabled' : 'disabled'} (version ${def.version})`);
    });
  }

  wf.command('dry-run <tenantId> <key> <subjectId>')
    .description('would it trigger for this subject, and what would it do?')
    .action(async (tenantId: string, key: string, subjectId: string) => {
      output.out(JSON.stringify(await client().request('POST', `/tenants/${tenantId}/workflows/${key}/dry-run`, { subjectId }), null, 2));
    });

  wf.command('why <tenantId> <subject>')
    .description('what the engine decided for events about a subject, e.g. estimate:123')
    .action(async (tenantId: string, subject: string) => {
      const { data } = await client().request<{ data: unknown[] }>('GET', `/tenants/${tenantId}/workflow-events?subject=${encodeURIComponent(subject)}`);
      for (const event of data) output.out(JSON.stringify(event));
    });

  const runs = program.command('runs').description('workflow runs: list, show, cancel, replay');

  runs
    .command('list <tenantId>')
    .option('--status <status>', 'active, completed, cancelled or failed')
    .option('--definition <key>', 'only runs of this workflow')
    .option('--subject <type:id>', 'e.g. estimate:123')
    .option('--phone <phone>', 'the customer phone')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (tenantId: string, opts: { status?: string; definition?: string; subject?: string; phone?: string; limit: string; json?: boolean }) => {
      const rows: ReturnType<typeof flatRun>[] = [];
      const max = Number(opts.limit);
      const query = { status: opts.status, definition: opts.definition, subject: opts.subject, phone: opts.phone, limit: String(Math.min(max, 200)) };
      for await (const run of client().paginate<Run>(`/tenants/${tenantId}/workflow-runs`, query)) {
        rows.push(flatRun(run));
        if (rows.length >= max) break;
      }
      printRows(output, rows, ['id', 'definitionKey', 'definitionVersion', 'subject', 'status', 'currentStep', 'startedAt', 'why'], Boolean(opts.json));
    });

  runs.command('show <tenantId> <runId>').action(async (tenantId: string, runId: string) => {
    output.out(JSON.stringify(await client().request('GET', `/tenants/${tenantId}/workflow-runs/${runId}`), null, 2));
  });

  runs
    .command('cancel <tenantId> <runId>')
    .option('--reason <text>', 'recorded on the run', 'cancelled by operator')
    .action(async (tenantId: string, runId: string, opts: { reason: string }) => {
      const run = await client().request<Run>('POST', `/tenants/${tenantId}/workflow-runs/${runId}/cancel`, { reason: opts.reason });
      output.out(`${run.id} ${run.status}: ${run.cancelReason}`);
    });

  runs
    .command('replay <tenantId> <runId>')
    .option('--from-failed', 'from the step the run failed on')
    .option('--step <stepId>', 'from this step')
    .action(async (tenantId: string, runId: string, opts: { fromFailed?: boolean; step?: string }) => {
      const body = opts.step ? { step: opts.step } : opts.fromFailed ? { from: 'failed' } : { from: 'start' };
      const run = await client().request<Run & { replayFromStep: string }>('POST', `/tenants/${tenantId}/workflow-runs/${runId}/replay`, body);
      output.out(`${run.id} replays ${runId} from ${run.replayFromStep}`);
    });
}
