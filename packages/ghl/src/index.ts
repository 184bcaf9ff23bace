export { createGhlClientFactory, type GhlClientFactory, type GhlClientFactoryOptions } from './client/client-factory.js';
export { GhlAuthError, GhlNotConfiguredError, GhlRequestError, GhlRetryableError, type GhlErrorBody } from './client/errors.js';
export { createGhlHttp, GHL_API_VERSION, GhlClient, type ContactSearch, type GhlContactRecord, type GhlLocation, type GhlOpportunityRecord, type OpportunitySearch } from './client/ghl-client.js';
export { GHL_LIMITS, GhlRequestBudget, type GhlLimits } from './client/request-budget.js';
