import { defineCatalog } from '../catalog.js';
import { eventJobs } from './events.js';
import { ghlJobs } from './ghl.js';
import { maintenanceJobs } from './maintenance.js';
import { reminderJobs } from './reminders.js';
import { smsJobs } from './sms.js';
import { syncJobs } from './sync.js';
import { workflowJobs, workflowStepJobs } from './workflow.js';

/** Every job Fieldhand runs: name → queue and payload schema. Later features add their entries here. */
export const jobCatalog = defineCatalog({
  ...maintenanceJobs,
  ...syncJobs,
  ...workflowJobs,
  ...workflowStepJobs,
  ...smsJobs,
  ...reminderJobs,
  ...ghlJobs,
  ...eventJobs,
});

export type FieldhandCatalog = typeof jobCatalog;
