import type { RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';

/** bull-board over every queue in the catalog, `dead-letter` included, for mounting at `basePath`. */
export function bullBoard(bus: JobBus<FieldhandCatalog>, basePath: string): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: bus.allQueues().map((queue) => new BullMQAdapter(queue, { description: queue.name === 'dead-letter' ? 'Jobs that exhausted their attempts; replay or discard via /api/v1/dead-letters' : undefined })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Fieldhand queues' } },
  });
  return serverAdapter.getRouter() as RequestHandler;
}
