import type { TopLevelSpec } from 'vega-lite';
import type { Counters } from '../../outcomes/counters';
import {
  AGE_BUCKETS, calibration, heldProfiles, issuesPerDay, lanes, openIssuesByAge, returnsByReason, segmentMoves, segmentSizes, type PlotInput,
} from '../../outcomes/series';

/**
 * The plots on /status as Vega-Lite specifications, pure: data inline (nothing is loaded, so rendering makes no
 * request), one title and one sentence each. `summary` is the plot in words, for the caption and screen readers.
 */
export interface Plot {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** False when there is nothing to draw yet: the page says so instead of drawing empty axes. */
  readonly hasData: boolean;
  readonly spec: TopLevelSpec;
}

const WIDTH = 560;
const HEIGHT = 200;
const base = { width: WIDTH, height: HEIGHT, background: 'white', config: { aria: false, font: 'sans-serif' } } as const;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** A quantity stacked by a category over `x`: the shape of four of the plots. */
function stacked(
  values: ReadonlyArray<object>,
  mark: 'area' | 'bar',
  x: { field: string; title: string; temporal?: boolean; sort?: string[] },
  y: { field: string; title: string },
  color: { field: string; title: string },
): TopLevelSpec {
  return {
    ...base,
    data: { values: [...values] },
    mark: { type: mark },
    encoding: {
      x: x.temporal
        ? { field: x.field, type: 'temporal', title: x.title, timeUnit: 'utcyearmonthdate' }
        : { field: x.field, type: 'ordinal', title: x.title, ...(x.sort ? { sort: x.sort } : {}) },
      y: { field: y.field, type: 'quantitative', stack: 'zero', title: y.title },
      color: { field: color.field, type: 'nominal', title: color.title },
    },
  };
}

