import type { CustomerFacts, ParcelFact } from './facts';

/**
 * Store-wide outcome counters, bucketed by UTC day: each bucket is a flat map of integer counters, so a change is a
 * sparse difference that adds into the stored buckets (and into an all-time total) in the same commit as the change.
 *
 * Two kinds, both integers:
 * - state sums: the customer's `contribution`, a pure function of their facts; a commit adds
 *   `contribution(after) − contribution(before)`, so the stored counters always equal the sum over customers;
 * - events seen by the pipeline (segment moves, hold changes), dated on the day the pipeline saw them.
 *
 * Counter names (`|`-separated; a segment, carrier, region or rule never contains `|`):
 * - `o|<seg>|placed` orders placed (placed day), by the customer's current segment;
 * - `o|<seg>|dlv`, `…|promised`, `…|ontime`, `…|issue`, `…|days|<n>` orders delivered (delivered day);
 * - `o|<seg>|<issue|clean>|n` and `…|r30|r60|r90` delivered orders and those followed by another order within N days;
 * - `p|<carrier>|<region>|dlv`, `…|promised`, `…|ontime`, `…|t|<n>` parcels delivered, transit days histogram;
 * - `cal|n`, `cal|err|<d>`, `cal|within` delivered parcels with a prediction: actual − predicted days, within the 90% date;
 * - `i|open|<rule>`, `i|res|<rule>` issues opened and resolved (their day), `i|now|<rule>` still open (opened day);
 * - `ret|<seg>|<reason>` returns that bring items back (requested day), once per reason among their lines, by segment;
 * - `seg|<seg>` customers entering (+1) and leaving (−1) a segment; `mv|<from>|<to>` moves; `hold|<rule>` holds.
 */
export type Counters = Record<string, number>;
/**
 * A change being summed, by day: Maps rather than records, since a commit builds and merges thousands of short-lived
 * buckets with made-up names (an object in dictionary mode, entries deleted at zero, was 3 % of a backfill's CPU).
 * Stored buckets stay plain records (JSON state).
 */
export type DayCounters = Map<string, Map<string, number>>;

export const DAY_MS = 86_400_000;
export const REPEAT_WINDOWS = [30, 60, 90] as const;
/** Histograms are bounded: the last bin holds everything at or above it. */
export const MAX_TRANSIT_DAYS = 60;
export const MAX_ORDER_DAYS = 120;
export const MAX_CALIBRATION_ERROR = 10;

/** `YYYY-MM-DDTHH:MM:SS[.fff]Z`: already UTC, so its first ten characters are its UTC day. */
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/**
 * The UTC day of an instant. Called for every order, parcel and issue of every customer a commit touches (twice:
 * before and after), so the UTC instants the sources normalise to are sliced, not parsed and re-printed; anything
 * else (an offset, a Date) goes through Date, which also rejects an invalid instant.
 */
export const dayOf = (iso: string | Date): string => {
  if (typeof iso === 'string' && UTC_INSTANT.test(iso)) return iso.slice(0, 10);
  return (typeof iso === 'string' ? new Date(iso) : iso).toISOString().slice(0, 10);
};
const wholeDays = (from: string, to: string): number => Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS);
const clamp = (n: number, low: number, high: number): number => Math.min(high, Math.max(low, n));

export function addTo(target: DayCounters, day: string, name: string, by = 1): void {
  if (by === 0) return;
  let bucket = target.get(day);
  if (bucket === undefined) {
    bucket = new Map();
    target.set(day, bucket);
  }
  const next = (bucket.get(name) ?? 0) + by;
  if (next === 0) bucket.delete(name);
  else bucket.set(name, next);
}

/** `a + sign·b`, in place on `a`. */
export function mergeInto(a: DayCounters, b: DayCounters, sign: 1 | -1 = 1): DayCounters {
  for (const [day, bucket] of b) for (const [name, n] of bucket) addTo(a, day, name, sign * n);
  return a;
}

/** Adds a bucket's counters into `total` (in place). */
export function addCounters(total: Counters, bucket: Readonly<Counters> | ReadonlyMap<string, number>, sign: 1 | -1 = 1): Counters {
  for (const [name, n] of bucket instanceof Map ? bucket : Object.entries(bucket)) {
    const next = (total[name] ?? 0) + sign * n;
    if (next === 0) delete total[name];
    else total[name] = next;
  }
  return total;
}

export const segmentLabel = (segment: string | null): string => segment ?? 'none';

/** An order is delivered when every one of its shipped parcels is, at the last of their deliveries. */
function orderDeliveries(parcels: readonly ParcelFact[]): Map<string, { deliveredAt: string; promisedAt: string | null; issue: boolean }> {
  const byOrder = new Map<string, ParcelFact[]>();
  for (const parcel of parcels) byOrder.set(parcel.orderId, [...(byOrder.get(parcel.orderId) ?? []), parcel]);
  const delivered = new Map<string, { deliveredAt: string; promisedAt: string | null; issue: boolean }>();
  for (const [orderId, own] of byOrder) {
    const shipped = own.filter((p) => !p.pending);
    if (shipped.length === 0 || shipped.some((p) => p.deliveredAt === null)) continue;
    const deliveredAt = shipped.map((p) => p.deliveredAt as string).sort().at(-1) as string;
    const promisedAt = shipped.map((p) => p.promisedAt).find((p) => p !== null) ?? null;
    // A delivery issue: a rule fired on one of its parcels while it was followed, or it arrived after the promised
    // day. The second part covers history, which the rules never see live (a late parcel read after the fact).
    const late = promisedAt !== null && dayOf(deliveredAt) > dayOf(promisedAt);
    delivered.set(orderId, { deliveredAt, promisedAt, issue: late || own.some((p) => p.issues.length > 0) });
  }
  return delivered;
}

