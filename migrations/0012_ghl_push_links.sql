CREATE TABLE "ghl_customer_links" (
	"tenant_id" uuid NOT NULL,
	"st_customer_id" bigint NOT NULL,
	"ghl_contact_id" text NOT NULL,
	"matched_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ghl_customer_links_tenant_id_st_customer_id_pk" PRIMARY KEY("tenant_id","st_customer_id")
);
--> statement-breakpoint
CREATE TABLE "ghl_estimate_links" (
	"tenant_id" uuid NOT NULL,
	"st_estimate_id" bigint NOT NULL,
	"pipeline_id" text NOT NULL,
	"ghl_opportunity_id" text NOT NULL,
	"ghl_contact_id" text NOT NULL,
	"pushed_status" text NOT NULL,
	"pushed_stage_id" text,
	"pushed_value" numeric(14, 2),
	"pushed_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"pushed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ghl_estimate_links_tenant_id_st_estimate_id_pipeline_id_pk" PRIMARY KEY("tenant_id","st_estimate_id","pipeline_id")
);
--> statement-breakpoint
ALTER TABLE "ghl_customer_links" ADD CONSTRAINT "ghl_customer_links_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ghl_estimate_links" ADD CONSTRAINT "ghl_estimate_links_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ghl_customer_links_contact_idx" ON "ghl_customer_links" USING btree ("tenant_id","ghl_contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ghl_estimate_links_opportunity_key" ON "ghl_estimate_links" USING btree ("tenant_id","ghl_opportunity_id");