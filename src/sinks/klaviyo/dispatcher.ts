/**
 * Runs one SDK call per attempt through its endpoint's pacer and concurrency cap, retries what can be retried
 * under the shared backoff policy, and reports incidents once (first failure, then recovery), not per retry.
 */
import PQueue from 'p-queue';
import { isAxiosError } from 'axios';
import type { AxiosResponse } from 'axios';
import { RetryableError } from '../../util/errors';
import { type BackoffPolicy, retryDelayMs, sleep } from '../../util/retry';
import { ENDPOINTS, type Endpoint, type EndpointLimits } from './limits';
import { Pacer, type RequestPacer } from './pacer';
import type { RateLimit } from './limits';
import { classifyFailure, incidentKind, type IncidentKind } from './transport';

export interface SinkObserver {
  request(endpoint: string, status: number | 'error', ms: number): void;
  incident(kind: IncidentKind | 'recovered', endpoint: string, detail: string): void;
}

export interface DispatcherOptions {
  readonly limits: EndpointLimits;
  readonly backoff: BackoffPolicy;
  /** Slack added to each rate window for the gap between our send and Klaviyo's arrival. */
  readonly marginMs: number;
  /** Requests in flight per endpoint. */
  readonly concurrency: number;
  readonly observer?: SinkObserver;
  readonly signal?: AbortSignal;
  readonly random?: () => number;
  /** Another pacer per endpoint (a fleet's shared windows); default: this process's own Pacer. */
  readonly pacer?: (endpoint: Endpoint, limit: RateLimit) => RequestPacer;
}

const statusOf = (error: unknown): number | 'error' =>
  isAxiosError(error) && error.response ? error.response.status : 'error';

/** What sending one delivery's requests needs of the dispatcher (Dispatcher.forDelivery, or the dispatcher itself). */
export interface DeliveryCalls {
  call<T extends { response: AxiosResponse }>(endpoint: Endpoint, send: () => Promise<T>): Promise<T>;
}

export class Dispatcher {
  private readonly pacers: Record<Endpoint, RequestPacer>;
  private readonly queues: Record<Endpoint, PQueue>;
  private readonly incidents = new Map<Endpoint, IncidentKind>();
  private sent = 0;

  constructor(private readonly options: DispatcherOptions) {
    const pacers = {} as Record<Endpoint, RequestPacer>;
    const queues = {} as Record<Endpoint, PQueue>;
    for (const endpoint of ENDPOINTS) {
      pacers[endpoint] = options.pacer?.(endpoint, options.limits[endpoint]) ?? new Pacer(options.limits[endpoint], options.marginMs);
      queues[endpoint] = new PQueue({ concurrency: Math.min(options.concurrency, options.limits[endpoint].burst) });
    }
    this.pacers = pacers;
    this.queues = queues;
  }

  /** Requests put on the wire so far, retries included. */
  get requests(): number {
    return this.sent;
  }

  /**
   * Resolves with the response, or throws KlaviyoRequestError (permanent) at once, or the last RetryableError
   * once the policy is spent or the signal aborted.
   */
  async call<T extends { response: AxiosResponse }>(endpoint: Endpoint, send: () => Promise<T>, patient: () => boolean = () => false): Promise<T> {
    const { backoff, observer, signal, random } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      const outcome: { ok: true; value: T } | { ok: false; error: unknown } = await this.queues[endpoint].add(async () => {
        const pacer = this.pacers[endpoint];
        const slot = await pacer.acquire(signal, patient);
        if (slot === null) return { ok: false as const, error: new RetryableError('delivery aborted', 'aborted') };
        const started = Date.now();
        this.sent += 1;
        try {
          const value = await send();
          observer?.request(endpoint, value.response.status, Date.now() - started);
          return { ok: true as const, value };
        } catch (error) {
          observer?.request(endpoint, statusOf(error), Date.now() - started);
          // Paused before this request's slot is released: releasing it wakes the requests waiting on the pacer,
          // and one of them must not start before Retry-After (Klaviyo counts any request to the endpoint, not
          // only a repeat of this one). Requests already sent cannot be called back; the sandbox counts them apart.
          const failure = classifyFailure(error);
          if (failure instanceof RetryableError && failure.retryAfterMs !== null) pacer.pause(failure.retryAfterMs);
          return { ok: false as const, error };
        } finally {
          pacer.finish(slot);
        }
      });
      if (outcome.ok) {
        this.recovered(endpoint);
        return outcome.value;
      }
      const error = outcome.error;
      const failure = error instanceof RetryableError ? error : classifyFailure(error);
      if (!(failure instanceof RetryableError)) {
        // A permanent answer is still an answer: the endpoint itself is up.
        this.recovered(endpoint);
        throw failure;
      }
      if (failure.code === 'aborted') throw failure;
      this.opened(endpoint, incidentKind(failure), failure.message);
      if (failure.retryAfterMs !== null) this.pacers[endpoint].pause(failure.retryAfterMs);
      const delay = retryDelayMs(attempt, backoff, failure.retryAfterMs, random);
      if (delay === null || signal?.aborted) throw failure;
      await sleep(delay, signal);
    }
  }

  /**
   * The calls of one delivery: the first may be put back for budget (OutOfBudgetError: nothing of it was sent);
   * once one of its requests has started, the rest wait for the account's windows, since a delivery is
   * acknowledged whole or not at all.
   */
  forDelivery(): DeliveryCalls {
    let started = false;
    return {
      call: async <T extends { response: AxiosResponse }>(endpoint: Endpoint, send: () => Promise<T>): Promise<T> => this.call(endpoint, () => {
        started = true;
        return send();
      }, () => started),
    };
  }

  private opened(endpoint: Endpoint, kind: IncidentKind, detail: string): void {
    if (this.incidents.get(endpoint) === kind) return;
    this.incidents.set(endpoint, kind);
    this.options.observer?.incident(kind, endpoint, detail);
  }

  private recovered(endpoint: Endpoint): void {
    const kind = this.incidents.get(endpoint);
    if (kind === undefined) return;
    this.incidents.delete(endpoint);
    this.options.observer?.incident('recovered', endpoint, `${kind} over`);
  }

  async close(): Promise<void> {
    await Promise.all(ENDPOINTS.map((endpoint) => this.queues[endpoint].onIdle()));
  }
}
