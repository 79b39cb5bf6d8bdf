export { KlaviyoSink, KlaviyoUnavailableError } from './sink';
export type { KlaviyoSinkOptions, DeliveryReport } from './sink';
export type { SinkObserver } from './dispatcher';
export type { JobRejection, SettledJobs } from './jobs';
export type { DeliveryRejection } from './batching';
export { KlaviyoRequestError } from './transport';
export { DOCUMENTED_LIMITS, DOCUMENTED_PAYLOAD_LIMITS } from './limits';
export type { Endpoint, EndpointLimits, PayloadLimits, RateLimit } from './limits';
