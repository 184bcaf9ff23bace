import { runRole } from './bootstrap/run-role.js';
import { remindersRole } from './reminders/role.js';

await runRole(remindersRole);
