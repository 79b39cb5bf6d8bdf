import { redactText, type Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { runCounts } from '../observability/recent';
import type { Clock } from '../util/clock';
import type { Health } from './health';
import { LeaseTimeoutError, type LeaseWait, type Leases } from './leases';
import { StateUnavailableError } from './state-guard';

/** The daemon's jobs: each has its own schedule, lease, health and metrics, and fails alone. */
export type JobName = 'orders' | 'trackers' | 'reviews' | 'drain' | 'setup';

export interface JobDeps {
  readonly leases: Leases;
  readonly health: Health;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Told when a job's work starts and ends, inside its lease (tracing; the fleet's exclusion test). */
  readonly observer?: JobObserver;
}

export type JobObserver = (job: JobName, phase: 'start' | 'end') => void;

export type JobResult<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

/**
 * Runs one job under its kind's lease and does the bookkeeping once for every job: on success the component it
 * speaks for (a source, the destination; none for the time-driven reviews) is healthy and the job's last-success
 * gauge moves; on failure the component is failing (or `state`, when the state store failed), and the error is
 * rethrown for the caller to log or report. A cron tick skips a job already running (`skip`); the CLI waits.
 */
export async function runJob<T>(
  deps: JobDeps,
  job: { readonly name: JobName; readonly component: string | null; readonly wait: LeaseWait },
  work: (lost: AbortSignal) => Promise<T>,
): Promise<JobResult<T>> {
  const started = Date.now();
  const startedAt = deps.clock.now().toISOString();
  const record = (ok: boolean, error: string | null, result: unknown): void =>
    deps.metrics.jobRuns.record({ job: job.name, startedAt, durationMs: Date.now() - started, ok, error, ...runCounts(result) });
  try {
    const observed = deps.observer;
    const outcome = await deps.leases.run(`job:${job.name}`, job.wait, observed ? async (lost) => {
      observed(job.name, 'start');
      try {
        return await work(lost);
      } finally {
        observed(job.name, 'end');
      }
    } : work);
    if (!outcome.ran) {
      if (job.wait !== 'skip' && !deps.signal.aborted) throw new LeaseTimeoutError(`job:${job.name}`, job.wait.timeoutMs);
      deps.logger.debug(`${job.name} skipped: already running`);
      return outcome;
    }
    if (job.component) deps.health.succeeded(job.component, deps.clock.now());
    deps.metrics.lastSuccess.set({ job: job.name }, Date.now() / 1000);
    deps.logger.info(`${job.name} finished`, { result: outcome.value, ms: Date.now() - started });
    record(true, null, outcome.value);
    return outcome;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    record(false, redactText(failure.message.split('\n')[0] ?? ''), null);
    if (failure instanceof StateUnavailableError) deps.health.failed('state', failure);
    else if (job.component) deps.health.failed(job.component, failure);
    throw failure;
  }
}

/** For the scheduler: a job's failure is logged (once, here) and never stops the other jobs. */
export async function runScheduled(deps: Pick<JobDeps, 'signal' | 'logger'>, name: JobName, run: () => Promise<unknown>): Promise<void> {
  if (deps.signal.aborted) return;
  try {
    await run();
  } catch (error) {
    // A stop cuts retries short on purpose: what was not delivered waits in the outbox for the next start.
    if (deps.signal.aborted) deps.logger.info(`${name} interrupted by shutdown; undelivered work stays queued`, { reason: (error as Error).message });
    else deps.logger.error(`${name} failed`, { error });
  }
}
