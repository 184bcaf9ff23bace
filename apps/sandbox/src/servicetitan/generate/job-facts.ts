import { BUSINESS_UNIT_NAMES } from '../st-resources.js';
import { DAY_MS, HOUR_MS, randomFor, round2, type GeneratorContext } from './context.js';

export type JobStatus = 'Scheduled' | 'Completed' | 'Canceled';
export type EstimateStatusName = 'Open' | 'Sold' | 'Dismissed';

/**
 * The story of job i (at location i, for customer i), shared by every resource that
 * mentions the job so appointments, estimates, invoices and payments agree.
 */
export interface JobFacts {
  createdMs: number;
  startMs: number;
  endMs: number;
  arrivalWindowStartMs: number;
  arrivalWindowEndMs: number;
  jobStatus: JobStatus;
  technicianIndex: number;
  businessUnitIndex: number;
  estimateStatus: EstimateStatusName;
  estimateSubtotal: number;
  soldMs: number | null;
  /** Invoice subtotal: the sold estimate, or a service-call fee. */
  invoiceSubtotal: number;
  paidInFull: boolean;
}

export const TAX_RATE = 0.0825;

export function jobFacts(ctx: GeneratorContext, jobIndex: number): JobFacts {
  const random = randomFor(ctx, 'job', jobIndex);
  const upcoming = random.chance(0.15);
  // Upcoming visits fall in the next three weeks so reminders have something to do.
  const dayOffset = upcoming ? random.int(0, 21) : -random.int(1, 365);
  const day = Math.floor(ctx.anchorMs / DAY_MS) * DAY_MS + dayOffset * DAY_MS;
  const startMs = day + random.int(13, 22) * HOUR_MS;
  const createdMs = Math.min(startMs, ctx.anchorMs) - random.int(1, 20) * DAY_MS;
  const jobStatus: JobStatus = upcoming ? 'Scheduled' : random.chance(0.9) ? 'Completed' : 'Canceled';
  // Log-uniform between $150 and $15,000: a little under 60% are above $1,000.
  const estimateSubtotal = round2(150 * Math.pow(100, random.next()));
  let estimateStatus: EstimateStatusName = 'Open';
  if (jobStatus === 'Canceled') estimateStatus = 'Dismissed';
  else if (jobStatus === 'Completed') estimateStatus = random.pick(['Open', 'Open', 'Sold', 'Sold', 'Dismissed'] as const);
  const soldMs = estimateStatus === 'Sold' ? Math.min(ctx.anchorMs - HOUR_MS, startMs + random.int(1, 48) * HOUR_MS) : null;
  const serviceFee = round2(random.int(89, 450));
  return {
    createdMs,
    startMs,
    endMs: startMs + 2 * HOUR_MS,
    arrivalWindowStartMs: startMs,
    arrivalWindowEndMs: startMs + 2 * HOUR_MS,
    jobStatus,
    technicianIndex: random.int(0, ctx.technicianCount - 1),
    businessUnitIndex: random.int(0, BUSINESS_UNIT_NAMES.length - 1),
    estimateStatus,
    estimateSubtotal,
    soldMs,
    invoiceSubtotal: estimateStatus === 'Sold' ? estimateSubtotal : serviceFee,
    paidInFull: jobStatus === 'Completed' && random.chance(0.85),
  };
}

/** When a record last changed in the generated history: its latest event, before the anchor. */
export function lastChange(ctx: GeneratorContext, ...eventsMs: Array<number | null>): number {
  const past = eventsMs.filter((ms): ms is number => ms !== null && ms < ctx.anchorMs);
  return past.length > 0 ? Math.max(...past) : ctx.anchorMs - DAY_MS;
}
