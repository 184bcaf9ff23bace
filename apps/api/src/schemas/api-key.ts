import { z } from 'zod';
import 'zod-openapi';
import { API_KEY_SCOPES } from '@fieldhand/db';

const scopes = z
  .array(z.enum(API_KEY_SCOPES))
  .min(1)
  .max(API_KEY_SCOPES.length)
  .meta({ description: '`read` (GET routes), `write` (the others), `keys:manage` (mint, revoke and list keys)' });

export const createApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).meta({ description: 'What the key is for', example: 'office reporting script' }),
    scopes: scopes.optional().meta({ description: 'Default ["read", "write"]' }),
  })
  .meta({ id: 'CreateApiKey' });

export const createdApiKeyResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().meta({ description: 'Public part of the key, safe to show in lists and logs' }),
    scopes,
    key: z.string().meta({ description: 'The whole key. Shown only in this response; store it now' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'CreatedApiKey' });

/** A key as lists show it: never the secret or its hash. */
export const apiKeyResponse = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid().nullable().meta({ description: 'null for a stored admin key' }),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable().meta({ description: 'Recorded at most once a minute' }),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });
