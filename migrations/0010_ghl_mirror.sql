CREATE TABLE "ghl_contacts" (
	"tenant_id" uuid NOT NULL,
	"id" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"date_updated" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"phone" text,
	"email" text,
	"first_name" text,
	"last_name" text,
	"full_name" text,
	"dnd" boolean DEFAULT false NOT NULL,
	"dnd_settings" jsonb,
	"tags" text[],
	"date_added" timestamp with time zone,
	CONSTRAINT "ghl_contacts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "ghl_opportunities" (
	"tenant_id" uuid NOT NULL,
	"id" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"date_updated" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"name" text,
	"status" text,
	"pipeline_id" text,
	"pipeline_stage_id" text,
	"monetary_value" numeric,
	"contact_id" text,
	"assigned_to" text,
	"date_added" timestamp with time zone,
	CONSTRAINT "ghl_opportunities_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "ghl_pipelines" (
	"tenant_id" uuid NOT NULL,
	"id" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"date_updated" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"name" text,
	"stages" jsonb,
	CONSTRAINT "ghl_pipelines_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "sync_seen_rows" (
	"tenant_id" uuid NOT NULL,
	"source" text NOT NULL,
	"module" text NOT NULL,
	"id" text NOT NULL,
	"run_id" uuid NOT NULL,
	CONSTRAINT "sync_seen_rows_tenant_id_source_module_id_pk" PRIMARY KEY("tenant_id","source","module","id")
);
--> statement-breakpoint
ALTER TABLE "sync_state" ADD COLUMN "run_full" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_state" ADD COLUMN "last_full_success_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "ghl_contacts" ADD CONSTRAINT "ghl_contacts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ghl_opportunities" ADD CONSTRAINT "ghl_opportunities_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ghl_pipelines" ADD CONSTRAINT "ghl_pipelines_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_seen_rows" ADD CONSTRAINT "sync_seen_rows_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ghl_contacts_modified_idx" ON "ghl_contacts" USING btree ("tenant_id","modified_on");--> statement-breakpoint
CREATE INDEX "ghl_contacts_phone_idx" ON "ghl_contacts" USING btree ("tenant_id","phone");--> statement-breakpoint
CREATE INDEX "ghl_contacts_email_idx" ON "ghl_contacts" USING btree ("tenant_id",lower("email"));--> statement-breakpoint
CREATE INDEX "ghl_opportunities_contact_idx" ON "ghl_opportunities" USING btree ("tenant_id","contact_id");--> statement-breakpoint
CREATE INDEX "ghl_opportunities_pipeline_idx" ON "ghl_opportunities" USING btree ("tenant_id","pipeline_id","pipeline_stage_id");