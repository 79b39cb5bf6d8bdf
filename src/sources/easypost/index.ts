export { EasyPostTrackingClient } from './client';
export type { EasyPostTrackingOptions } from './client';
export { nextTrackerCursor } from './cursor';
export { toTypedError } from './errors';
export { normalizeTracker } from './snapshot';
export type { TrackerSnapshot } from './snapshot';
export { verifyEasyPostWebhook, MAX_WEBHOOK_BYTES } from './webhook';
