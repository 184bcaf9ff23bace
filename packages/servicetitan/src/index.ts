export { createClientFactory, type ClientFactory } from './client/client-factory.js';
export { ST_MODULES, type StModule } from './modules/index.js';
export { serviceTitanDefinition, serviceTitanSource } from './servicetitan-source.js';
