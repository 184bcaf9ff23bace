export { main, type CliContext } from './main.js';
export { ApiClient, ApiError } from './api-client.js';
