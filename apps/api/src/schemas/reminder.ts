import { z } from 'zod';
import 'zod-openapi';
import { DEFAULT_TEMPLATES, REMINDER_VARIABLES, reminderSettingsSchema } from '@fieldhand/reminders';
import { pageQuery } from './common.js';

export const REMINDER_STATUSES = ['scheduled', 'sent', 'cancelled', 'skipped', 'failed'] as const;

const templateNames = Object.keys(DEFAULT_TEMPLATES) as Array<keyof typeof DEFAULT_TEMPLATES>;

// The reminders package owns the rules (offsets, template variables); this only documents them.
export const reminderSettingsBody = reminderSettingsSchema.meta({
  id: 'ReminderSettingsInput',
  description:
    'Replaces the settings: omitted fields take their defaults. offsetsMinutes: 1–5 distinct lead times of 1–43200 minutes. ' +
    `Templates may use ${REMINDER_VARIABLES.map((v) => `{{${v}}}`).join(', ')}; {{technicianFirstName}} only in the *WithTechnician ones.`,
});

export const reminderSettingsResponse = z
  .object({
    enabled: z.boolean(),
    offsetsMinutes: z.array(z.number().int()),
    confirmByReply: z.boolean(),
    dispatchNotice: z.boolean(),
    excludeBusinessUnitIds: z.array(z.number().int()),
    excludeJobTypeIds: z.array(z.number().int()),
    templates: z
      .object(Object.fromEntries(templateNames.map((name) => [name, z.string().optional()])) as Record<keyof typeof DEFAULT_TEMPLATES, z.ZodOptional<z.ZodString>>)
      .optional()
      .meta({ description: 'Only the templates set; the others are the shipped defaults' }),
  })
  .meta({ id: 'ReminderSettings' });

// A ServiceTitan appointment id, as text in the query string.
const appointmentIdQuery = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'must be a positive integer')
  .meta({ description: 'A ServiceTitan appointment id', example: '123456' });

export const reminderQuery = pageQuery.extend({
  appointmentId: appointmentIdQuery.optional(),
  status: z.enum(REMINDER_STATUSES).optional(),
});

export const reminderResponse = z
  .object({
    id: z.uuid(),
    appointmentId: z.number().int().meta({ description: 'The ServiceTitan appointment id' }),
    offsetMinutes: z.number().int().meta({ description: 'How long before the start it is meant to go' }),
    appointmentStart: z.iso.datetime().meta({ description: 'The start it was planned for (a reschedule makes new reminders)' }),
    dueAt: z.iso.datetime(),
    status: z.enum(REMINDER_STATUSES),
    reason: z.string().nullable().meta({ description: 'Why it was cancelled, skipped or failed' }),
    messageId: z.uuid().nullable().meta({ description: 'The text that carried it, once sent' }),
    confirmedAt: z.iso.datetime().nullable(),
    rescheduleRequestedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Reminder' });
