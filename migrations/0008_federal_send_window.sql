-- Send windows lie within 08:00–21:00 (the federal rule, in the recipient's time zone):
-- clamp stored ones, and drop a window left empty by the clamp (the default applies).
UPDATE "tenants" SET "twilio" = jsonb_set("twilio", '{sendWindow}', jsonb_build_object(
    'start', greatest("twilio" -> 'sendWindow' ->> 'start', '08:00'),
    'end', least("twilio" -> 'sendWindow' ->> 'end', '21:00')))
WHERE "twilio" -> 'sendWindow' IS NOT NULL;--> statement-breakpoint
UPDATE "tenants" SET "twilio" = "twilio" - 'sendWindow'
WHERE "twilio" -> 'sendWindow' IS NOT NULL AND "twilio" -> 'sendWindow' ->> 'start' >= "twilio" -> 'sendWindow' ->> 'end';