/** What one customer adds to the store-wide counters: a pure function of their facts (see the header). */
export function contribution(facts: CustomerFacts): DayCounters {
  const out: DayCounters = new Map();
  const seg = segmentLabel(facts.segment);
  const orders = facts.orders.filter((o) => !o.cancelled);
  const parcels = Object.values(facts.parcels);
  const delivered = orderDeliveries(parcels);
  for (const order of orders) {
    addTo(out, dayOf(order.placedAt), `o|${seg}|placed`);
    const delivery = delivered.get(order.orderId);
    if (!delivery) continue;
    const day = dayOf(delivery.deliveredAt);
    addTo(out, day, `o|${seg}|dlv`);
    if (delivery.promisedAt) {
      addTo(out, day, `o|${seg}|promised`);
      if (day <= dayOf(delivery.promisedAt)) addTo(out, day, `o|${seg}|ontime`);
    }
    if (delivery.issue) addTo(out, day, `o|${seg}|issue`);
    addTo(out, day, `o|${seg}|days|${clamp(wholeDays(order.placedAt, delivery.deliveredAt), 0, MAX_ORDER_DAYS)}`);
    const flag = delivery.issue ? 'issue' : 'clean';
    addTo(out, day, `o|${seg}|${flag}|n`);
    const deliveredMs = Date.parse(delivery.deliveredAt);
    const next = orders.map((o) => Date.parse(o.placedAt)).filter((t) => t > deliveredMs).sort((a, b) => a - b)[0];
    for (const window of REPEAT_WINDOWS) {
      if (next !== undefined && next - deliveredMs <= window * DAY_MS) addTo(out, day, `o|${seg}|${flag}|r${window}`);
    }
  }
  for (const ret of facts.returns ?? []) {
    for (const reason of ret.reasons) addTo(out, dayOf(ret.requestedAt), `ret|${seg}|${reason.replace(/\|/g, '_')}`);
  }
  for (const parcel of parcels) {
    for (const issue of parcel.issues) {
      addTo(out, dayOf(issue.openedAt), `i|open|${issue.code}`);
      if (issue.resolvedAt) addTo(out, dayOf(issue.resolvedAt), `i|res|${issue.code}`);
      else addTo(out, dayOf(issue.openedAt), `i|now|${issue.code}`);
    }
    if (parcel.pending || parcel.deliveredAt === null) continue;
    const day = dayOf(parcel.deliveredAt);
    const lane = `p|${parcel.carrier}|${parcel.region}`;
    addTo(out, day, `${lane}|dlv`);
    if (parcel.promisedAt) {
      addTo(out, day, `${lane}|promised`);
      if (day <= dayOf(parcel.promisedAt)) addTo(out, day, `${lane}|ontime`);
    }
    if (parcel.shippedAt) addTo(out, day, `${lane}|t|${clamp(wholeDays(parcel.shippedAt, parcel.deliveredAt), 0, MAX_TRANSIT_DAYS)}`);
    if (parcel.predictedAt) {
      addTo(out, day, 'cal|n');
      const error = Math.round((Date.parse(parcel.deliveredAt) - Date.parse(parcel.predictedAt)) / DAY_MS);
      addTo(out, day, `cal|err|${clamp(error, -MAX_CALIBRATION_ERROR, MAX_CALIBRATION_ERROR)}`);
      if (parcel.latestLikelyAt && parcel.deliveredAt <= parcel.latestLikelyAt) addTo(out, day, 'cal|within');
    }
  }
  return out;
}

/** The counters a change of one customer's facts moves, with the events the pipeline saw dated `today`. */
export function factsDelta(before: CustomerFacts | null, after: CustomerFacts, today: string): DayCounters {
  const delta = contribution(after);
  if (before) mergeInto(delta, contribution(before), -1);
  const from = before ? before.segment : null;
  if (from !== after.segment) {
    if (from !== null) addTo(delta, today, `seg|${from}`, -1);
    if (after.segment !== null) addTo(delta, today, `seg|${after.segment}`);
    addTo(delta, today, `mv|${segmentLabel(from)}|${segmentLabel(after.segment)}`);
  }
  return delta;
}

/** Hold counts by rule before and after a commit, as hold counters dated `today`. */
export function holdDelta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>, today: string): DayCounters {
  const delta: DayCounters = new Map();
  for (const rule of new Set([...Object.keys(before), ...Object.keys(after)])) addTo(delta, today, `hold|${rule}`, (after[rule] ?? 0) - (before[rule] ?? 0));
  return delta;
}
