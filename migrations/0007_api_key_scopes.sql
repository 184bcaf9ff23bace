-- Keys minted before scopes existed could do everything; they keep reading and writing,
-- and minting keys now needs keys:manage, which only the admin or such a key grants.
UPDATE "api_keys" SET "scopes" = '{read,write}' WHERE "scopes" = '{}' AND "tenant_id" IS NOT NULL;
