export { createSandbox, type RunningSandbox, type Sandbox } from './create-sandbox.js';
export { DEMO_DEFAULTS, loadMainConfig, type SandboxOptions } from './config.js';
export { VENDOR_PREFIXES, vendorBaseUrls, type Vendor } from './prefixes.js';
export { describeAccountSet, type AccountSet } from './accounts/account-registry.js';
export type { AccountSpec } from './accounts/account-spec.js';
export type { FaultConfigInput, FaultRuleInput } from './faults/fault-rules.js';
export { RECORDS_PER_CUSTOMER, ST_RESOURCES, ST_ROUTES, type StResource } from './servicetitan/st-resources.js';
