import type { RequestHandler } from 'express';
import { acceptCorrelationId, CORRELATION_HEADER, withCorrelation } from '@fieldhand/observability';

/**
 * Accepts the caller's X-Correlation-ID (or makes one), echoes it, and runs the
 * rest of the request inside it so every log line and every enqueued job carries it.
 */
export const correlation: RequestHandler = (req, res, next) => {
  const correlationId = acceptCorrelationId(req.get(CORRELATION_HEADER));
  res.locals.correlationId = correlationId;
  res.setHeader('X-Correlation-ID', correlationId);
  withCorrelation({ correlationId }, () => next());
};
