export * from './dead-letters.js';
export * from './tenants.js';
export * from './webhook-inbox.js';
export * from './st-accounting.js';
export * from './st-crm.js';
export * from './st-jobs.js';
export * from './st-settings.js';
export * from './sync-state.js';
