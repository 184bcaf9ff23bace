import { z } from 'zod';
import 'zod-openapi';
import { uuidParam } from './common.js';
import { phoneInput } from './message.js';

export const personParams = z.object({ tenantId: uuidParam, phone: phoneInput });

const rows = (description: string) => z.array(z.record(z.string(), z.unknown())).meta({ description });

export const personExportResponse = z
  .object({
    tenantId: z.uuid(),
    phone: z.string().meta({ description: 'E.164' }),
    messages: rows('Every text to or from the number, oldest first, with its status history'),
    consent: z.record(z.string(), z.unknown()).nullable().meta({ description: 'The consent record (null: never opted out or in)' }),
    consentHistory: z.object({
      events: rows('consent.opted_out / consent.opted_in events published for the number'),
      operatorChanges: rows('Consent set through the API (audit log)'),
    }),
    workflowRuns: rows('Workflow runs whose subject carries the number, each with its steps'),
    workflowEvents: rows('Events evaluated for the number'),
    reminders: rows('Appointment reminders planned for or sent to the number'),
    servicetitan: z.object({
      customers: rows('ServiceTitan customers one of whose contacts is the number'),
      customerContacts: rows('ServiceTitan customer contacts with the number'),
      locations: rows('ServiceTitan locations one of whose contacts is the number'),
      locationContacts: rows('ServiceTitan location contacts with the number'),
    }),
    ghl: z.object({ contacts: rows('GoHighLevel contacts with the number') }),
    officeAlerts: rows('Office alerts that carry the number or one of its texts'),
    conversationReads: rows("How far the office has read the number's thread"),
    otherRecords: z
      .array(z.object({ table: z.string(), rows: rows('The rows') }))
      .meta({ description: 'Rows of any other table that carry the number or one of its texts (webhook payloads, published events, dead letters, vendor writes, the audit log)' }),
  })
  .meta({ id: 'PersonExport' });

export const personErasedResponse = z
  .object({
    tenantId: z.uuid(),
    phone: z.string(),
    erasedAt: z.iso.datetime(),
    changed: z.record(z.string(), z.number().int()).meta({ description: 'Rows changed per table (a row changed in two passes counts twice)' }),
    consent: z
      .object({ optedOut: z.boolean(), changedAt: z.iso.datetime() })
      .nullable()
      .meta({ description: 'The consent record, kept as it was: the proof of an opt-out (null: there was none)' }),
  })
  .meta({ id: 'PersonErased' });
