import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type DeadLetter = { id: string; queue: string; jobName: string; attempts: number; error: string; tenantId: string | null; failedAt: string; replayedAt: string | null };

export function registerDeadLetterCommands(program: Command, client: () => ApiClient, output: Output): void {
  const dl = program.command('dead-letters').description('inspect, replay or discard jobs that exhausted their attempts');

  dl.command('list')
    .option('--queue <queue>', 'only this queue')
    .option('--tenant <tenantId>', 'only this tenant')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { queue?: string; tenant?: string; limit: string; json?: boolean }) => {
      const rows: DeadLetter[] = [];
      const max = Number(opts.limit);
      for await (const row of client().paginate<DeadLetter>('/dead-letters', { queue: opts.queue, tenantId: opts.tenant, limit: String(Math.min(max, 200)) })) {
        rows.push(row);
        if (rows.length >= max) break;
      }
      printRows(output, rows, ['id', 'queue', 'jobName', 'attempts', 'failedAt', 'replayedAt', 'error'], Boolean(opts.json));
    });

  dl.command('show <id>').action(async (id: string) => {
    output.out(JSON.stringify(await client().request('GET', `/dead-letters/${id}`), null, 2));
  });

  dl.command('replay <id...>')
    .description('re-add to the original queue with the same data')
    .action(async (ids: string[]) => {
      for (const id of ids) {
        const { jobId } = await client().request<{ jobId: string }>('POST', `/dead-letters/${id}/replay`);
        output.out(`${id} replayed as job ${jobId}`);
      }
    });

  dl.command('discard <id...>').action(async (ids: string[]) => {
    for (const id of ids) {
      await client().request('DELETE', `/dead-letters/${id}`);
      output.out(`${id} discarded`);
    }
  });
}
