import type { RequestHandler } from 'express';

const ALLOWED_HEADERS = 'Authorization, X-API-Key, Content-Type, X-Correlation-ID';
const EXPOSED_HEADERS = 'X-Correlation-ID, RateLimit, RateLimit-Policy, Retry-After';

/**
 * CORS only for the configured origins (CORS_ORIGINS; `*` allows any). With no
 * origins configured this middleware is not installed at all: browsers get no
 * cross-origin access, which suits an API driven by servers and scripts.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (!origin || !(any || allowed.has(origin))) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, PUT, DELETE');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
