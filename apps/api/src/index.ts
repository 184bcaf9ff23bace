export { API_BASE, BULL_BOARD_PATH, createApp, markDraining, type AppDeps } from './app.js';
export { startServer, type RunningServer } from './server.js';
