import { medianSorted } from 'simple-statistics';
import type { LifecycleConfig } from '../enrichment/lifecycle/config';
import { applyOrder } from '../enrichment/lifecycle/aggregate';
import { needsRefit, refitChurnModel } from '../enrichment/lifecycle/churn-model';
import { evaluateLifecycle } from '../enrichment/lifecycle/evaluate';
import { createStoreStats, updateStoreStats, type StoreStats } from '../enrichment/lifecycle/store-stats';
import type { LifecycleAssessment } from '../enrichment/lifecycle/types';
import type { CustomerAggregate, Segment } from '../model/customer';
import type { Order } from '../model/order';

const DAY_MS = 86_400_000;

/** What the daemon would know and say about one customer at a checkpoint, next to what happened afterwards. */
export interface CheckpointObservation {
  readonly checkpoint: Date;
  readonly customerKey: string;
  readonly assessment: LifecycleAssessment;
  /** Purchase times before the checkpoint (what the baselines may use). */
  readonly pastPurchases: readonly number[];
  /** No purchase within the horizon after the checkpoint. */
  readonly churned: boolean;
  /** First purchase at or after the checkpoint, if the data holds one. */
  readonly nextPurchaseAt: number | null;
}

export type ChangeCause = 'order' | 'time' | 'refit';

export interface SegmentChange {
  readonly at: number;
  readonly from: Segment;
  readonly to: Segment;
  readonly cause: ChangeCause;
}

export interface ReplayResult {
  readonly observations: readonly CheckpointObservation[];
  readonly changes: readonly SegmentChange[];
  /** Customers known at the end of each month (YYYY-MM), for change rates. */
  readonly customersByMonth: ReadonlyMap<string, number>;
  readonly fits: number;
  /** When the first store model (not the prior) was fitted; null if none was. */
  readonly firstFitAt: number | null;
  /** The last order in the data: outcomes after it are unknown (censored). */
  readonly dataEnd: number;
}

/** Min-heap of review times; stale entries (superseded by a newer nextReviewAt) are skipped when popped. */
class ReviewQueue {
  private readonly heap: Array<readonly [number, string]> = [];
  push(at: number, key: string): void {
    const heap = this.heap;
    heap.push([at, key]);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent][0] <= heap[i][0]) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }
  peek(): number {
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : this.heap[0][0];
  }
  pop(): readonly [number, string] | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l][0] < heap[m][0]) m = l;
        if (r < heap.length && heap[r][0] < heap[m][0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  }
}

export const monthOf = (at: number): string => new Date(at).toISOString().slice(0, 7);

/**
 * Replays orders in time order through the daemon's own functions (applyOrder, updateStoreStats,
 * evaluateLifecycle, refitChurnModel), with time-driven reviews at each customer's nextReviewAt and a refit plus
 * full re-evaluation on the configured schedule. At each checkpoint every buying customer is assessed from what
 * was known then; outcomes are read from the full order list only to score those assessments.
 */
export async function replaySegments(
  orders: readonly Order[],
  checkpoints: readonly Date[],
  config: LifecycleConfig,
): Promise<ReplayResult> {
  const horizonMs = config.horizonDays * DAY_MS;
  const purchasesByKey = new Map<string, number[]>();
  for (const order of orders) {
    if (order.email === null || order.cancelledAt !== null) continue;
    const list = purchasesByKey.get(order.email) ?? [];
    list.push(order.createdAt.getTime());
    purchasesByKey.set(order.email, list);
  }

  const customers = new Map<string, CustomerAggregate>();
  let stats: StoreStats = createStoreStats();
  const reviews = new ReviewQueue();
  const changes: SegmentChange[] = [];
  const observations: CheckpointObservation[] = [];
  const customersByMonth = new Map<string, number>();
  let fits = 0;
  let firstFitAt: number | null = null;

  const announce = (customer: CustomerAggregate, at: number, cause: ChangeCause): void => {
    const assessment = evaluateLifecycle(customer, stats, new Date(at), config);
    const changed = assessment.segment !== customer.segment;
    if (changed && customer.segment !== null) changes.push({ at, from: customer.segment, to: assessment.segment, cause });
    const next = assessment.nextReviewAt?.getTime() ?? null;
    customers.set(customer.key, {
      ...customer,
      segment: assessment.segment,
      segmentSince: changed ? new Date(at).toISOString() : customer.segmentSince,
      nextReviewAt: next === null ? null : new Date(next).toISOString(),
    });
    if (next !== null) reviews.push(next, customer.key);
  };

  const advanceTo = async (at: number): Promise<void> => {
    while (reviews.peek() <= at) {
      const entry = reviews.pop();
      if (entry === undefined) break;
      const [due, key] = entry;
      const customer = customers.get(key);
      if (customer === undefined || customer.nextReviewAt === null || Date.parse(customer.nextReviewAt) !== due) continue;
      announce(customer, due, 'time');
    }
    customersByMonth.set(monthOf(at), customers.size);
    if (needsRefit(stats, new Date(at), config)) {
      stats = await refitChurnModel(stats, customers.values(), new Date(at), config);
      if (stats.churnModel !== null && stats.churnModel.fittedAt === new Date(at).toISOString()) {
        fits += 1;
        firstFitAt ??= at;
      }
      for (const customer of [...customers.values()]) announce(customer, at, 'refit');
    }
  };

  const pending = [...checkpoints].sort((a, b) => a.getTime() - b.getTime());
  const observe = (checkpoint: Date): void => {
    const at = checkpoint.getTime();
    for (const customer of customers.values()) {
      const past = (purchasesByKey.get(customer.key) ?? []).filter((t) => t < at);
      if (past.length === 0) continue;
      const future = (purchasesByKey.get(customer.key) ?? []).filter((t) => t >= at);
      observations.push({
        checkpoint,
        customerKey: customer.key,
        assessment: evaluateLifecycle(customer, stats, checkpoint, config),
        pastPurchases: past,
        churned: !future.some((t) => t < at + horizonMs),
        nextPurchaseAt: future[0] ?? null,
      });
    }
  };

  for (const order of orders) {
    const at = order.createdAt.getTime();
    while (pending.length > 0 && pending[0].getTime() <= at) {
      const checkpoint = pending.shift() as Date;
      await advanceTo(checkpoint.getTime());
      observe(checkpoint);
    }
    await advanceTo(at);
    const before = order.email === null ? null : customers.get(order.email) ?? null;
    const after = applyOrder(before, order);
    if (after === null || after === before) continue;
    stats = updateStoreStats(stats, before, after);
    announce(after, at, 'order');
  }
  for (const checkpoint of pending) {
    await advanceTo(checkpoint.getTime());
    observe(checkpoint);
  }
  const dataEnd = orders.reduce((end, o) => Math.max(end, o.createdAt.getTime()), Number.NEGATIVE_INFINITY);
  return { observations, changes, customersByMonth, fits, firstFitAt, dataEnd };
}

/** The baseline next-order date: last purchase plus the customer's own median gap (null with fewer than two). */
export function ownMedianGapForecast(pastPurchases: readonly number[]): number | null {
  if (pastPurchases.length < 2) return null;
  const gaps = pastPurchases.slice(1).map((t, i) => t - pastPurchases[i]).sort((a, b) => a - b);
  return pastPurchases[pastPurchases.length - 1] + medianSorted(gaps);
}
