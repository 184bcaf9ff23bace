import { z } from 'zod';

// Pieces of the workflow document that step kinds share with the rest of it.

const CONDITION_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'exists', 'not_exists'] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const conditionSchema = z.strictObject({
  field: z.string().min(1).max(64),
  op: z.enum(CONDITION_OPS),
  value: z.union([scalar, z.array(scalar).min(1).max(50)]).optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

export const conditions = z.array(conditionSchema).max(20).default([]);

// Step ids become part of BullMQ job ids and ledger idempotency keys.
export const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (at most 64)');

export const isoDuration = z.string().regex(/^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'an ISO-8601 duration such as P1D, PT2H or PT10S');
