import { runRole } from './bootstrap/run-role.js';
import { eventsRole } from './events/role.js';

await runRole(eventsRole);
