export { startWooSandbox, DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET } from './server';
export type { WooSandbox, WooSandboxOptions, WooRequestRecord } from './server';
export { WooOrderBook } from './book';
export type { WooOrderChange, WooTopicEvent, ListRequest } from './book';
export { renderOrder, seedStatus, wooDate } from './render';
export type { WooOverlay, WooRefundRow, SiteTime } from './render';
export type { ApiKey } from './auth';
export type { WebhookRegistration, WooDelivery } from './webhooks';
export { MAX_PER_PAGE, ORDER_STATUS_ENUM } from './params';
