export { startKlaviyoSandbox, DEFAULT_API_KEY } from './server';
export type { KlaviyoSandbox, KlaviyoSandboxOptions } from './server';
export type { Fault, FaultScope, InjectedFault, FaultInjector } from './faults';
export type { ApiError } from './errors';
export type { OperationId } from './operations';
export type { EarlyRetry, FaultKind, RequestRecord, SandboxEvent, SandboxProfile, SandboxStats } from './types';
export { LIMITS } from './limits';
