import { loadMainConfig } from './config.js';
import { createSandbox } from './create-sandbox.js';
import { VENDOR_PREFIXES } from './prefixes.js';

const config = loadMainConfig(process.env, process.argv.slice(2));
const sandbox = createSandbox(config.options);
const running = await sandbox.listen(config.port, config.host);
sandbox.logger.info({ ...running.env, phonePage: running.url + VENDOR_PREFIXES.phone }, `vendor sandbox listening on ${running.url}`);
// PM2 starts us with wait_ready; tell it we are serving.
process.send?.('ready');

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  sandbox.logger.info({ signal }, 'vendor sandbox stopping');
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
