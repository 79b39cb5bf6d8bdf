import type { HealthView } from '../../daemon/health';
import type { JobRun } from '../../observability/recent';
import type { Metrics } from '../../observability/metrics';
import { dayOf } from '../../outcomes/counters';
import { firstDayToRead, report, type OutcomeReport } from '../../outcomes/report';
import { windowStart } from '../../outcomes/series';
import { Outbox, type OutboxLane } from '../../state/outbox';
import { OutcomeStore } from '../../state/outcomes';
import type { StateStore } from '../../state/port';
import { RejectsLog, type StoredRejection } from '../../state/rejects';
import type { Clock } from '../../util/clock';
import { buildPlots } from './plots';
import { renderSvg } from './render-svg';

export interface StatusInputs {
  readonly store: StateStore;
  readonly metrics: Pick<Metrics, 'jobRuns' | 'recentRequests'>;
  readonly health: HealthView;
  readonly clock: Clock;
  /** Days of history the time plots show (default 28). */
  readonly days?: number;
}

export interface StatusData {
  readonly generatedAt: string;
  readonly health: HealthView;
  readonly jobs: ReadonlyArray<{ readonly job: string; readonly run: JobRun | null; readonly cron: string | null; readonly nextRunAt: string | null }>;
  readonly outbox: ReadonlyArray<{ readonly lane: OutboxLane; readonly batches: number; readonly oldestSince: string | null }>;
  readonly requests: ReadonlyArray<{ readonly endpoint: string; readonly requests: number; readonly throttled: number }>;
  readonly rejects: readonly StoredRejection[];
  readonly outcomes: OutcomeReport;
  readonly plots: ReadonlyArray<{ readonly id: string; readonly title: string; readonly summary: string; readonly svg: string | null }>;
}

const JOBS = ['orders', 'trackers', 'reviews', 'drain'] as const;

/**
 * Everything /status shows, read from bounded state (the outcome day buckets of the plotted window and of the
 * repeat windows, the all-time total, lane bounds and marks, the latest rejects) and this process's recent runs:
 * the cost does not grow with the number of customers or orders.
 */
export async function readStatus(inputs: StatusInputs): Promise<StatusData> {
  const now = inputs.clock.now();
  const today = dayOf(now);
  const from = windowStart(today, inputs.days ?? 28);
  const outcomes = new OutcomeStore(inputs.store);
  const reportFrom = firstDayToRead(null, today, now);
  const first = reportFrom < from ? reportFrom : from;
  const [days, totals, lanes, rejects] = await Promise.all([
    outcomes.days(first, today),
    outcomes.totals(),
    new Outbox(inputs.store).lanes(),
    new RejectsLog(inputs.store).list(20),
  ]);
  const plotted = new Map([...days].filter(([day]) => day >= from));
  const plots = buildPlots({ days: plotted, totals, today }, totals);
  const svgs = await Promise.all(plots.map((plot) => (plot.hasData ? renderSvg(plot) : Promise.resolve(null))));
  const runs = new Map(inputs.metrics.jobRuns.runs().map((run) => [run.job, run]));
  return {
    generatedAt: now.toISOString(),
    health: inputs.health,
    jobs: JOBS.map((job) => {
      // The scheduler's word (none in a one-shot run such as the demo or `shipsignal sync`).
      const schedule = inputs.metrics.jobRuns.schedule(job);
      return { job, run: runs.get(job) ?? null, cron: schedule?.cron ?? null, nextRunAt: schedule?.nextRunAt?.toISOString() ?? null };
    }),
    outbox: lanes,
    requests: inputs.metrics.recentRequests.lastDay(now),
    rejects: [...rejects].reverse(),
    outcomes: report({ days, totals, since: null, until: today, now }),
    plots: plots.map((plot, i) => ({ id: plot.id, title: plot.title, summary: plot.summary, svg: svgs[i] ?? null })),
  };
}
