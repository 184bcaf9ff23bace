CREATE TABLE "workflow_definitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"document" jsonb NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"shipped" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"phone" text,
	"payload" jsonb NOT NULL,
	"evaluations" jsonb NOT NULL,
	"stopped" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"evaluated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_instances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"definition_id" uuid NOT NULL,
	"definition_key" text NOT NULL,
	"definition_version" integer NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"customer_id" bigint,
	"phone" text,
	"status" text NOT NULL,
	"current_step" text,
	"next_step_at" timestamp with time zone,
	"cancel_reason" text,
	"error" text,
	"cancel_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"trigger_event_id" text,
	"replay_of" uuid,
	"replay_from_step" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workflow_step_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"step_id" text NOT NULL,
	"step_type" text NOT NULL,
	"status" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"outcome" jsonb,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workflow_definitions" ADD CONSTRAINT "workflow_definitions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_events" ADD CONSTRAINT "workflow_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_instances" ADD CONSTRAINT "workflow_instances_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_instances" ADD CONSTRAINT "workflow_instances_definition_id_workflow_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."workflow_definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_step_runs" ADD CONSTRAINT "workflow_step_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_step_runs" ADD CONSTRAINT "workflow_step_runs_instance_id_workflow_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."workflow_instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_definitions_tenant_key_version_key" ON "workflow_definitions" USING btree ("tenant_id","key","version");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_events_tenant_event_key" ON "workflow_events" USING btree ("tenant_id","event_id");--> statement-breakpoint
CREATE INDEX "workflow_events_subject_idx" ON "workflow_events" USING btree ("tenant_id","subject_type","subject_id","evaluated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_instances_trigger_key" ON "workflow_instances" USING btree ("definition_id","trigger_event_id");--> statement-breakpoint
CREATE INDEX "workflow_instances_tenant_started_idx" ON "workflow_instances" USING btree ("tenant_id","started_at","id");--> statement-breakpoint
CREATE INDEX "workflow_instances_subject_idx" ON "workflow_instances" USING btree ("tenant_id","definition_key","subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "workflow_instances_customer_idx" ON "workflow_instances" USING btree ("tenant_id","definition_key","customer_id");--> statement-breakpoint
CREATE INDEX "workflow_instances_cancel_keys_idx" ON "workflow_instances" USING gin ("cancel_keys") WHERE "workflow_instances"."status" = 'active';--> statement-breakpoint
CREATE INDEX "workflow_instances_due_idx" ON "workflow_instances" USING btree ("next_step_at") WHERE "workflow_instances"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_step_runs_instance_step_key" ON "workflow_step_runs" USING btree ("instance_id","step_id");