import { type JobTimers, type JobTiming, processingMs } from './job-timing';

/**
 * Bulk event jobs as Klaviyo runs them: the 202 only says the request was valid; its events (and the profiles
 * they create or update) appear once the job has been processed. Klaviyo gives such a job no id and no status
 * endpoint, so nothing here can be polled; tests wait with the sandbox's `idle()`.
 * 'immediate' applies a job inside its request, for stacks whose tests read the sandbox right after a sync.
 */
export type EventJobTiming = JobTiming | 'immediate';

export class EventJobs {
  private waiting = 0;

  constructor(private readonly timing: EventJobTiming, private readonly timers: JobTimers) {}

  /** Runs `apply` once the job of `rows` events and `bytes` bytes is processed. */
  submit(rows: number, bytes: number, apply: () => void): void {
    if (this.timing === 'immediate') {
      apply();
      return;
    }
    this.waiting += 1;
    this.timers.later(this.timing.queuedMs + processingMs(this.timing, rows, bytes), () => {
      this.waiting -= 1;
      apply();
    });
  }

  /** Jobs accepted and not yet applied. */
  get pending(): number {
    return this.waiting;
  }

  /** Forgets jobs not yet applied (their timers are stopped with the sandbox's). */
  clear(): void {
    this.waiting = 0;
  }
}
