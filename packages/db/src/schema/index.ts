export * from './dead-letters.js';
export * from './tenants.js';
export * from './webhook-inbox.js';
