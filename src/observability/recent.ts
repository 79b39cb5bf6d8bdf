/**
 * What /status shows of this process's recent work, in memory: each job's last run, and destination requests per
 * endpoint over a rolling day. Prometheus counters are cumulative since start; these answer "the last run" and
 * "the last 24 hours" without a metrics server. Bounded: one entry per job, 24 hourly buckets per endpoint.
 */
export interface JobRun {
  readonly job: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly error: string | null;
  /** Records the run read and rejected, when its result says (orders, trackers, reviews, drain). */
  readonly read: number | null;
  readonly rejected: number | null;
}

const READ_FIELDS = ['orders', 'trackers', 'reviewed', 'checked', 'profiles'] as const;

/** The records a job's result says it read and rejected: the first count field present of each kind. */
export function runCounts(result: unknown): { read: number | null; rejected: number | null } {
  if (typeof result !== 'object' || result === null) return { read: null, rejected: null };
  const fields = result as Record<string, unknown>;
  const numberAt = (name: string): number | null => (typeof fields[name] === 'number' ? (fields[name] as number) : null);
  let read = READ_FIELDS.map(numberAt).find((n) => n !== null) ?? null;
  // A drain's result counts what it delivered: profiles and events together.
  if (numberAt('profiles') !== null && numberAt('events') !== null) read = (numberAt('profiles') as number) + (numberAt('events') as number);
  return { read, rejected: numberAt('rejected') };
}

export class JobRunLog {
  private readonly last = new Map<string, JobRun>();
  private readonly schedules = new Map<string, { cron: string; next: () => Date | null }>();

  /** The scheduler's word on a job: its cron expression and when it runs next (none in one-shot runs). */
  scheduled(job: string, cron: string, next: () => Date | null): void {
    this.schedules.set(job, { cron, next });
  }

  schedule(job: string): { cron: string; nextRunAt: Date | null } | null {
    const found = this.schedules.get(job);
    return found ? { cron: found.cron, nextRunAt: found.next() } : null;
  }

  record(run: JobRun): void {
    this.last.set(run.job, run);
  }

  runs(): JobRun[] {
    return [...this.last.values()];
  }
}

const HOUR_MS = 3_600_000;
const HOURS = 24;

/** Requests and 429s per endpoint over the last 24 hours, in hourly buckets (the current hour partly). */
export class RollingRequests {
  private readonly buckets = new Map<string, Map<number, { requests: number; throttled: number }>>();

  /** `status` is the HTTP status, or a word when there was no response (a network error). */
  add(endpoint: string, status: number | string, at: Date): void {
    const hour = Math.floor(at.getTime() / HOUR_MS);
    const own = this.buckets.get(endpoint) ?? new Map<number, { requests: number; throttled: number }>();
    const bucket = own.get(hour) ?? { requests: 0, throttled: 0 };
    bucket.requests += 1;
    if (status === 429) bucket.throttled += 1;
    own.set(hour, bucket);
    for (const old of own.keys()) if (old <= hour - HOURS) own.delete(old);
    this.buckets.set(endpoint, own);
  }

  lastDay(now: Date): Array<{ endpoint: string; requests: number; throttled: number }> {
    const hour = Math.floor(now.getTime() / HOUR_MS);
    return [...this.buckets].map(([endpoint, own]) => {
      let requests = 0;
      let throttled = 0;
      for (const [at, bucket] of own) {
        if (at <= hour - HOURS || at > hour) continue;
        requests += bucket.requests;
        throttled += bucket.throttled;
      }
      return { endpoint, requests, throttled };
    }).filter((row) => row.requests > 0).sort((a, b) => b.requests - a.requests);
  }
}
