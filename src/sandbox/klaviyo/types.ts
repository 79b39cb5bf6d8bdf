import type { ApiError } from './errors';
import type { OperationId } from './operations';

/** A profile as the sandbox holds it (what Klaviyo would show), with custom properties. */
export interface SandboxProfile {
  readonly id: string;
  readonly email: string | null;
  readonly phoneNumber: string | null;
  readonly externalId: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly organization: string | null;
  readonly locale: string | null;
  readonly title: string | null;
  readonly image: string | null;
  readonly location: Readonly<Record<string, unknown>> | null;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly created: string;
  readonly updated: string;
  readonly lastEventDate: string | null;
}

export interface SandboxEvent {
  readonly id: string;
  readonly metric: string;
  readonly profileId: string;
  /** The profile's identifiers when the event was recorded. */
  readonly profile: { readonly email: string | null; readonly phoneNumber: string | null; readonly externalId: string | null };
  readonly properties: Readonly<Record<string, unknown>>;
  /** ISO instant, truncated to the second as Klaviyo stores it. */
  readonly time: string;
  readonly value: number | null;
  readonly valueCurrency: string | null;
  readonly uniqueId: string | null;
  readonly backfill: boolean;
  readonly via: 'create_event' | 'bulk_create_events';
  readonly receivedAt: string;
}

export type FaultKind = 'status' | 'throttle' | 'delay' | 'reset' | 'truncated' | 'invalid-json' | 'outage';

export interface RequestRecord {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly operation: OperationId | null;
  /** 0 when no status reached the client (connection reset, truncated body). */
  readonly status: number;
  /** The errors returned for a 4xx, including every validation problem found. */
  readonly errors: readonly ApiError[];
  /** Refused by schema or documented-limit validation (a 400 with pointers). */
  readonly validationFailed: boolean;
  readonly fault: FaultKind | null;
  readonly at: string;
}

/** A request to an endpoint sent after one of its 429s could be read and before that 429's Retry-After expired. */
export interface EarlyRetry {
  readonly operation: OperationId;
  readonly at: string;
  /** How long before the advised time it arrived. */
  readonly earlyByMs: number;
}

export interface SandboxStats {
  /** operationId (or "unrouted") → status → count. */
  readonly requests: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly duplicatesDropped: number;
  /** Same as earlyRequests (its name before every request, not only a repeat, counted). */
  readonly earlyRetries: number;
  /** Requests sent after a 429 to their endpoint and before its Retry-After: a well-behaved sink sends none. */
  readonly earlyRequests: number;
  /** Requests already on their way when a 429 to their endpoint went out: not early, the client could not know. */
  readonly onWireWhenThrottled: number;
  /** Bulk event jobs accepted and not yet applied. */
  readonly pendingEventJobs: number;
  /** A serial of profile writes through the profile endpoints; see profilesWrittenSince. */
  readonly profileWrites: number;
  readonly validationFailures: number;
  readonly throttled: number;
  readonly faultsInjected: number;
  readonly profiles: number;
  readonly events: number;
}
