import type io from '@pm2/io';

export type Pm2Io = typeof io;

let loaded: Promise<Pm2Io> | undefined;

/** PM2 sets `pm_id` in the environment of every process it runs. */
export function underPm2(): boolean {
  return process.env['pm_id'] !== undefined;
}

/**
 * @pm2/io, initialised once per process, for what `pm2 monit` / `pm2 describe` show
 * (the workers' jobs and queues, the API's requests). Undefined outside PM2: the library
 * talks to PM2 over the IPC channel as soon as it loads, so it is loaded only under PM2.
 */
export async function pm2Io(): Promise<Pm2Io | undefined> {
  if (!underPm2()) return undefined;
  loaded ??= import('@pm2/io').then(({ default: pmx }) => {
    // Under PM2 7 this is PM2's own copy (it registered the global first), whose tracing is on
    // unless told `enabled: false` (`tracing: false` maps to its default, which is on): it would
    // look for @opentelemetry/sdk-node and print "[PM2][ERROR] OpenTelemetry packages not
    // installed" at every start. Fieldhand's tracing is its own (tracing.ts).
    // (Not in @pm2/io's IOConfig type, hence the variable.)
    const config = { metrics: { http: false }, tracing: { enabled: false } };
    pmx.init(config);
    return pmx;
  });
  return loaded;
}
