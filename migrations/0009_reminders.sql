CREATE TABLE "reminder_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"appointment_id" bigint NOT NULL,
	"offset_minutes" integer NOT NULL,
	"appointment_start" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"phone" text,
	"message_id" uuid,
	"confirmed_at" timestamp with time zone,
	"reschedule_requested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vendor_writes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"vendor" text NOT NULL,
	"operation" text NOT NULL,
	"key" text NOT NULL,
	"target" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_at" timestamp with time zone,
	"response_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "send_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reminder_settings" ADD CONSTRAINT "reminder_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vendor_writes" ADD CONSTRAINT "vendor_writes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reminders_slot_key" ON "reminders" USING btree ("tenant_id","appointment_id","offset_minutes","appointment_start");--> statement-breakpoint
CREATE INDEX "reminders_tenant_created_idx" ON "reminders" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reminders_scheduled_due_idx" ON "reminders" USING btree ("due_at") WHERE "reminders"."status" = 'scheduled';--> statement-breakpoint
CREATE INDEX "reminders_sent_phone_idx" ON "reminders" USING btree ("tenant_id","phone","appointment_start") WHERE "reminders"."status" = 'sent';--> statement-breakpoint
CREATE UNIQUE INDEX "vendor_writes_tenant_key" ON "vendor_writes" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE INDEX "vendor_writes_open_idx" ON "vendor_writes" USING btree ("created_at") WHERE "vendor_writes"."status" in ('pending', 'sending');