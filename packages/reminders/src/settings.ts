import { z } from 'zod';
import { findReminderSettings, type Executor } from '@fieldhand/db';
import { parseTemplate, TemplateError } from '@fieldhand/sms';

/** The variables a reminder template may name; technicianFirstName only where a technician is assigned. */
export const REMINDER_VARIABLES = ['firstName', 'companyName', 'appointmentDate', 'arrivalWindow', 'technicianFirstName'] as const;

export const DEFAULT_TEMPLATES = {
  reminder: 'Hi {{firstName}}, this is {{companyName}}: a reminder of your appointment {{appointmentDate}}, {{arrivalWindow}}.',
  reminderWithTechnician: 'Hi {{firstName}}, this is {{companyName}}: a reminder of your appointment {{appointmentDate}}, {{arrivalWindow}}, with {{technicianFirstName}}.',
  dispatched: '{{companyName}}: your technician is on the way.',
  dispatchedWithTechnician: '{{companyName}}: {{technicianFirstName}} is on the way to you now.',
  confirmed: 'Thanks {{firstName}}, your appointment {{appointmentDate}}, {{arrivalWindow}} is confirmed. {{companyName}}',
  rescheduleRequested: 'Thanks {{firstName}}, {{companyName}} will be in touch to find a new time.',
} as const;

export type TemplateName = keyof typeof DEFAULT_TEMPLATES;

const template = (name: TemplateName) =>
  z
    .string()
    .min(1)
    .max(1_000)
    .superRefine((text, ctx) => {
      try {
        const unknown = parseTemplate(text).filter((v) => !(REMINDER_VARIABLES as readonly string[]).includes(v));
        if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown variable(s) ${unknown.map((v) => `{{${v}}}`).join(', ')}; known: ${REMINDER_VARIABLES.join(', ')}` });
        // Only the *WithTechnician templates are used when a technician is known.
        if (!name.endsWith('WithTechnician') && parseTemplate(text).includes('technicianFirstName')) {
          ctx.addIssue({ code: 'custom', message: `{{technicianFirstName}} is only available in ${name}WithTechnician` });
        }
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
      }
    });

const ids = z.array(z.number().int().positive()).max(500).default([]);

/** `PUT …/reminders/settings`: replaces the settings; omitted fields take their defaults. */
export const reminderSettingsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  offsetsMinutes: z
    .array(z.number().int().min(1).max(43_200))
    .min(1)
    .max(5)
    .refine((offsets) => new Set(offsets).size === offsets.length, 'offsets must differ')
    .default([1440, 120]),
  confirmByReply: z.boolean().default(true),
  dispatchNotice: z.boolean().default(false),
  excludeBusinessUnitIds: ids,
  excludeJobTypeIds: ids,
  templates: z.strictObject(Object.fromEntries(Object.keys(DEFAULT_TEMPLATES).map((name) => [name, template(name as TemplateName).optional()])) as Record<TemplateName, z.ZodOptional<ReturnType<typeof template>>>).optional(),
});

export type ReminderSettings = z.output<typeof reminderSettingsSchema>;

export const DEFAULT_REMINDER_SETTINGS: ReminderSettings = reminderSettingsSchema.parse({});

/** A tenant's settings, defaults filled; a stored value that no longer parses counts as off. */
export async function loadReminderSettings(db: Executor, tenantId: string): Promise<ReminderSettings> {
  return parseStoredSettings(await findReminderSettings(db, tenantId));
}

/** Stored settings with defaults filled; none stored is the defaults, a value that no longer parses is off. */
export function parseStoredSettings(stored: unknown): ReminderSettings {
  if (stored === undefined || stored === null) return DEFAULT_REMINDER_SETTINGS;
  const parsed = reminderSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : { ...DEFAULT_REMINDER_SETTINGS, enabled: false };
}

export function templateOf(settings: ReminderSettings, name: TemplateName): string {
  return settings.templates?.[name] ?? DEFAULT_TEMPLATES[name];
}
