import { z } from 'zod';
import { findReminder, listReminders, type Database, type ReminderRow } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { loadReminderSettings, saveSettings } from '@fieldhand/reminders';
import { NotFoundError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { pageOf, uuidParam } from '../schemas/common.js';
import { reminderQuery, reminderResponse, reminderSettingsBody, reminderSettingsResponse } from '../schemas/reminder.js';

const tenantParams = z.object({ tenantId: uuidParam });
const reminderParams = z.object({ tenantId: uuidParam, id: uuidParam });
const iso = (d: Date | null) => d?.toISOString() ?? null;

function toReminderResponse(row: ReminderRow) {
  return {
    id: row.id,
    appointmentId: row.appointmentId,
    offsetMinutes: row.offsetMinutes,
    appointmentStart: row.appointmentStart.toISOString(),
    dueAt: row.dueAt.toISOString(),
    status: row.status,
    reason: row.reason,
    messageId: row.messageId,
    confirmedAt: iso(row.confirmedAt),
    rescheduleRequestedAt: iso(row.rescheduleRequestedAt),
  };
}

export function reminderRoutes(db: Database, bus: JobBus<FieldhandCatalog>, logger: Logger): AnyRoute[] {
  return [
    // Before `/reminders/:id`, which would otherwise take "settings" for an id.
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/reminders/settings',
      operationId: 'getReminderSettings',
      summary: "The tenant's appointment reminder settings, defaults filled",
      tag: 'reminders',
      access: 'tenant',
      params: tenantParams,
      responses: { 200: { description: 'The settings', schema: reminderSettingsResponse } },
      errors: [404],
      handler: async ({ params }) => {
        await requireTenant(db, params.tenantId);
        return { status: 200, body: await loadReminderSettings(db, params.tenantId) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/tenants/:tenantId/reminders/settings',
      operationId: 'setReminderSettings',
      summary: "Replace the tenant's appointment reminder settings",
      description: "Omitted fields take their defaults. The tenant's upcoming appointments are then planned again with the new settings.",
      tag: 'reminders',
      access: 'tenant',
      params: tenantParams,
      body: reminderSettingsBody,
      responses: { 200: { description: 'The settings as stored', schema: reminderSettingsResponse } },
      errors: [404],
      handler: async ({ params, body }) => {
        await requireTenant(db, params.tenantId);
        return { status: 200, body: await saveSettings({ db, bus, logger }, params.tenantId, body) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/reminders',
      operationId: 'listReminders',
      summary: 'List appointment reminders, newest first',
      tag: 'reminders',
      access: 'tenant',
      params: tenantParams,
      query: reminderQuery,
      responses: { 200: { description: 'A page of reminders', schema: pageOf(reminderResponse, 'ReminderPage') } },
      handler: async ({ params, query }) => {
        const page = await listReminders(db, { tenantId: params.tenantId, appointmentId: query.appointmentId, status: query.status, limit: query.limit, cursor: query.cursor });
        return { status: 200, body: { data: page.data.map(toReminderResponse), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/reminders/:id',
      operationId: 'getReminder',
      summary: 'Get an appointment reminder',
      tag: 'reminders',
      access: 'tenant',
      params: reminderParams,
      responses: { 200: { description: 'The reminder', schema: reminderResponse } },
      errors: [404],
      handler: async ({ params }) => {
        const row = await findReminder(db, params.tenantId, params.id);
        if (!row) throw new NotFoundError('reminder_not_found', 'No reminder with this id');
        return { status: 200, body: toReminderResponse(row) };
      },
    }),
  ];
}
