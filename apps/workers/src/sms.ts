import { runRole } from './bootstrap/run-role.js';
import { smsRole } from './sms/role.js';

await runRole(smsRole);
