import { z } from 'zod';
import { NEW_WORK_PRIORITY, tenantScoped } from '../catalog.js';

const forTenant = tenantScoped.extend({ tenantId: z.uuid() });

export const reminderJobs = {
  // The sync saw an appointment (or its job) change: plan, move or cancel its reminders
  // from the mirror as it is now. New work, behind reminders already due.
  'reminders.appointment-changed': {
    queue: 'reminders',
    schema: forTenant.extend({
      eventId: z.string().min(1).max(200),
      appointmentId: z.number().int().optional(),
      // A job canceled: every appointment of it.
      jobId: z.number().int().optional(),
    }),
    priority: NEW_WORK_PRIORITY,
  },
  // Plans every upcoming appointment of a tenant: its settings changed, or its first sync finished.
  'reminders.plan-tenant': { queue: 'reminders', schema: forTenant, priority: NEW_WORK_PRIORITY },
  // A reminder's due time came (a delayed job; PostgreSQL's reminders row is the record).
  'reminders.fire': { queue: 'reminders', schema: forTenant.extend({ reminderId: z.uuid() }) },
  // A reply that may answer a reminder (C to confirm, R to reschedule).
  'reminders.reply': {
    queue: 'reminders',
    schema: forTenant.extend({ messageId: z.uuid(), from: z.string().min(1), answer: z.enum(['confirm', 'reschedule']) }),
  },
  // One confirmation written back to ServiceTitan through the vendor write ledger.
  'reminders.confirm-appointment': { queue: 'reminders', schema: forTenant.extend({ writeId: z.uuid() }), retry: { attempts: 8, backoffMs: 5_000 } },
} as const;

/** BullMQ job ids may not contain ':'; the due time makes a moved reminder a new job. */
export const reminderFireJobId = (reminderId: string, dueAt: Date): string => `reminder-${reminderId}-${dueAt.getTime()}`;
