export { config, loadConfig, type Config } from './load-config.js';
export { ConfigError, resolveFileSecrets } from './read-env.js';
