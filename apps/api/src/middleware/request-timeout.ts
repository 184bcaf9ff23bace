import type { RequestHandler } from 'express';
import { ServiceUnavailableError } from '../errors/http-error.js';
import { sendError } from '../http/send-error.js';

/**
 * Answers 503 when a handler overruns `ms`, so a hung dependency cannot hold a
 * client (or a PM2 reload) forever. The handler's own late answer is dropped.
 */
export function requestTimeout(ms: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      sendError(res, new ServiceUnavailableError('request_timeout', `The request took longer than ${ms} ms`));
    }, ms);
    timer.unref();
    // A response emits 'close' once it is done, answered or aborted.
    res.once('close', () => clearTimeout(timer));
    next();
  };
}
