import type { Logger } from './logger.js';

/**
 * A crash ends the process, logged first: PM2 restarts it, and a process in an unknown
 * state never keeps taking work.
 */
export function exitOnCrash(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting so PM2 restarts the process');
    exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection; exiting so PM2 restarts the process');
    exit(1);
  });
}

/**
 * Calls `stop` once, on the first of SIGTERM, SIGINT or PM2's 'shutdown' message (sent
 * instead of a signal on Windows and with shutdown_with_message).
 */
export function onStopRequest(stop: (reason: string) => void): void {
  let requested = false;
  const request = (reason: string) => {
    if (requested) return;
    requested = true;
    stop(reason);
  };
  process.on('SIGTERM', () => request('SIGTERM'));
  process.on('SIGINT', () => request('SIGINT'));
  process.on('message', (message) => message === 'shutdown' && request('pm2 shutdown message'));
}
