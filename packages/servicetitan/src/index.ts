export { createClientFactory, type ClientFactory } from './client/client-factory.js';
export { ST_MODULES, type StModule } from './modules/index.js';
export { serviceTitanDefinition, serviceTitanSource } from './servicetitan-source.js';
export { ServiceTitanRequestError, ServiceTitanRetryableError } from './client/errors.js';
export type { ServiceTitanClient } from './client/servicetitan-client.js';
