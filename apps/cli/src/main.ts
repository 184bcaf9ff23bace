import { Command, CommanderError } from 'commander';
import { ApiClient, ApiError } from './api-client.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerConversationCommands } from './commands/conversations.js';
import { registerDeadLetterCommands } from './commands/dead-letters.js';
import { registerGhlCommands } from './commands/ghl.js';
import { registerPeopleCommands } from './commands/people.js';
import { registerKeysCommand, registerProbeCommand } from './commands/probe.js';
import { registerReminderCommands } from './commands/reminders.js';
import { registerReportCommand } from './commands/report.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerTenantCommands } from './commands/tenants.js';
import { registerWorkflowCommands } from './commands/workflows.js';
import { resolveApiKey, type Env } from './credentials.js';
import { processOutput, type Output } from './output.js';

export type CliContext = { env?: Env; cwd?: string; output?: Output };

/** Runs one CLI invocation and returns its exit code (tests call this directly). */
export async function main(argv: string[], context: CliContext = {}): Promise<number> {
  const env = context.env ?? process.env;
  const output = context.output ?? processOutput;
  const program = new Command('fieldhand')
    .description('Fieldhand operator CLI (talks to the REST API)')
    .option('--url <url>', 'API base URL (FIELDHAND_URL)', env.FIELDHAND_URL ?? 'http://127.0.0.1:3000')
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });

  const client = () => {
    const apiKey = resolveApiKey(env, context.cwd ?? process.cwd());
    if (!apiKey) throw new ApiError(401, 'no_api_key', 'Set FIELDHAND_API_KEY (or FIELDHAND_ADMIN_KEY / _FILE)');
    return new ApiClient({ baseUrl: program.opts<{ url: string }>().url, apiKey });
  };
  registerTenantCommands(program, client, output);
  registerDeadLetterCommands(program, client, output);
  registerProbeCommand(program, client, output);
  registerKeysCommand(program, client, output);
  registerSyncCommands(program, client, output);
  registerWorkflowCommands(program, client, output);
  registerReminderCommands(program, client, output);
  registerGhlCommands(program, client, output);
  registerConversationCommands(program, client, output);
  registerPeopleCommands(program, client, output);
  registerAuditCommand(program, client, output);
  registerReportCommand(program, client, output);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ApiError) {
      output.err(`error: ${err.message} (${err.status} ${err.code}${err.correlationId ? `, correlation id ${err.correlationId}` : ''})`);
      for (const detail of err.details ?? []) output.err(`  ${detail.path || '(body)'}: ${detail.message}`);
      return err.status === 401 || err.status === 403 ? 77 : 1;
    }
    output.err(`error: ${(err as Error).message}`);
    return 1;
  }
}
