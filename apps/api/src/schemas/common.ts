import { z } from 'zod';
import 'zod-openapi';
import { decodeCursor } from '@fieldhand/db';

/** The standard error body, for every 4xx and 5xx. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code', example: 'validation_failed' }),
      message: z.string(),
      details: z.unknown().optional().meta({ description: 'For validation errors: the zod issues (path, message, code)' }),
      correlationId: z.string().meta({ description: 'Echoes X-Correlation-ID; quote it when reporting a problem' }),
    }),
  })
  .meta({ id: 'ErrorBody' });

// Any 8-4-4-4-12 hex form PostgreSQL accepts, lower-cased so comparisons with stored ids hold.
export const uuidParam = z
  .guid()
  .transform((v) => v.toLowerCase())
  .meta({ description: 'A UUID', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' });

const isCursor = (value: string) => {
  const decoded = decodeCursor(value);
  return decoded !== undefined && z.guid().safeParse(decoded.id).success;
};

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Page size (1–200)' }),
  cursor: z
    .string()
    .max(200)
    .refine(isCursor, 'not a cursor returned by this API')
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page' }),
});

export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      data: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
    })
    .meta({ id });

/** An IANA time zone name the runtime knows (America/Chicago). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
