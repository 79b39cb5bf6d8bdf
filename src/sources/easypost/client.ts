import EasyPostClient from '@easypost/api';
import PQueue from 'p-queue';
import { systemClock, type Clock } from '../../util/clock';
import { PermanentError, RecordRejection, type ShipsignalError } from '../../util/errors';
import { DEFAULT_BACKOFF, retryDelayMs, sleep, type BackoffPolicy } from '../../util/retry';
import { toTypedError } from './errors';
import { normalizeTracker, type TrackerSnapshot } from './snapshot';

export interface EasyPostTrackingOptions {
  readonly apiKey: string;
  /** Defaults to EasyPost; for a sandbox `http://127.0.0.1:PORT/v2/` (trailing slash required by the client). */
  readonly baseUrl?: string;
  readonly clock?: Clock;
  /** List requests per second; EasyPost refuses more than 5. One request per 1/rate seconds at most. */
  readonly listRatePerSecond?: number;
  readonly pageSize?: number;
  /**
   * The list endpoint windows on creation time, so `changedTrackers` looks at trackers created up to this many days
   * before its cursor; older trackers that still move are the caller's to `retrieve` (it keeps a map of them).
   */
  readonly lookbackDays?: number;
  readonly timeoutMs?: number;
  /** Attempts per request on retryable failures before the typed error is thrown. */
  readonly backoff?: BackoffPolicy;
  /** Trackers in a list page that are not trackers at all; they are skipped, never thrown. */
  readonly onRejected?: (rejection: RecordRejection) => void;
  /**
   * Never create (EasyPost bills per tracker): `trackerFor` then only looks an existing tracker up by its code
   * (`GET /v2/trackers?tracking_code=`) and answers null when there is none. What `dry-run` uses.
   */
  readonly readOnly?: boolean;
}

/** How far back a read-only lookup searches trackers' creation times; the list endpoint windows on them. */
const LOOKUP_WINDOW_DAYS = 365;

const DAY = 86_400_000;

type TrackerPage = Awaited<ReturnType<InstanceType<typeof EasyPostClient>['Tracker']['all']>>;

/** Tracking through the official `@easypost/api` client: typed errors, paced lists, normalized snapshots. */
export class EasyPostTrackingClient {
  private readonly client: InstanceType<typeof EasyPostClient>;
  private readonly clock: Clock;
  private readonly lists: PQueue;
  private readonly pageSize: number;
  private readonly lookbackMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly onRejected: (rejection: RecordRejection) => void;
  readonly readOnly: boolean;

  constructor(options: EasyPostTrackingOptions) {
    this.client = new EasyPostClient(options.apiKey, {
      timeout: options.timeoutMs ?? 20_000,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    });
    this.clock = options.clock ?? systemClock;
    // One start per interval: no two list calls closer than 1/rate s, so no sliding second ever sees more than rate+1.
    this.lists = new PQueue({ concurrency: 1, intervalCap: 1, interval: Math.ceil(1000 / (options.listRatePerSecond ?? 4)) });
    this.pageSize = Math.min(100, options.pageSize ?? 100);
    this.lookbackMs = (options.lookbackDays ?? 60) * DAY;
    this.backoff = options.backoff ?? { ...DEFAULT_BACKOFF, maxAttempts: 4 };
    this.onRejected = options.onRejected ?? (() => undefined);
    this.readOnly = options.readOnly ?? false;
  }

  /** The code's tracker: created (or the existing one) normally; read-only, only looked up, null when there is none. */
  trackerFor(trackingCode: string, carrier: string | null): Promise<TrackerSnapshot | null> {
    return this.readOnly ? this.findTracker(trackingCode, carrier) : this.ensureTracker(trackingCode, carrier);
  }

  /** Creates the tracker, or gets the existing one: EasyPost returns the original for a repeated code + carrier. */
  async ensureTracker(trackingCode: string, carrier: string | null): Promise<TrackerSnapshot> {
    // A billable write: a read-only client refuses it here, so no caller can make one by mistake.
    if (this.readOnly) throw new PermanentError(`read-only EasyPost client: not creating a tracker for ${trackingCode}`, 'easypost_read_only');
    const params = carrier ? { tracking_code: trackingCode, carrier } : { tracking_code: trackingCode };
    const tracker = await this.call('create tracker', () => this.client.Tracker.create(params));
    return normalizeTracker(tracker);
  }

  /** The newest tracker EasyPost has for the code (and carrier, when known), created within the last year; or null. */
  async findTracker(trackingCode: string, carrier: string | null): Promise<TrackerSnapshot | null> {
    const now = this.clock.now().getTime();
    const params = {
      tracking_code: trackingCode,
      ...(carrier ? { carrier } : {}),
      start_datetime: new Date(now - LOOKUP_WINDOW_DAYS * DAY).toISOString(),
      end_datetime: new Date(now + DAY).toISOString(),
      page_size: 1,
    };
    const page: TrackerPage = await this.call('find tracker', () => this.lists.add(() => this.client.Tracker.all(params)));
    const [newest] = page.trackers;
    return newest ? this.normalizeOrReject(newest) : null;
  }

  async retrieve(trackerId: string): Promise<TrackerSnapshot> {
    const tracker = await this.call('retrieve tracker', () => this.client.Tracker.retrieve(trackerId));
    return normalizeTracker(tracker);
  }

  /**
   * Trackers updated at or after `since`, newest first, paging `GET /v2/trackers` over the creation window
   * [since - lookback, now + 1 day]. Feed each to `nextTrackerCursor` and pass the result as the next `since`.
   */
  async *changedTrackers(since: Date): AsyncGenerator<TrackerSnapshot> {
    const window = {
      start_datetime: new Date(since.getTime() - this.lookbackMs).toISOString(),
      end_datetime: new Date(this.clock.now().getTime() + DAY).toISOString(),
      page_size: this.pageSize,
    };
    let beforeId: string | null = null;
    for (;;) {
      const params: typeof window & { before_id?: string } = beforeId ? { ...window, before_id: beforeId } : window;
      const page: TrackerPage = await this.call('list trackers', () => this.lists.add(() => this.client.Tracker.all(params)));
      for (const tracker of page.trackers) {
        const snapshot = this.normalizeOrReject(tracker);
        if (snapshot && snapshot.updatedAt.getTime() >= since.getTime()) yield snapshot;
      }
      if (!page.has_more || page.trackers.length === 0) return;
      beforeId = page.trackers[page.trackers.length - 1].id;
    }
  }

  private normalizeOrReject(tracker: unknown): TrackerSnapshot | null {
    try {
      return normalizeTracker(tracker);
    } catch (err) {
      if (err instanceof RecordRejection) {
        this.onRejected(err);
        return null;
      }
      throw err;
    }
  }

  /** Retries what can be retried (creates too: EasyPost de-duplicates them), then throws the typed error. */
  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let error: ShipsignalError;
      try {
        return await request();
      } catch (err) {
        error = toTypedError(err, operation);
      }
      const delay = error.retryable ? retryDelayMs(attempt, this.backoff, null) : null;
      if (delay === null) throw error;
      await sleep(delay);
    }
  }
}
