import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@fieldhand/observability';
import { HttpError, NotFoundError } from '../errors/http-error.js';
import { toHttpError } from '../errors/to-http-error.js';
import { sendError } from '../http/send-error.js';

export const notFound: RequestHandler = (req, _res, next) => {
  next(new NotFoundError('route_not_found', `No route for ${req.method} ${req.path}`));
};

/** The one error middleware: every 4xx/5xx leaves through here with the standard body. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toHttpError(err);
    if (res.headersSent) {
      // Usually a handler finishing after the request timeout already answered.
      logger.warn({ err, method: req.method, route: res.locals.route }, 'error after the response was sent');
      return;
    }
    if (known) {
      if (known.status >= 500) logger.warn({ err, code: known.code }, 'dependency unavailable');
      sendError(res, known);
      return;
    }
    logger.error({ err, method: req.method, route: res.locals.route ?? 'unmatched' }, 'unhandled error');
    sendError(res, new HttpError(500, 'internal_error', 'Internal server error'));
  };
}
