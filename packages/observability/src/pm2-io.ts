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
    pmx.init({ metrics: { http: false } });
    return pmx;
  });
  return loaded;
}
