/**
 * The Klaviyo sink: normalized records in, per-record outcomes out. Records are coalesced, batched within
 * Klaviyo's payload limits, paced per endpoint, retried when that can help and rejected one by one when not.
 */
import { EventsApi, ProfilesApi } from 'klaviyo-api';
import type { SinkRecord } from '../../model/records';
import { RetryableError } from '../../util/errors';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../util/retry';
import { planEvents, planProfiles, splitRecords, type Plan, type DeliveryRejection } from './batching';
import { Dispatcher, type DeliveryCalls, type SinkObserver } from './dispatcher';
import { settleJob, type SettledJobs, type TrackedJob } from './jobs';
import { DOCUMENTED_PAYLOAD_LIMITS, resolveLimits, type EndpointLimits, type PayloadLimits } from './limits';
import { mergeOutcomes, type Outcome } from './outcome';
import { sendEvent, sendEventBatch } from './send-events';
import { sendProfile, sendProfileBatch, type AcceptedJob } from './send-profiles';
import { SinkSession } from './transport';
import type { SharedWindows } from '../pacing';
import type { Endpoint, RateLimit } from './limits';
import { SharedPacer } from './shared-pacer';

/**
 * Every endpoint paced through the account's shared windows. Job-status polls wait rather than give up: they follow
 * imports already accepted, and a drain putting them back would only poll again later.
 */
function sharedPacers(windows: SharedWindows, options: KlaviyoSinkOptions): (endpoint: Endpoint, limit: RateLimit) => SharedPacer {
  const marginMs = options.marginMs ?? 50;
  return (endpoint, limit) => new SharedPacer({
    endpoint, limit, marginMs, windows,
    maxWaitMs: endpoint === 'jobStatus' ? Number.POSITIVE_INFINITY : options.maxBudgetWaitMs ?? windows.maxWaitMs ?? 5_000,
    slotTtlMs: options.timeoutMs + 5_000,
  });
}

export interface KlaviyoSinkOptions {
  readonly apiKey: string;
  /** e.g. https://a.klaviyo.com, or a sandbox URL. */
  readonly baseUrl: string;
  /** Per HTTP request. */
  readonly timeoutMs: number;
  readonly limits?: Partial<EndpointLimits>;
  readonly payload?: Partial<PayloadLimits>;
  /** A kind with fewer records than this in one delivery uses the single-record endpoint. Default 10. */
  readonly bulkThreshold?: number;
  /** Default: util/retry DEFAULT_BACKOFF. */
  readonly backoff?: BackoffPolicy;
  /** Slack per rate window, ms. Default 50. */
  readonly marginMs?: number;
  /** Requests in flight per endpoint (capped by its burst limit). Default 32. */
  readonly concurrency?: number;
  /** Between bulk import job status polls. Default 1000. */
  readonly jobPollMs?: number;
  readonly observer?: SinkObserver;
  readonly signal?: AbortSignal;
  /**
   * The account's rate windows shared by a fleet's workers (Redis). A send that would wait longer than
   * `maxBudgetWaitMs` (default 5 s) throws OutOfBudgetError instead, so the job is put back and other stores run.
   */
  readonly sharedWindows?: SharedWindows;
  readonly maxBudgetWaitMs?: number;
}

export interface DeliveryReport {
  /** Sequence number of this delivery; bulk job rejections found later by settleJobs() refer to it. */
  readonly delivery: number;
  /** Records Klaviyo accepted (bulk profile imports: accepted for processing, see settleJobs). */
  readonly delivered: number;
  readonly rejected: DeliveryRejection[];
  /** HTTP requests made, retries included. */
  readonly requests: number;
  /** Bulk profile import jobs still to be settled. */
  readonly jobs: string[];
}

/** Klaviyo stayed unavailable past the retry policy: `pending` records were not delivered and must be kept. */
export class KlaviyoUnavailableError extends RetryableError {
  constructor(readonly report: DeliveryReport, readonly pending: readonly number[], cause: RetryableError) {
    super(`Klaviyo unavailable, ${pending.length} record(s) not delivered: ${cause.message}`, cause.code, cause.retryAfterMs, { cause });
  }
}

