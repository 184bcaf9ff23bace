CREATE TABLE "st_invoices" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"reference_number" text,
	"customer_id" bigint,
	"location_id" bigint,
	"job_id" bigint,
	"business_unit_id" bigint,
	"invoice_date" timestamp with time zone,
	"due_date" timestamp with time zone,
	"sub_total" numeric(14, 2),
	"sales_tax" numeric(14, 2),
	"total" numeric(14, 2),
	"balance" numeric(14, 2),
	"paid_on" timestamp with time zone,
	CONSTRAINT "st_invoices_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_payments" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"customer_id" bigint,
	"business_unit_id" bigint,
	"type" text,
	"paid_on" timestamp with time zone,
	"total" numeric(14, 2),
	"unapplied_amount" numeric(14, 2),
	"reference_number" text,
	CONSTRAINT "st_payments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_customer_contacts" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"customer_id" bigint,
	"type" text,
	"value" text,
	"phone" text,
	"do_not_text" boolean DEFAULT false NOT NULL,
	CONSTRAINT "st_customer_contacts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_customers" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"name" text,
	"type" text,
	"street" text,
	"city" text,
	"state" text,
	"zip" text,
	"do_not_service" boolean,
	"merged_to_id" bigint,
	CONSTRAINT "st_customers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_location_contacts" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"location_id" bigint,
	"type" text,
	"value" text,
	"phone" text,
	"do_not_text" boolean DEFAULT false NOT NULL,
	CONSTRAINT "st_location_contacts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_locations" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"customer_id" bigint,
	"name" text,
	"street" text,
	"city" text,
	"state" text,
	"zip" text,
	CONSTRAINT "st_locations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_appointment_assignments" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"appointment_id" bigint,
	"job_id" bigint,
	"technician_id" bigint,
	"technician_name" text,
	"status" text,
	"assigned_on" timestamp with time zone,
	CONSTRAINT "st_appointment_assignments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_appointments" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"job_id" bigint,
	"customer_id" bigint,
	"appointment_number" text,
	"status" text,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"arrival_window_start" timestamp with time zone,
	"arrival_window_end" timestamp with time zone,
	CONSTRAINT "st_appointments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_estimates" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"job_id" bigint,
	"customer_id" bigint,
	"location_id" bigint,
	"business_unit_id" bigint,
	"name" text,
	"status" text,
	"status_value" integer,
	"subtotal" numeric(14, 2),
	"tax" numeric(14, 2),
	"total" numeric(14, 2),
	"sold_on" timestamp with time zone,
	"sold_by" bigint,
	CONSTRAINT "st_estimates_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_jobs" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"job_number" text,
	"customer_id" bigint,
	"location_id" bigint,
	"business_unit_id" bigint,
	"job_type_id" bigint,
	"job_status" text,
	"completed_on" timestamp with time zone,
	"total" numeric(14, 2),
	"sold_by_id" bigint,
	CONSTRAINT "st_jobs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_business_units" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"name" text,
	"official_name" text,
	"email" text,
	"phone" text,
	CONSTRAINT "st_business_units_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_installed_equipment" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"location_id" bigint,
	"customer_id" bigint,
	"name" text,
	"type_name" text,
	"manufacturer" text,
	"model" text,
	"serial_number" text,
	"status" text,
	"cost" numeric(14, 2),
	"installed_on" timestamp with time zone,
	"manufacturer_warranty_end" timestamp with time zone,
	CONSTRAINT "st_installed_equipment_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "st_technicians" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"active" boolean NOT NULL,
	"created_on" timestamp with time zone,
	"modified_on" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw" jsonb NOT NULL,
	"name" text,
	"email" text,
	"phone" text,
	"business_unit_id" bigint,
	"login_name" text,
	CONSTRAINT "st_technicians_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"source" text NOT NULL,
	"module" text NOT NULL,
	"full" boolean NOT NULL,
	"emits_events" boolean NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"pages" integer DEFAULT 0 NOT NULL,
	"inserted" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"events" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"tenant_id" uuid NOT NULL,
	"source" text NOT NULL,
	"module" text NOT NULL,
	"cursor" text,
	"run_id" uuid,
	"run_page" integer DEFAULT 0 NOT NULL,
	"run_emits_events" boolean DEFAULT false NOT NULL,
	"run_heartbeat_at" timestamp with time zone,
	"last_started_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"interval_seconds" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_state_tenant_id_source_module_pk" PRIMARY KEY("tenant_id","source","module")
);
--> statement-breakpoint
ALTER TABLE "st_invoices" ADD CONSTRAINT "st_invoices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_payments" ADD CONSTRAINT "st_payments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_customer_contacts" ADD CONSTRAINT "st_customer_contacts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_customers" ADD CONSTRAINT "st_customers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_location_contacts" ADD CONSTRAINT "st_location_contacts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_locations" ADD CONSTRAINT "st_locations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_appointment_assignments" ADD CONSTRAINT "st_appointment_assignments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_appointments" ADD CONSTRAINT "st_appointments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_estimates" ADD CONSTRAINT "st_estimates_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_jobs" ADD CONSTRAINT "st_jobs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_business_units" ADD CONSTRAINT "st_business_units_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_installed_equipment" ADD CONSTRAINT "st_installed_equipment_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "st_technicians" ADD CONSTRAINT "st_technicians_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_state" ADD CONSTRAINT "sync_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "st_invoices_job_idx" ON "st_invoices" USING btree ("tenant_id","job_id");--> statement-breakpoint
CREATE INDEX "st_payments_customer_idx" ON "st_payments" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "st_customer_contacts_customer_idx" ON "st_customer_contacts" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "st_customer_contacts_phone_idx" ON "st_customer_contacts" USING btree ("tenant_id","phone");--> statement-breakpoint
CREATE INDEX "st_customers_modified_idx" ON "st_customers" USING btree ("tenant_id","modified_on");--> statement-breakpoint
CREATE INDEX "st_location_contacts_location_idx" ON "st_location_contacts" USING btree ("tenant_id","location_id");--> statement-breakpoint
CREATE INDEX "st_location_contacts_phone_idx" ON "st_location_contacts" USING btree ("tenant_id","phone");--> statement-breakpoint
CREATE INDEX "st_locations_customer_idx" ON "st_locations" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "st_appointment_assignments_appointment_idx" ON "st_appointment_assignments" USING btree ("tenant_id","appointment_id");--> statement-breakpoint
CREATE INDEX "st_appointment_assignments_technician_idx" ON "st_appointment_assignments" USING btree ("tenant_id","technician_id");--> statement-breakpoint
CREATE INDEX "st_appointments_job_idx" ON "st_appointments" USING btree ("tenant_id","job_id");--> statement-breakpoint
CREATE INDEX "st_appointments_starts_idx" ON "st_appointments" USING btree ("tenant_id","starts_at");--> statement-breakpoint
CREATE INDEX "st_estimates_job_idx" ON "st_estimates" USING btree ("tenant_id","job_id");--> statement-breakpoint
CREATE INDEX "st_estimates_status_idx" ON "st_estimates" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "st_jobs_customer_idx" ON "st_jobs" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "st_jobs_location_idx" ON "st_jobs" USING btree ("tenant_id","location_id");--> statement-breakpoint
CREATE INDEX "sync_runs_tenant_module_idx" ON "sync_runs" USING btree ("tenant_id","source","module","started_at");