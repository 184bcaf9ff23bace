import { runRole } from './bootstrap/run-role.js';
import { maintenanceRole } from './maintenance/role.js';

await runRole(maintenanceRole);
