/**
 * How long Klaviyo's asynchronous jobs take. Klaviyo publishes no processing times for bulk profile imports or bulk
 * event jobs (the docs say only that they are asynchronous, and that a 202 "does not guarantee that processing is
 * complete"), so the sandbox uses a stated, conservative model rather than a measured one: a job waits in a queue,
 * then takes time in proportion to its rows and to its bytes. Every figure is an option; tests shrink them.
 */
export interface JobTiming {
  /** Time in `queued` before processing starts, ms. */
  readonly queuedMs: number;
  /** Processing time per row (profile or event), ms. */
  readonly msPerRow: number;
  /** Processing time per 1,000,000 request-body bytes, ms. */
  readonly msPerMegabyte: number;
  /** Processing never takes less than this, ms. */
  readonly minProcessingMs: number;
}

/**
 * Profile imports: 1 s queued, then 2,000 profiles/s and 2 MB/s, at least 250 ms: a full job of 10,000 profiles
 * and ~3 MB takes about 1 + 5 + 1.5 = 7.5 s. Slower than any job shipsignal has seen complete in seconds would
 * make the drain's tail look worse, not better; tune it to an account's observed jobs with the option.
 */
export const DEFAULT_PROFILE_JOB_TIMING: JobTiming = { queuedMs: 1_000, msPerRow: 0.5, msPerMegabyte: 500, minProcessingMs: 250 };

/** Bulk event jobs: 500 ms queued, then 1,000 events/s and 2 MB/s: a full job of 1,000 events and ~2.5 MB takes ~2.75 s. */
export const DEFAULT_EVENT_JOB_TIMING: JobTiming = { queuedMs: 500, msPerRow: 1, msPerMegabyte: 500, minProcessingMs: 100 };

/** A fixed time in each phase whatever the size (the sandbox's old `jobProcessingDelayMs`). */
export const fixedJobTiming = (ms: number): JobTiming => ({ queuedMs: ms, msPerRow: 0, msPerMegabyte: 0, minProcessingMs: ms });

export function processingMs(timing: JobTiming, rows: number, bytes: number): number {
  return Math.max(timing.minProcessingMs, rows * timing.msPerRow + (bytes / 1_000_000) * timing.msPerMegabyte);
}

export function checkTiming(name: string, timing: JobTiming): JobTiming {
  for (const [key, value] of Object.entries(timing)) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name}.${key}: expected a finite number ≥ 0, got ${value}`);
  }
  return timing;
}

/** Unref'd timers for a sandbox's jobs, so they can be stopped together and awaited until none is pending. */
export class JobTimers {
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<() => void> = [];

  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        fn();
      } catch (err) {
        // A job step has no request left to answer with a 500: say so, and keep the sandbox serving.
        process.emitWarning(`klaviyo sandbox job: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      } finally {
        if (this.timers.size === 0) this.wake();
      }
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Resolves once no job step is pending (at once when none is). */
  idle(): Promise<void> {
    if (this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}
