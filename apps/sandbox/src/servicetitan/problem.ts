import { randomUUID } from 'node:crypto';
import type { Response } from 'express';

const TYPES: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
  401: 'https://tools.ietf.org/html/rfc7235#section-3.1',
  403: 'https://tools.ietf.org/html/rfc7231#section-6.5.3',
  404: 'https://tools.ietf.org/html/rfc7231#section-6.5.4',
  409: 'https://tools.ietf.org/html/rfc7231#section-6.5.8',
  429: 'https://tools.ietf.org/html/rfc6585#section-4',
  500: 'https://tools.ietf.org/html/rfc7231#section-6.6.1',
  503: 'https://tools.ietf.org/html/rfc7231#section-6.6.4',
};

/** ServiceTitan's RFC 7807 error body ({type, title, status, traceId, errors, data}). */
export function sendProblem(res: Response, status: number, title: string, errors: Record<string, string[]> = {}): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: TYPES[status] ?? 'about:blank',
        title,
        status,
        traceId: randomUUID().replace(/-/g, ''),
        errors,
        data: {},
      }),
    );
}
