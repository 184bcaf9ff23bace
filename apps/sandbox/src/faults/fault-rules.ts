import { z } from 'zod';

/**
 * One fault rule. `probability` is the share of matching requests it hits; the dice are
 * a seeded PRNG per rule, so the same seed and the same request sequence give the same
 * faults. `endpoint` is a path glob (`*` matches within a segment, `**` across).
 */
export const faultRuleSchema = z.object({
  id: z.string().min(1).optional(),
  vendor: z.enum(['servicetitan', 'ghl', 'twilio']).optional(),
  method: z.string().toUpperCase().optional(),
  endpoint: z.string().min(1).optional(),
  probability: z.number().min(0).max(1).default(1),
  // respond-then-fail: the route runs (the vendor accepted the request and changed its data),
  // then the connection is cut instead of answering: the caller cannot tell it was made.
  kind: z.enum(['http-error', 'latency', 'hang', 'truncate', 'malformed', 'respond-then-fail', 'token-expiry', 'duplicate-callback', 'out-of-order-callback']),
  /** http-error: the status to answer with (429, 500, 503, ...). */
  status: z.number().int().min(400).max(599).default(500),
  /** http-error: Retry-After seconds; omitted means no header. */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** latency: added delay. */
  latencyMs: z.number().int().min(0).default(1_000),
});

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema> & { id: string };
export type FaultKind = FaultRule['kind'];

export const faultConfigSchema = z.object({
  seed: z.number().int().default(1),
  rules: z.array(faultRuleSchema).default([]),
});

export type FaultConfigInput = z.input<typeof faultConfigSchema>;

/** Kinds the HTTP middleware applies; the rest are applied where callbacks are scheduled. */
export const HTTP_FAULT_KINDS: readonly FaultKind[] = ['http-error', 'latency', 'hang', 'truncate', 'malformed', 'respond-then-fail', 'token-expiry'];
