import type { RequestHandler } from 'express';
import { httpRequestDuration, withCorrelation, type Logger } from '@fieldhand/observability';

/**
 * One JSON log line and one histogram sample per request. Labels use the route
 * pattern, never the raw URL, so ids in paths cannot explode metric cardinality.
 * Headers and bodies are never logged.
 */
export function observeRequests(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // 'close' comes once the response is done: after 'finish' when it was answered, alone when aborted.
    res.once('close', () => {
      const aborted = !res.writableFinished;
      const seconds = (performance.now() - started) / 1000;
      const route = res.locals.route ?? 'unmatched';
      const status = aborted && !res.headersSent ? 499 : res.statusCode;
      httpRequestDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      const principal = res.locals.principal;
      const tenantId = principal?.kind === 'tenant' ? principal.tenantId : undefined;
      // 'close' may fire outside the request's async context, so restore it explicitly.
      withCorrelation({ correlationId: res.locals.correlationId, ...(tenantId ? { tenantId } : {}) }, () => {
        const line = { method: req.method, route, status, durationMs: Math.round(seconds * 1000 * 10) / 10, ...(aborted ? { aborted: true } : {}) };
        // 503 is an expected state (a dependency down, a timeout) and is logged where it arises.
        if (status >= 500 && status !== 503) logger.error(line, 'request');
        else if (status === 503) logger.warn(line, 'request');
        else logger.info(line, 'request');
      });
    });
    next();
  };
}
