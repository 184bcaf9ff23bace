import { accountingModules } from './accounting-modules.js';
import { crmModules } from './crm-modules.js';
import { estimateModules } from './estimate-modules.js';
import { jobModules } from './job-modules.js';
import { settingsModules } from './settings-modules.js';
import { stModule, type StModule } from './st-module.js';

/** Every ServiceTitan module Fieldhand mirrors, in the order a first sync reads them. */
export const ST_MODULES: readonly StModule[] = [...settingsModules, ...crmModules, ...jobModules, ...estimateModules, ...accountingModules].map(stModule);

export type { StModule } from './st-module.js';
