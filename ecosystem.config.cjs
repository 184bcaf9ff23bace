// PM2 process list. PM2 runs the compiled JavaScript (build first: `npm start` does).
// Every app inherits the environment PM2 was started with.
const shutdownMs = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 10_000);
// PM2 sends SIGINT, waits kill_timeout, then SIGKILLs. Our processes stop taking
// work, wait up to SHUTDOWN_TIMEOUT_MS for active jobs/requests, then close
// connections: kill_timeout leaves room for that last step.
const killTimeout = shutdownMs + 5_000;

const common = {
  kill_timeout: killTimeout,
  max_memory_restart: process.env.MAX_MEMORY_RESTART ?? '512M',
  // Crash loops back off 100 ms → 15 s instead of hammering PostgreSQL and Redis.
  exp_backoff_restart_delay: 100,
  wait_ready: true,
  listen_timeout: 30_000,
  merge_logs: true,
};

function workerRole(name, script, extraEnv = {}, nodeArgs = []) {
  return {
    ...common,
    name: `fieldhand-worker-${name}`,
    script,
    exec_mode: 'fork',
    // The scheduler owner must stay a single process; other roles scale with WORKER_INSTANCES_<ROLE>.
    instances: extraEnv.SCHEDULER_OWNER === 'true' ? 1 : Number(process.env[`WORKER_INSTANCES_${name.toUpperCase()}`] ?? 1),
    node_args: nodeArgs,
    env: { METRICS_PORT: process.env[`METRICS_PORT_${name.toUpperCase()}`] ?? '', ...extraEnv },
  };
}

const apps = [
  {
    ...common,
    name: 'fieldhand-api',
    script: 'apps/api/dist/main.js',
    exec_mode: 'cluster',
    instances: Number(process.env.API_INSTANCES ?? 2),
  },
  // The maintenance role owns the job schedulers: exactly one instance of it upserts them.
  workerRole('maintenance', 'apps/workers/dist/maintenance.js', { SCHEDULER_OWNER: 'true' }),
  // Sends, inbound follow-ups. More instances add throughput; the per-sender limit lives in Redis.
  workerRole('sms', 'apps/workers/dist/sms.js'),
  // Workflow triggers, stop conditions and steps; waits are delayed jobs, PostgreSQL holds the runs.
  workerRole('workflows', 'apps/workers/dist/workflows.js'),
  // Appointment reminders: plans from appointment changes, fires delayed jobs, confirmations to ServiceTitan.
  workerRole('reminders', 'apps/workers/dist/reminders.js'),
  // Event webhooks to tenants' endpoints: one attempt per job, a slot per endpoint in Redis, so more instances add throughput.
  workerRole('events', 'apps/workers/dist/events.js'),
  // Sync works one export page at a time; a capped heap keeps its RSS near 260 MB (bench/sync).
  workerRole('sync', 'apps/workers/dist/sync.js', {}, ['--max-old-space-size=160']),
];

if (process.env.FIELDHAND_DEMO === '1') {
  apps.push({
    ...common,
    name: 'fieldhand-sandbox',
    script: 'apps/sandbox/dist/main.js',
    exec_mode: 'fork',
    instances: 1,
  });
}

module.exports = { apps };
