import { z } from 'zod';
import 'zod-openapi';
import { QUEUE_NAMES } from '@fieldhand/queues';
import { pageQuery, uuidParam } from './common.js';

export const deadLetterResponse = z
  .object({
    id: z.uuid(),
    queue: z.string().meta({ description: 'The queue the job failed on; replay re-adds it there' }),
    jobName: z.string(),
    jobId: z.string(),
    data: z.record(z.string(), z.unknown()),
    attempts: z.number().int(),
    error: z.string(),
    stack: z.string().nullable(),
    tenantId: z.uuid().nullable(),
    correlationId: z.string().nullable(),
    failedAt: z.iso.datetime(),
    replayedAt: z.iso.datetime().nullable(),
    replayJobId: z.string().nullable(),
  })
  .meta({ id: 'DeadLetter' });

export const deadLetterQuery = pageQuery.extend({
  queue: z.enum(QUEUE_NAMES).optional().meta({ description: 'Only dead letters from this queue' }),
  tenantId: uuidParam.optional().meta({ description: 'Only dead letters of this tenant' }),
});

export const replayResponse = z
  .object({ jobId: z.string().meta({ description: 'The id of the job added to the original queue' }) })
  .meta({ id: 'ReplayResult' });
