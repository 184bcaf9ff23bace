export { runRole } from './bootstrap/run-role.js';
export type { RoleDefinition, RoleDeps } from './bootstrap/role.js';
export { maintenanceRole } from './maintenance/role.js';
export { syncRole } from './sync/role.js';
export { smsDeps, smsRole } from './sms/role.js';
export { workflowsRole } from './workflows/role.js';
