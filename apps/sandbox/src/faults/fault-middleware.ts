import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Vendor } from '../prefixes.js';
import type { FaultEngine } from './fault-engine.js';
import type { FaultKind, FaultRule } from './fault-rules.js';
import { sendVendorError } from './vendor-error.js';

const MIDDLEWARE_KINDS: readonly FaultKind[] = ['http-error', 'latency', 'hang', 'truncate', 'malformed', 'respond-then-fail'];

const STATUS_TEXT: Record<number, string> = { 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Lets the route do its work, then cuts the connection instead of sending its answer. */
function dropAnswer(res: Response): void {
  res.send = (): Response => {
    res.socket?.destroy();
    return res;
  };
}

/** Rewrites the body the route is about to send, so the client gets broken JSON. */
function corruptBody(res: Response, kind: 'truncate' | 'malformed'): void {
  const send = res.send.bind(res);
  res.send = (body?: unknown): Response => {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : JSON.stringify(body);
    const broken = kind === 'truncate' ? text.slice(0, Math.floor(text.length / 2)) : `${text.slice(0, -1)},"`;
    res.removeHeader('Content-Length');
    res.removeHeader('ETag');
    return send(broken);
  };
}

function applyAll(rules: FaultRule[], vendor: Vendor, res: Response, next: NextFunction): void {
  const delay = rules.filter((rule) => rule.kind === 'latency').reduce((sum, rule) => sum + rule.latencyMs, 0);
  const proceed = (): void => {
    // A hung connection is never answered; the client has to give up on its own.
    if (rules.some((rule) => rule.kind === 'hang')) return;
    const error = rules.find((rule) => rule.kind === 'http-error');
    if (error) {
      if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      sendVendorError(res, vendor, error.status, STATUS_TEXT[error.status] ?? 'Injected fault');
      return;
    }
    if (rules.some((rule) => rule.kind === 'respond-then-fail')) {
      dropAnswer(res);
      next();
      return;
    }
    const corrupt = rules.find((rule) => rule.kind === 'truncate' || rule.kind === 'malformed');
    if (corrupt) corruptBody(res, corrupt.kind === 'truncate' ? 'truncate' : 'malformed');
    next();
  };
  if (delay > 0) setTimeout(proceed, delay);
  else proceed();
}

/** Applies the HTTP-level fault rules of one vendor before its routes run. */
export function faultMiddleware(engine: FaultEngine, vendor: Vendor): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const rules = engine.roll({ vendor, method: req.method, path: req.originalUrl.split('?')[0] ?? req.originalUrl }, MIDDLEWARE_KINDS);
    if (rules.length === 0) {
      next();
      return;
    }
    applyAll(rules, vendor, res, next);
  };
}
