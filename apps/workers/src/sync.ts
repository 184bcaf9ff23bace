import { runRole } from './bootstrap/run-role.js';
import { syncRole } from './sync/role.js';

await runRole(syncRole);
