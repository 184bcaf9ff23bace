import { z } from 'zod';
import 'zod-openapi';

export const createApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).meta({ description: 'What the key is for', example: 'office reporting script' }),
  })
  .meta({ id: 'CreateApiKey' });

export const createdApiKeyResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().meta({ description: 'Public part of the key, safe to show in lists and logs' }),
    key: z.string().meta({ description: 'The whole key. Shown only in this response; store it now' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'CreatedApiKey' });
