import { z } from 'zod';
import 'zod-openapi';

const pipelineStage = z
  .object({ id: z.string(), name: z.string().nullable(), position: z.number().nullable() })
  .meta({ id: 'GhlPipelineStage' });

export const ghlPipeline = z
  .object({
    id: z.string().meta({ description: "GHL's pipeline id (what the tenant's estimate pipeline setting names)" }),
    name: z.string().nullable(),
    stages: z.array(pipelineStage).meta({ description: 'In GHL order (by position)' }),
    syncedAt: z.string().meta({ description: 'When the sync last wrote this pipeline' }),
  })
  .meta({ id: 'GhlPipeline' });

export const ghlPipelinesResponse = z
  .object({
    connected: z.boolean().meta({ description: 'Whether the tenant has a GHL location; without one the list is empty' }),
    pipelines: z.array(ghlPipeline),
  })
  .meta({ id: 'GhlPipelines' });
