// Compiled by `pnpm typecheck`, never run: a role that leaves out a handler for a job on
// its queues must not compile. If defineRole stopped catching it, the directive below
// would be unused and the typecheck would fail.
import { defineRole } from '../src/bootstrap/role.js';

export const roleMissingAHandler = defineRole({
  name: 'incomplete',
  queues: ['sms-send', 'sms-status'],
  // @ts-expect-error: 'sms.status' has no handler
  handlers: () => ({
    'sms.send': async () => undefined,
  }),
});

export const completeRole = defineRole({
  name: 'complete',
  queues: ['sms-status'],
  handlers: () => ({ 'sms.status': async () => undefined }),
});
