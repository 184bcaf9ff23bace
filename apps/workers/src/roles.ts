import type { RoleDefinition } from './bootstrap/role.js';
import { eventsRole } from './events/role.js';
import { maintenanceRole } from './maintenance/role.js';
import { remindersRole } from './reminders/role.js';
import { smsRole } from './sms/role.js';
import { syncRole } from './sync/role.js';
import { workflowsRole } from './workflows/role.js';

/** Every worker role of the deployment; each is one PM2 app (ecosystem.config.cjs). */
export const ROLES: readonly RoleDefinition[] = [syncRole, workflowsRole, smsRole, remindersRole, eventsRole, maintenanceRole];
