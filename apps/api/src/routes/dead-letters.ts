import { z } from 'zod';
import { findDeadLetter, listDeadLetters, type Database, type DeadLetterRow } from '@fieldhand/db';
import { discardDeadLetter, isQueueName, replayDeadLetter, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { ConflictError, NotFoundError } from '../errors/http-error.js';
import { audit } from '../http/audit.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { pageOf, uuidParam } from '../schemas/common.js';
import { deadLetterQuery, deadLetterResponse, replayResponse } from '../schemas/dead-letter.js';

const idParams = z.object({ id: uuidParam });
const notFound = () => new NotFoundError('dead_letter_not_found', 'No dead letter with this id');

function toResponse(row: DeadLetterRow) {
  return {
    ...row,
    failedAt: row.failedAt.toISOString(),
    replayedAt: row.replayedAt?.toISOString() ?? null,
  };
}

export function deadLetterRoutes(db: Database, bus: JobBus<FieldhandCatalog>): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/dead-letters',
      operationId: 'listDeadLetters',
      summary: 'List dead letters, newest first',
      description: 'Jobs that exhausted their attempts, with their original queue, data and last error.',
      tag: 'dead letters',
      access: 'admin',
      query: deadLetterQuery,
      responses: { 200: { description: 'A page of dead letters', schema: pageOf(deadLetterResponse, 'DeadLetterPage') } },
      handler: async ({ query }) => {
        const page = await listDeadLetters(db, query);
        return { status: 200, body: { data: page.data.map(toResponse), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/dead-letters/:id',
      operationId: 'getDeadLetter',
      summary: 'Get a dead letter',
      tag: 'dead letters',
      access: 'admin',
      params: idParams,
      responses: { 200: { description: 'The dead letter', schema: deadLetterResponse } },
      errors: [404],
      handler: async ({ params }) => {
        const row = await findDeadLetter(db, params.id);
        if (!row) throw notFound();
        return { status: 200, body: toResponse(row) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/dead-letters/:id/replay',
      operationId: 'replayDeadLetter',
      summary: 'Replay a dead letter into its original queue',
      description: 'Re-adds the job with the same data. Replaying twice adds one job: the replay has a stable job id.',
      tag: 'dead letters',
      access: 'admin',
      params: idParams,
      responses: { 202: { description: 'Enqueued', schema: replayResponse } },
      errors: [404, 409],
      handler: async ({ params, res }) => {
        const row = await findDeadLetter(db, params.id);
        if (!row) throw notFound();
        if (!isQueueName(row.queue)) throw new ConflictError('unknown_queue', `Queue ${row.queue} no longer exists; discard this dead letter`);
        const result = await replayDeadLetter(db, bus, row.id);
        if (!result) throw notFound();
        await audit(db, res, 'dead_letter.replayed', { tenantId: row.tenantId, target: { deadLetterId: row.id, queue: row.queue, jobName: row.jobName, replayJobId: result.jobId } });
        return { status: 202, body: { jobId: result.jobId } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/dead-letters/:id',
      operationId: 'discardDeadLetter',
      summary: 'Discard a dead letter',
      tag: 'dead letters',
      access: 'admin',
      params: idParams,
      responses: { 204: { description: 'Discarded' } },
      errors: [404],
      handler: async ({ params, res }) => {
        const row = await findDeadLetter(db, params.id);
        if (!row || !(await discardDeadLetter(db, bus, params.id))) throw notFound();
        await audit(db, res, 'dead_letter.discarded', { tenantId: row.tenantId, target: { deadLetterId: row.id, queue: row.queue, jobName: row.jobName } });
        return { status: 204 };
      },
    }),
  ];
}
