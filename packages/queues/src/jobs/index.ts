import { defineCatalog } from '../catalog.js';
import { maintenanceJobs } from './maintenance.js';

/** Every job Fieldhand runs: name → queue and payload schema. Later features add their entries here. */
export const jobCatalog = defineCatalog({
  ...maintenanceJobs,
});

export type FieldhandCatalog = typeof jobCatalog;
