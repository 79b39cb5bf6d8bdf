import { SEGMENTS } from '../model/customer';
import { DAY_MS, REPEAT_WINDOWS, addCounters, dayOf, type Counters } from './counters';

/**
 * Outcomes by lifecycle segment, pure: from the outcome counters (day buckets and the all-time total) to the
 * figures `shipsignal report` prints and /status shows. A customer's orders count under the customer's segment as
 * it is now; orders count by the day they were placed, deliveries (and their repeat purchases) by the day they
 * were delivered. A repeat window counts only deliveries whose whole window has passed by `now`.
 */
export interface Proportion {
  readonly count: number;
  readonly of: number;
  /** count ÷ of, null when `of` is 0. */
  readonly rate: number | null;
  /** Wilson score interval at 95%, null when `of` is 0. */
  readonly ci95: readonly [number, number] | null;
}

export interface RepeatSplit {
  readonly days: number;
  readonly withIssue: Proportion;
  readonly withoutIssue: Proportion;
}

export interface SegmentOutcome {
  readonly segment: string;
  /** Customers in the segment at the end of the window. */
  readonly customers: number;
  readonly ordersPlaced: number;
  readonly ordersDelivered: number;
  /** Delivered on or before the promised day, of deliveries with a promise. */
  readonly onTime: Proportion;
  readonly deliveryIssue: Proportion;
  /** Whole days from order to delivery (lower median). */
  readonly medianDaysToDeliver: number | null;
  readonly repeat: readonly RepeatSplit[];
  /** Returns requested in the window, by reason (once per reason among a return's lines; declined and canceled left out). */
  readonly returnsByReason: Readonly<Record<string, number>>;
}

export interface OutcomeReport {
  readonly since: string | null;
  readonly until: string;
  readonly generatedAt: string;
  readonly segments: readonly SegmentOutcome[];
}

/** What the report reads: every day bucket from `firstRead` to `now`'s day, and the all-time total. */
export interface ReportInput {
  readonly days: ReadonlyMap<string, Counters>;
  readonly totals: Counters;
  readonly since: string | null;
  readonly until: string;
  readonly now: Date;
}

export const shiftDay = (day: string, by: number): string => dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + by * DAY_MS));

/** The first day a report over [since, until] must read (with `now`, the last): see `report`. */
export function firstDayToRead(since: string | null, until: string, now: Date): string {
  if (since !== null) return since;
  const earliestCutoff = shiftDay(dayOf(now), -(Math.max(...REPEAT_WINDOWS) + 1));
  return until < earliestCutoff ? until : earliestCutoff;
}

export function wilson(count: number, of: number, z = 1.959964): readonly [number, number] | null {
  if (of === 0) return null;
  const p = count / of;
  const z2 = z * z;
  const denominator = 1 + z2 / of;
  const centre = (p + z2 / (2 * of)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / of + z2 / (4 * of * of))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export const proportion = (count: number, of: number): Proportion => ({ count, of, rate: of === 0 ? null : count / of, ci95: wilson(count, of) });

/** Lower median of a histogram given as `prefix<n>` counters. */
export function medianOf(counters: Counters, prefix: string): number | null {
  const bins = Object.entries(counters).filter(([name]) => name.startsWith(prefix)).map(([name, n]) => [Number(name.slice(prefix.length)), n] as const).sort((a, b) => a[0] - b[0]);
  return quantileOfBins(bins, 0.5);
}

export function quantileOfBins(bins: ReadonlyArray<readonly [number, number]>, q: number): number | null {
  const total = bins.reduce((sum, [, n]) => sum + n, 0);
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [value, n] of bins) {
    seen += n;
    if (seen >= rank) return value;
  }
  return bins[bins.length - 1]?.[0] ?? null;
}

/**
 * The counters summed over the days from `from` (null: the beginning) to `to`, inclusive. Without `from` it is the
 * total less the days after `to`, which the input holds (it holds every day from its first read to now).
 */
export function sumDays(input: Pick<ReportInput, 'days' | 'totals'>, from: string | null, to: string): Counters {
  if (from === null) {
    const sum = { ...input.totals };
    for (const [day, bucket] of input.days) if (day > to) addCounters(sum, bucket, -1);
    return sum;
  }
  const sum: Counters = {};
  for (const [day, bucket] of input.days) if (day >= from && day <= to) addCounters(sum, bucket);
  return sum;
}

export function report(input: ReportInput): OutcomeReport {
  const { since, until, now } = input;
  const window = sumDays(input, since, until);
  const atEnd = sumDays(input, null, until);
  const today = dayOf(now);
  // A delivery on day d has had its whole N-day window when d + N days (to its end) is before today.
  const eligible = new Map(REPEAT_WINDOWS.map((n) => {
    const cutoff = shiftDay(today, -(n + 1));
    const to = cutoff < until ? cutoff : until;
    return [n, since !== null && to < since ? {} : sumDays(input, since, to)] as const;
  }));
  const present = new Set(Object.keys(atEnd).concat(Object.keys(window)).map((name) => name.split('|')).filter((p) => p[0] === 'o' || p[0] === 'seg').map((p) => p[1] as string));
  const segments = [...SEGMENTS, 'none'].filter((segment) => present.has(segment));
  return {
    since,
    until,
    generatedAt: now.toISOString(),
    segments: segments.map((segment) => {
      const get = (counters: Counters, name: string): number => counters[`o|${segment}|${name}`] ?? 0;
      return {
        segment,
        customers: atEnd[`seg|${segment}`] ?? 0,
        ordersPlaced: get(window, 'placed'),
        ordersDelivered: get(window, 'dlv'),
        onTime: proportion(get(window, 'ontime'), get(window, 'promised')),
        deliveryIssue: proportion(get(window, 'issue'), get(window, 'dlv')),
        medianDaysToDeliver: medianOf(window, `o|${segment}|days|`),
        repeat: REPEAT_WINDOWS.map((days) => {
          const counters = eligible.get(days) as Counters;
          return {
            days,
            withIssue: proportion(get(counters, `issue|r${days}`), get(counters, 'issue|n')),
            withoutIssue: proportion(get(counters, `clean|r${days}`), get(counters, 'clean|n')),
          };
        }),
        returnsByReason: Object.fromEntries(Object.entries(window)
          .filter(([name, n]) => name.startsWith(`ret|${segment}|`) && n > 0)
          .map(([name, n]) => [name.slice(`ret|${segment}|`.length), n] as const)
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
      };
    }),
  };
}
