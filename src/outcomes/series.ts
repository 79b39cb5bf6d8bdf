import { SEGMENTS } from '../model/customer';
import { addCounters, dayOf, type Counters } from './counters';
import { quantileOfBins, shiftDay } from './report';

/**
 * The data behind each plot on /status, pure: from the day buckets of a window ending today and the all-time total
 * (nothing else is read). Rows are flat records, the shape a charting library takes.
 */
export interface PlotInput {
  readonly days: ReadonlyMap<string, Counters>;
  readonly totals: Counters;
  readonly today: string;
}

/** Each day's end-of-day value of event counters (`seg|…`, `hold|…`): the total less everything after the day. */
function endOfDayLevels(input: PlotInput, prefix: string): Array<{ day: string; key: string; value: number }> {
  const level: Counters = {};
  for (const [name, n] of Object.entries(input.totals)) if (name.startsWith(prefix)) level[name] = n;
  const ordered = [...input.days.keys()].sort().reverse();
  const rows: Array<{ day: string; key: string; value: number }> = [];
  for (const day of ordered) {
    for (const [name, n] of Object.entries(level)) rows.push({ day, key: name.slice(prefix.length), value: n });
    const bucket = input.days.get(day) as Counters;
    const own: Counters = {};
    for (const [name, n] of Object.entries(bucket)) if (name.startsWith(prefix)) own[name] = n;
    addCounters(level, own, -1);
    for (const name of Object.keys(own)) level[name] ??= 0;
  }
  return rows.reverse();
}

export function segmentSizes(input: PlotInput): Array<{ day: string; segment: string; customers: number }> {
  const order = new Map<string, number>(SEGMENTS.map((s, i) => [s, i]));
  return endOfDayLevels(input, 'seg|')
    .map((r) => ({ day: r.day, segment: r.key, customers: Math.max(0, r.value) }))
    .sort((a, b) => (a.day === b.day ? (order.get(a.segment) ?? 9) - (order.get(b.segment) ?? 9) : a.day < b.day ? -1 : 1));
}

export function heldProfiles(input: PlotInput): Array<{ day: string; rule: string; customers: number }> {
  return endOfDayLevels(input, 'hold|').map((r) => ({ day: r.day, rule: r.key, customers: Math.max(0, r.value) }));
}

/** Monday of the ISO week holding `day`. */
export const weekOf = (day: string): string => {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return shiftDay(day, -weekday);
};

export function segmentMoves(input: PlotInput): Array<{ week: string; from: string; to: string; customers: number }> {
  const byKey = new Map<string, { week: string; from: string; to: string; customers: number }>();
  for (const [day, bucket] of input.days) {
    for (const [name, n] of Object.entries(bucket)) {
      if (!name.startsWith('mv|')) continue;
      const [, from, to] = name.split('|') as [string, string, string];
      const week = weekOf(day);
      const key = `${week}|${from}|${to}`;
      const row = byKey.get(key) ?? { week, from, to, customers: 0 };
      row.customers += n;
      byKey.set(key, row);
    }
  }
  return [...byKey.values()].sort((a, b) => (a.week === b.week ? b.customers - a.customers : a.week < b.week ? -1 : 1));
}

export function issuesPerDay(input: PlotInput): Array<{ day: string; rule: string; change: 'opened' | 'resolved'; issues: number }> {
  const rows: Array<{ day: string; rule: string; change: 'opened' | 'resolved'; issues: number }> = [];
  for (const [day, bucket] of [...input.days].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const [name, n] of Object.entries(bucket)) {
      if (name.startsWith('i|open|')) rows.push({ day, rule: name.slice(7), change: 'opened', issues: n });
      else if (name.startsWith('i|res|')) rows.push({ day, rule: name.slice(6), change: 'resolved', issues: n });
    }
  }
  return rows;
}

