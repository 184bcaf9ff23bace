import type { Response } from 'express';
import type { HttpError } from '../errors/http-error.js';

/** Writes the standard error body; the only place that shape is produced. */
export function sendError(res: Response, error: HttpError): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).json({
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      correlationId: res.locals.correlationId,
    },
  });
}
