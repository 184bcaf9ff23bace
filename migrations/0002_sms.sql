CREATE TABLE "communication_preferences" (
	"tenant_id" uuid NOT NULL,
	"phone" text NOT NULL,
	"sms_opt_out" boolean DEFAULT false NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"keyword" text,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "communication_preferences_tenant_id_phone_pk" PRIMARY KEY("tenant_id","phone")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"direction" text NOT NULL,
	"to" text NOT NULL,
	"from" text,
	"body" text NOT NULL,
	"status" text NOT NULL,
	"twilio_sid" text,
	"error_code" integer,
	"error_message" text,
	"segments" integer NOT NULL,
	"status_history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"idempotency_key" text,
	"recipient_state" text,
	"recipient_timezone" text,
	"send_after" timestamp with time zone,
	"claimed_at" timestamp with time zone,
	"correlation_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "communication_preferences" ADD CONSTRAINT "communication_preferences_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_twilio_sid_key" ON "messages" USING btree ("twilio_sid");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_tenant_idempotency_key" ON "messages" USING btree ("tenant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "messages_tenant_created_idx" ON "messages" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "messages_tenant_phone_idx" ON "messages" USING btree ("tenant_id","to");--> statement-breakpoint
CREATE INDEX "messages_open_idx" ON "messages" USING btree ("status") WHERE "messages"."status" in ('queued', 'sending');