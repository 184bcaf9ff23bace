-- A sender belongs to one tenant. Where two tenants already share one, the oldest keeps
-- it and the others lose it (their texts wait until the admin gives them a sender).
UPDATE "tenants" AS t SET "twilio" = t."twilio" - 'from'
WHERE t."twilio" ->> 'from' IS NOT NULL AND EXISTS (
  SELECT 1 FROM "tenants" o WHERE o."twilio" ->> 'from' = t."twilio" ->> 'from' AND (o."created_at", o."id") < (t."created_at", t."id"));--> statement-breakpoint
UPDATE "tenants" AS t SET "twilio" = t."twilio" - 'messagingServiceSid'
WHERE t."twilio" ->> 'messagingServiceSid' IS NOT NULL AND EXISTS (
  SELECT 1 FROM "tenants" o WHERE o."twilio" ->> 'messagingServiceSid' = t."twilio" ->> 'messagingServiceSid' AND (o."created_at", o."id") < (t."created_at", t."id"));--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_twilio_from_key" ON "tenants" USING btree (("twilio" ->> 'from'));--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_twilio_service_key" ON "tenants" USING btree (("twilio" ->> 'messagingServiceSid'));