export class KlaviyoSink {
  private readonly dispatcher: Dispatcher;
  private readonly events: EventsApi;
  private readonly profiles: ProfilesApi;
  private readonly payload: PayloadLimits;
  private readonly jobs = new Map<string, TrackedJob>();
  private deliveries = 0;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: KlaviyoSinkOptions) {
    if (!options.apiKey) throw new TypeError('Expected apiKey to be a non-empty string');
    if (!(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
      throw new RangeError(`Expected timeoutMs to be a finite number > 0, got ${options.timeoutMs}`);
    }
    const session = new SinkSession(options.apiKey, new URL(options.baseUrl).toString(), options.timeoutMs, options.signal);
    this.events = new EventsApi(session);
    this.profiles = new ProfilesApi(session);
    this.payload = { ...DOCUMENTED_PAYLOAD_LIMITS, ...options.payload };
    this.dispatcher = new Dispatcher({
      limits: resolveLimits(options.limits),
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      marginMs: options.marginMs ?? 50,
      concurrency: options.concurrency ?? 32,
      ...(options.observer ? { observer: options.observer } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.sharedWindows ? { pacer: sharedPacers(options.sharedWindows, options) } : {}),
    });
  }

  /**
   * Resolves when every record is delivered or permanently rejected. Throws KlaviyoUnavailableError (retryable)
   * when Klaviyo stays down past the retry policy, and KlaviyoRequestError (permanent) when Klaviyo refuses the
   * integration itself (bad key, missing scope): in both cases the caller keeps the records.
   */
  async deliver(records: readonly SinkRecord[]): Promise<DeliveryReport> {
    if (this.closing) throw new Error('KlaviyoSink is closed');
    const delivery = ++this.deliveries;
    const requestsBefore = this.dispatcher.requests;
    const split = splitRecords(records, this.payload);
    const batchOptions = { payload: this.payload, bulkThreshold: this.options.bulkThreshold ?? 10 };
    const plans = [...planProfiles(split.profiles, batchOptions), ...planEvents(split.events, batchOptions)];
    const accepted: AcceptedJob[] = [];
    const calls = this.dispatcher.forDelivery();
    const settled = await Promise.allSettled(plans.map((plan) => this.run(calls, plan, accepted)));
    for (const job of accepted) this.jobs.set(job.id, { ...job, delivery });
    const fatal = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (fatal) throw fatal.reason;
    const outcome = mergeOutcomes([
      { delivered: [], rejected: split.rejected, pending: [] },
      ...settled.map((s) => (s as PromiseFulfilledResult<Outcome>).value),
    ]);
    const report: DeliveryReport = {
      delivery,
      delivered: outcome.delivered.length,
      rejected: outcome.rejected.sort((a, b) => a.index - b.index),
      requests: this.dispatcher.requests - requestsBefore,
      jobs: accepted.map((j) => j.id),
    };
    if (outcome.pending.length > 0) {
      throw new KlaviyoUnavailableError(report, outcome.pending.sort((a, b) => a - b),
        new RetryableError('retry policy spent', 'unavailable'));
    }
    return report;
  }

  private async run(calls: DeliveryCalls, plan: Plan, accepted: AcceptedJob[]): Promise<Outcome> {
    switch (plan.endpoint) {
      case 'createEvent':
        return sendEvent(calls, this.events, plan.item);
      case 'bulkCreateEvents':
        return sendEventBatch(calls, this.events, plan.groups);
      case 'profileImport':
        return sendProfile(calls, this.profiles, plan.item);
      case 'bulkImportProfiles': {
        const { outcome, jobs } = await sendProfileBatch(calls, this.profiles, plan.profiles);
        accepted.push(...jobs);
        return outcome;
      }
    }
  }

  /** Ids of bulk import jobs accepted but not yet settled. */
  pendingJobs(): string[] {
    return [...this.jobs.keys()];
  }

  /**
   * Waits for every accepted bulk import job to end and returns the records Klaviyo failed in them. The jobs are
   * followed side by side (the job-status pacer keeps the calls within Klaviyo's limits): one after another, a
   * backfill's jobs fall behind its imports. Jobs that cannot be polled now (outage, abort) stay tracked for the
   * next call.
   */
  async settleJobs(): Promise<SettledJobs> {
    const result: SettledJobs = { rejected: [], unmatched: [] };
    const followed = await Promise.all([...this.jobs.values()].map(async (job) => {
      try {
        return { job, settled: await settleJob(this.dispatcher, this.profiles, job, this.options.jobPollMs ?? 1000, this.options.signal) };
      } catch (error) {
        if (error instanceof RetryableError) return { job, settled: null };
        // The job is gone (expired, unknown): nothing more can be learnt about it.
        return { job, settled: { rejected: [], unmatched: [`bulk import job ${job.id}: ${error instanceof Error ? error.message : String(error)}`] } };
      }
    }));
    for (const { job, settled } of followed) {
      if (settled === null || !this.jobs.has(job.id)) continue;
      this.jobs.delete(job.id);
      result.rejected.push(...settled.rejected);
      result.unmatched.push(...settled.unmatched);
    }
    return result;
  }

  /** Lets in-flight requests finish; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.dispatcher.close();
    return this.closing;
  }
}
