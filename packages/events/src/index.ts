export { EVENT_CATALOG, EVENT_TYPES, isEventType, type EventData, type EventType } from './catalog.js';
export { eventJob, type EventJob } from './event-job.js';