export function buildPlots(input: PlotInput, totals: Counters): Plot[] {
  const sizes = segmentSizes(input);
  const lastDay = sizes.at(-1)?.day;
  const latest = sizes.filter((r) => r.day === lastDay);
  const moves = segmentMoves(input);
  const issues = issuesPerDay(input);
  const laneRows = lanes(totals);
  const ages = openIssuesByAge(input);
  const holds = heldProfiles(input);
  const cal = calibration(totals);
  const returned = returnsByReason(totals);
  const reasons = [...new Set(returned.map((r) => r.reason))];
  const reasonTotal = (reason: string): number => sum(returned.filter((r) => r.reason === reason).map((r) => r.returns));
  const laneLong = laneRows.flatMap((l) => [
    { lane: l.lane, percentile: 'p50', days: l.p50 },
    { lane: l.lane, percentile: 'p90', days: l.p90 },
  ]).filter((r) => r.days !== null);
  return [
    {
      id: 'segments',
      title: 'Customers per lifecycle segment',
      summary: latest.length > 0 ? `On ${lastDay}: ${latest.map((r) => `${r.segment} ${r.customers}`).join(', ')}.` : 'No customer assessed yet.',
      hasData: sizes.some((r) => r.customers > 0),
      spec: stacked(sizes, 'area', { field: 'day', title: 'day', temporal: true }, { field: 'customers', title: 'customers' }, { field: 'segment', title: 'segment' }),
    },
    {
      id: 'moves',
      title: 'Segment movements per week',
      summary: moves.length > 0 ? `${sum(moves.map((m) => m.customers))} moves; most common: ${moves.slice().sort((a, b) => b.customers - a.customers).slice(0, 3).map((m) => `${m.from} → ${m.to} (${m.customers})`).join(', ')}.` : 'No customer changed segment in this window.',
      hasData: moves.length > 0,
      spec: {
        ...base,
        height: 260,
        data: { values: moves.map((m) => ({ ...m, move: `${m.from} → ${m.to}` })) },
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'week', type: 'ordinal', title: 'week starting' },
          y: { field: 'move', type: 'nominal', title: null },
          color: { field: 'customers', type: 'quantitative', scale: { type: 'log', scheme: 'blues' }, title: 'customers' },
          tooltip: [{ field: 'move' }, { field: 'customers' }],
        },
      },
    },
    {
      id: 'issues',
      title: 'Delivery issues opened and resolved per day, by rule',
      summary: `${sum(issues.filter((r) => r.change === 'opened').map((r) => r.issues))} opened and ${sum(issues.filter((r) => r.change === 'resolved').map((r) => r.issues))} resolved in this window.`,
      hasData: issues.length > 0,
      spec: {
        ...base,
        height: 120,
        data: { values: issues },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'day', type: 'ordinal', title: 'day' },
          y: { field: 'issues', type: 'quantitative', stack: 'zero', title: 'issues' },
          color: { field: 'rule', type: 'nominal', title: 'rule' },
          row: { field: 'change', type: 'nominal', title: null },
        },
      },
    },
    {
      id: 'on-time',
      title: 'On-time rate by carrier and destination (busiest lanes)',
      summary: laneRows.length > 0 ? laneRows.slice(0, 3).map((l) => `${l.lane}: ${l.onTimeRate === null ? 'no promise' : `${(l.onTimeRate * 100).toFixed(0)}% on time`} of ${l.delivered}`).join('; ') : 'No parcel delivered yet.',
      hasData: laneRows.some((l) => l.onTimeRate !== null),
      spec: {
        ...base,
        height: { step: 16 },
        data: { values: laneRows.filter((l) => l.onTimeRate !== null) },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'lane', type: 'nominal', sort: '-x', title: null },
          x: { field: 'onTimeRate', type: 'quantitative', axis: { format: '%' }, scale: { domain: [0, 1] }, title: 'delivered by the promised day' },
        },
      },
    },
    {
      id: 'transit',
      title: 'Transit days (p50 and p90) by carrier and destination',
      summary: laneRows.length > 0 ? laneRows.slice(0, 3).map((l) => `${l.lane}: p50 ${l.p50 ?? '—'} d, p90 ${l.p90 ?? '—'} d`).join('; ') : 'No parcel delivered yet.',
      hasData: laneLong.length > 0,
      spec: {
        ...base,
        height: { step: 16 },
        data: { values: laneLong },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y: { field: 'lane', type: 'nominal', title: null },
          x: { field: 'days', type: 'quantitative', title: 'days from hand-over to delivery' },
          shape: { field: 'percentile', type: 'nominal' },
          color: { field: 'percentile', type: 'nominal' },
        },
      },
    },
    {
      id: 'open-issues',
      title: 'Open delivery issues by age',
      summary: ages.length > 0 ? `${sum(ages.map((a) => a.issues))} open: ${AGE_BUCKETS.map((b) => `${b.label} ${sum(ages.filter((a) => a.age === b.label).map((a) => a.issues))}`).join(', ')}.` : 'No delivery issue is open.',
      hasData: ages.length > 0,
      spec: stacked(ages, 'bar', { field: 'age', title: 'open for', sort: AGE_BUCKETS.map((b) => b.label) }, { field: 'issues', title: 'issues' }, { field: 'rule', title: 'rule' }),
    },
    {
      id: 'holds',
      title: 'Profiles with promotions on hold',
      summary: holds.length > 0 ? `Held on ${holds.at(-1)?.day}: ${sum(holds.filter((h) => h.day === holds.at(-1)?.day).map((h) => h.customers))}.` : 'No profile has been held.',
      hasData: holds.some((h) => h.customers > 0),
      spec: stacked(holds, 'bar', { field: 'day', title: 'day' }, { field: 'customers', title: 'profiles held' }, { field: 'rule', title: 'reason' }),
    },
    {
      id: 'returns',
      title: 'Returns by reason and the customer\'s segment now (all history)',
      summary: returned.length > 0 ? `${sum(returned.map((r) => r.returns))} returns (a return counts once per reason among its lines; declined ones left out): ${reasons.map((r) => `${r} ${reasonTotal(r)}`).join(', ')}.` : 'No return yet.',
      hasData: returned.length > 0,
      spec: stacked(returned, 'bar', { field: 'reason', title: 'reason', sort: reasons }, { field: 'returns', title: 'returns' }, { field: 'segment', title: 'segment now' }),
    },
    {
      id: 'calibration',
      title: 'Predicted vs actual delivery',
      summary: cal.parcels > 0 ? `${cal.parcels} delivered parcels had a prediction; ${((cal.withinLatest / cal.parcels) * 100).toFixed(0)}% arrived by the latest-likely date (the model aims at 90%).` : 'No delivered parcel had a prediction yet.',
      hasData: cal.rows.length > 0,
      spec: {
        ...base,
        data: { values: cal.rows },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'errorDays', type: 'ordinal', title: 'delivered minus predicted, days (negative: early)' },
          y: { field: 'parcels', type: 'quantitative', title: 'parcels' },
        },
      },
    },
  ];
}
