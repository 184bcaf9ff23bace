// PM2 in this process, as pm2-runtime runs it (no separate daemon: the apps end
// with us), but with a quiet foreground: every app's output goes to PM2's log
// files (`pm2 logs`), and only warnings, errors and process exits reach the
// terminal, pretty-printed when it is one.
import { createWriteStream, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { format as formatArgs } from 'node:util';
import { foregroundLine } from './foreground.mjs';
import { root } from './toolchain.mjs';

const require = createRequire(import.meta.url);
function formatter(pretty) {
  if (!pretty) return (line) => line;
  const { prettyFactory } = require('pino-pretty');
  const prettify = prettyFactory({ colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' });
  return (line, app) => `${app} | ${prettify(line).trimEnd()}`;
}

/**
 * Connects an in-process PM2 with `env` (which becomes this process's environment:
 * PM2 hands it to every app). `start()` launches the ecosystem's apps.
 */
export async function connectPm2(env) {
  Object.assign(process.env, env, { PM2_DISCRETE_MODE: 'true' });
  // PM2's own routine messages ("App … online") go to console.log/info of the process
  // it runs in: send them to its log file, and keep its warnings and errors in view.
  mkdirSync(env.PM2_HOME, { recursive: true });
  const pm2Log = createWriteStream(join(env.PM2_HOME, 'pm2.log'), { flags: 'a' });
  const toLogFile = (...args) => void pm2Log.write(`${formatArgs(...args)}\n`);
  console.log = console.info = toLogFile;
  const PM2 = require('pm2');
  const pm2 = new PM2.custom({ pm2_home: env.PM2_HOME, daemon_mode: false });
  const call = (method, ...args) => new Promise((resolve, reject) => pm2[method](...args, (err, out) => (err ? reject(err) : resolve(out))));
  await call('connect');
  const format = formatter(process.stdout.isTTY === true);
  let quiet = false;
  pm2.launchBus((err, bus) => {
    if (err) return;
    bus.on('log:*', (type, packet) => {
      if (typeof packet.data !== 'string') return;
      for (const line of packet.data.split('\n')) {
        const shown = foregroundLine(type, packet.process.name, line, format);
        if (shown !== null) (type === 'err' ? process.stderr : process.stdout).write(`${shown}\n`);
      }
    });
    bus.on('process:event', (packet) => {
      if (quiet || packet.event !== 'exit') return;
      process.stderr.write(`${packet.process.name} exited; PM2 restarts it (logs: pm2 logs ${packet.process.name})\n`);
    });
  });
  return {
    start: () => call('start', join(root, 'ecosystem.config.cjs')),
    /** Name and status of every app instance. */
    list: async () => (await call('list')).map((p) => ({ name: p.name, status: p.pm2_env.status })),
    /** Stops every app (each gets SIGINT, then SIGKILL after its kill_timeout) and PM2 itself. */
    stop: async () => {
      // Streams closing under apps that are still writing make PM2 complain: not news.
      quiet = true;
      console.warn = console.error = toLogFile;
      await call('kill').catch(() => undefined);
    },
  };
}
