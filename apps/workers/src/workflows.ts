import { runRole } from './bootstrap/run-role.js';
import { workflowsRole } from './workflows/role.js';

await runRole(workflowsRole);