/** On-time rate (of deliveries with a promise) and transit-day percentiles per carrier and destination region. */
export function lanes(totals: Counters, limit = 12): Array<{ lane: string; delivered: number; onTimeRate: number | null; p50: number | null; p90: number | null }> {
  const byLane = new Map<string, { dlv: number; promised: number; ontime: number; bins: Array<[number, number]> }>();
  for (const [name, n] of Object.entries(totals)) {
    if (!name.startsWith('p|')) continue;
    const parts = name.split('|');
    const lane = `${parts[1]} → ${parts[2]}`;
    const entry = byLane.get(lane) ?? { dlv: 0, promised: 0, ontime: 0, bins: [] };
    if (parts[3] === 't') entry.bins.push([Number(parts[4]), n]);
    else if (parts[3] === 'dlv') entry.dlv += n;
    else if (parts[3] === 'promised') entry.promised += n;
    else if (parts[3] === 'ontime') entry.ontime += n;
    byLane.set(lane, entry);
  }
  return [...byLane]
    .sort((a, b) => b[1].dlv - a[1].dlv)
    .slice(0, limit)
    .map(([lane, e]) => {
      const bins = e.bins.sort((a, b) => a[0] - b[0]);
      return { lane, delivered: e.dlv, onTimeRate: e.promised > 0 ? e.ontime / e.promised : null, p50: quantileOfBins(bins, 0.5), p90: quantileOfBins(bins, 0.9) };
    });
}

export const AGE_BUCKETS = [
  { label: '0–1 days', max: 1 }, { label: '2–5 days', max: 5 }, { label: '6–14 days', max: 14 }, { label: '15–30 days', max: 30 }, { label: 'over 30 days', max: Infinity },
] as const;

/** Issues open now by age (days since opened) and rule; issues opened before the window are the oldest bucket. */
export function openIssuesByAge(input: PlotInput): Array<{ age: string; rule: string; issues: number }> {
  const counts = new Map<string, number>();
  const inWindow: Counters = {};
  const add = (age: string, rule: string, n: number): void => {
    counts.set(`${age}|${rule}`, (counts.get(`${age}|${rule}`) ?? 0) + n);
  };
  const todayMs = Date.parse(`${input.today}T00:00:00Z`);
  for (const [day, bucket] of input.days) {
    const age = Math.round((todayMs - Date.parse(`${day}T00:00:00Z`)) / 86_400_000);
    const label = (AGE_BUCKETS.find((b) => age <= b.max) ?? AGE_BUCKETS[4]).label;
    for (const [name, n] of Object.entries(bucket)) {
      if (!name.startsWith('i|now|')) continue;
      add(label, name.slice(6), n);
      inWindow[name] = (inWindow[name] ?? 0) + n;
    }
  }
  for (const [name, n] of Object.entries(input.totals)) {
    if (name.startsWith('i|now|') && n - (inWindow[name] ?? 0) > 0) add(AGE_BUCKETS[4].label, name.slice(6), n - (inWindow[name] ?? 0));
  }
  return [...counts].filter(([, n]) => n > 0).map(([key, issues]) => {
    const [age, rule] = key.split('|') as [string, string];
    return { age, rule, issues };
  });
}

/** Delivered minus predicted, in days, for every delivered parcel that had a prediction; and the 90%-date hit rate. */
export function calibration(totals: Counters): { rows: Array<{ errorDays: number; parcels: number }>; parcels: number; withinLatest: number } {
  const rows = Object.entries(totals)
    .filter(([name]) => name.startsWith('cal|err|'))
    .map(([name, parcels]) => ({ errorDays: Number(name.slice(8)), parcels }))
    .sort((a, b) => a.errorDays - b.errorDays);
  return { rows, parcels: totals['cal|n'] ?? 0, withinLatest: totals['cal|within'] ?? 0 };
}

export const windowStart = (today: string, days: number): string => shiftDay(today, -(days - 1));
export const todayOf = (now: Date): string => dayOf(now);

/** Returns by reason and the customer's segment now, all history (the `ret|` counters), most frequent reasons first. */
export function returnsByReason(totals: Counters): Array<{ reason: string; segment: string; returns: number }> {
  const rows: Array<{ reason: string; segment: string; returns: number }> = [];
  for (const [name, n] of Object.entries(totals)) {
    const [kind, segment, reason] = name.split('|');
    if (kind === 'ret' && segment !== undefined && reason !== undefined && n > 0) rows.push({ reason, segment, returns: n });
  }
  const byReason = new Map<string, number>();
  for (const row of rows) byReason.set(row.reason, (byReason.get(row.reason) ?? 0) + row.returns);
  return rows.sort((a, b) => (byReason.get(b.reason) ?? 0) - (byReason.get(a.reason) ?? 0) || a.reason.localeCompare(b.reason) || a.segment.localeCompare(b.segment));
}
