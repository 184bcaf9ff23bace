import type { Response } from 'express';
import type { Vendor } from '../prefixes.js';
import { sendProblem } from '../servicetitan/problem.js';

const TWILIO_CODES: Record<number, number> = { 429: 20429, 500: 20500, 503: 20503 };

/** An error answer in the vendor's own error format, for injected faults. */
export function sendVendorError(res: Response, vendor: Vendor, status: number, message: string): void {
  if (vendor === 'servicetitan') {
    sendProblem(res, status, message);
    return;
  }
  if (vendor === 'ghl') {
    res.status(status).json({ statusCode: status, message });
    return;
  }
  const code = TWILIO_CODES[status] ?? status;
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}
