import { crmModules } from './crm-modules.js';
import { jobModules } from './job-modules.js';
import { moneyModules } from './money-modules.js';
import { settingsModules } from './settings-modules.js';
import type { StModule } from './st-module.js';

/** Every ServiceTitan module Fieldhand mirrors, in the order a first sync reads them. */
export const ST_MODULES: readonly StModule[] = [...settingsModules, ...crmModules, ...jobModules, ...moneyModules];

const byName = new Map(ST_MODULES.map((m) => [m.name, m]));

export function stModule(name: string): StModule | undefined {
  return byName.get(name);
}

export const ST_MODULE_NAMES = ST_MODULES.map((m) => m.name);

export type { ChangeEvent, RowChange, StModule } from './st-module.js';
