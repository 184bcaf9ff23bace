import { ghlPipelines } from '@fieldhand/db';
import type { GhlModule } from './ghl-module.js';
import { ghlRow, str } from './values.js';

export const pipelinesModule: GhlModule = {
  name: 'pipelines',
  table: ghlPipelines,
  // Pipelines carry no dates; the upsert still rewrites one whose content changed.
  toRow: (record) => ({ ...ghlRow(record, undefined, undefined), name: str(record.name), stages: Array.isArray(record.stages) ? record.stages : null }),
  tracked: [],
  reconcile: true,
  /** GET /opportunities/pipelines: every pipeline in one answer, read whole each pass. */
  async fetch(client, _cursor, _options, signal) {
    return { records: await client.pipelines(signal), cursor: null, hasMore: false };
  },
};
