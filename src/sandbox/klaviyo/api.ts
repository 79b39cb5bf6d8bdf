import type { Clock } from '../../util/clock';
import type { FaultInjector } from './faults';
import type { JobTiming } from './job-timing';
import type { BulkMaxima } from './limits';
import type { StoredFlow, StoredSegment, StoredTag, StoredTemplate } from './provision-store';
import type { EarlyRetry, RequestRecord, SandboxEvent, SandboxProfile, SandboxStats } from './types';

/** The Klaviyo sandbox as tests, the demo and the bench see it: its options and its inspection surface. */
export interface KlaviyoSandboxOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The account's main private key, with every scope shipsignal's endpoints need (default DEFAULT_API_KEY). */
  readonly apiKey?: string;
  /** More private keys of the same account, each with its scopes (`profiles:write` implies `profiles:read`). */
  readonly keys?: Readonly<Record<string, readonly string[]>>;
  /**
   * 'documented' (default) enforces each endpoint's x-klaviyo-ratelimit from the spec; `{ divideBy: K }` enforces
   * them divided by K (burst and steady, each at least 1; daily caps as documented): a scaled-down account whose
   * limits bind on a small store (bench:fleet --limit-scale).
   */
  readonly rateLimits?: 'documented' | 'off' | { readonly divideBy: number };
  /** Smaller bulk maxima than Klaviyo's (events a request, profiles a job), enforced with the same 400 (bench:fleet). */
  readonly bulkMaxima?: Partial<BulkMaxima>;
  /** Bulk profile import jobs' timing (job-timing.ts); default DEFAULT_PROFILE_JOB_TIMING. */
  readonly profileJobTiming?: Partial<JobTiming>;
  /** Bulk event jobs' timing; default DEFAULT_EVENT_JOB_TIMING; 'immediate' applies them within the request. */
  readonly eventJobTiming?: Partial<JobTiming> | 'immediate';
  /** A fixed time a bulk profile import spends in each of queued and processing, whatever its size (tests). */
  readonly jobProcessingDelayMs?: number;
  /**
   * A request that started arriving up to this long after a 429 to its endpoint counts as already on the wire,
   * not as early (the client could not yet have read the 429). Default DEFAULT_IN_FLIGHT_GRACE_MS.
   */
  readonly inFlightGraceMs?: number;
  /** Seeds the fault injector's PRNG. */
  readonly seed?: number;
  /** Drives timestamps, event-time checks and rate windows. */
  readonly clock?: Clock;
  /** get_metrics' page size (default 200, Klaviyo's); smaller makes paging testable. */
  readonly metricsPageSize?: number;
}

export interface KlaviyoSandbox {
  /** e.g. http://127.0.0.1:PORT; set it as the SDK's `basePath`. */
  readonly url: string;
  readonly apiKey: string;
  readonly faults: FaultInjector;
  /** The first `limit` profiles (all by default). */
  profiles(limit?: number): SandboxProfile[];
  /** The first `limit` events (all by default). */
  events(limit?: number): SandboxEvent[];
  /** How many events (also per metric name) and profiles are stored, without copying them (a benchmark's poll). */
  storedCounts(): { readonly events: number; readonly profiles: number; readonly eventsByMetric: Readonly<Record<string, number>> };
  requests(): RequestRecord[];
  /** The account's provisioned objects (`shipsignal setup`), copies. */
  flows(): StoredFlow[];
  segments(): StoredSegment[];
  templates(): StoredTemplate[];
  tags(): StoredTag[];
  /** Metrics, each created by the first event naming it. */
  metrics(): ReadonlyArray<{ readonly id: string; readonly name: string }>;
  validationFailures(): RequestRecord[];
  /** Requests to an endpoint sent after one of its 429s and before that 429's Retry-After (a sink must send none). */
  earlyRetries(): EarlyRetry[];
  stats(): SandboxStats;
  /** Resolves once every accepted bulk job (profile imports and event jobs) has been processed. */
  idle(): Promise<void>;
  /** Profiles written through the profile endpoints (upsert, bulk import) after `stats().profileWrites` was `mark`. */
  profilesWrittenSince(mark: number): number;
  /** Forgets all data, counters, rate windows and faults; the URL and key stay. */
  reset(): void;
  close(): Promise<void>;
}
