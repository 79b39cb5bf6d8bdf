import type { OrderContribution } from '../model/customer';
import type { ProductsConfig } from '../enrichment/products/config';
import { emptyBook, learnOrder, type ProductBook } from '../enrichment/products/learn';
import { recommendationIds } from '../enrichment/products/recommend';
import { nextReplenishment, type StatsLookup } from '../enrichment/products/replenishment';
import { median } from '../enrichment/products/top-counts';
import type { Purchase } from './products-data';

const DAY = 86_400_000;

/** One customer's recommendations at a checkpoint, and the baseline's, with what they bought next. */
export interface RecommendationCase {
  readonly customer: string;
  readonly checkpoint: number;
  readonly model: readonly string[];
  readonly bestSellers: readonly string[];
  readonly next: ReadonlySet<string>;
}

/** A replenishment cycle as the model chose it right after a purchase, its baseline date and what happened. */
export interface CycleCase {
  readonly customer: string;
  readonly productId: string;
  readonly start: number;
  readonly modelDue: number;
  readonly baselineDue: number;
  readonly learnedFrom: string;
  /** The customer's next purchase of the product after the cycle started (null: none in the data). */
  readonly repurchase: number | null;
}

export interface ReplayResult {
  readonly recommendations: RecommendationCase[];
  readonly cycles: CycleCase[];
}

/**
 * Replays purchases in time order through the same pure code the daemon runs (learnOrder, recommendationIds,
 * nextReplenishment). Nothing looks ahead: a checkpoint's recommendations and a cycle's due date use only the
 * purchases before them; the outcome (the next order, the re-purchase) is read from the future afterwards.
 */
export function replayProducts(purchases: readonly Purchase[], checkpoints: readonly number[], windowDays: number, config: ProductsConfig): ReplayResult {
  const book: ProductBook = emptyBook();
  const lookup: StatsLookup = { product: (id) => book.products.get(id), category: (c) => book.categories.get(c) };
  const history = new Map<string, OrderContribution[]>();
  const sold = new Map<string, number>();
  const occasions = new Map<string, number[]>();
  const storeGaps: number[] = [];
  const recommendations: RecommendationCase[] = [];
  const cycles: CycleCase[] = [];
  const seenCycles = new Set<string>();
  const futureOf = indexFuture(purchases);
  let nextCheckpoint = 0;

  for (const purchase of purchases) {
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint] <= purchase.at) {
      recommendations.push(...checkpointCases(checkpoints[nextCheckpoint], windowDays, history, lookup, sold, futureOf, config));
      nextCheckpoint += 1;
    }
    const orders = history.get(purchase.customer) ?? [];
    if (purchase.returned.length > 0) {
      history.set(purchase.customer, markReturned(orders, purchase.returned));
      continue;
    }
    const contribution: OrderContribution = {
      orderId: purchase.orderId, placedAt: new Date(purchase.at).toISOString(),
      netMinor: purchase.items.reduce((s, i) => s + i.netMinor, 0), cancelled: false, items: purchase.items,
    };
    learnOrder(book, orders, contribution, new Map(), config);
    const after = [...orders, contribution];
    history.set(purchase.customer, after);
    for (const item of purchase.items) sold.set(item.productId, (sold.get(item.productId) ?? 0) + 1);
    const days = occasions.get(purchase.customer) ?? [];
    const day = Math.floor(purchase.at / DAY);
    if (days.length > 0 && day > days[days.length - 1]) storeGaps.push(day - days[days.length - 1]);
    if (days.length === 0 || day > days[days.length - 1]) days.push(day);
    occasions.set(purchase.customer, days);

    const cycle = nextReplenishment(after, lookup, new Date(purchase.at), config);
    if (!cycle) continue;
    const key = `${purchase.customer}|${cycle.productId}|${cycle.cycleOrderId}`;
    if (seenCycles.has(key)) continue;
    seenCycles.add(key);
    const start = Date.parse(after.find((o) => o.orderId === cycle.cycleOrderId)?.placedAt ?? '');
    const ownGaps = days.slice(1).map((d, i) => d - days[i]);
    const gapDays = ownGaps.length > 0 ? median(ownGaps) : storeGaps.length > 0 ? median(storeGaps.slice(-5000)) : 60;
    cycles.push({
      customer: purchase.customer, productId: cycle.productId, start, modelDue: cycle.dueAt.getTime(),
      baselineDue: start + gapDays * DAY, learnedFrom: cycle.learnedFrom,
      repurchase: futureOf(purchase.customer, start, (p) => p.items.some((i) => i.productId === cycle.productId))?.at ?? null,
    });
  }
  return { recommendations, cycles };
}

function checkpointCases(
  at: number, windowDays: number, history: ReadonlyMap<string, OrderContribution[]>, lookup: StatsLookup,
  sold: ReadonlyMap<string, number>, futureOf: FutureIndex, config: ProductsConfig,
): RecommendationCase[] {
  const best = [...sold].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 200).map(([id]) => id);
  const cases: RecommendationCase[] = [];
  for (const [customer, orders] of history) {
    const next = futureOf(customer, at - 1, (p) => p.items.length > 0);
    if (!next || next.at > at + windowDays * DAY) continue;
    const owned = new Set(orders.flatMap((o) => (o.items ?? []).map((i) => i.productId)));
    cases.push({
      customer,
      checkpoint: at,
      model: recommendationIds(orders, lookup, null, config),
      bestSellers: best.filter((id) => !owned.has(id)).slice(0, config.coPurchase.recommend),
      next: new Set(next.items.map((i) => i.productId)),
    });
  }
  return cases;
}

/** A cancellation takes back the customer's latest kept purchase of each product it names. */
function markReturned(orders: readonly OrderContribution[], products: readonly string[]): OrderContribution[] {
  const next = [...orders];
  for (const productId of products) {
    for (let i = next.length - 1; i >= 0; i--) {
      const items = next[i].items ?? [];
      const at = items.findIndex((item) => item.productId === productId && !item.returned);
      if (at < 0) continue;
      next[i] = { ...next[i], items: items.map((item, k) => (k === at ? { ...item, returned: true } : item)) };
      break;
    }
  }
  return next;
}

type FutureIndex = (customer: string, after: number, match: (p: Purchase) => boolean) => Purchase | null;

/** The first purchase of a customer strictly after a time that matches: the outcomes, read only after predicting. */
function indexFuture(purchases: readonly Purchase[]): FutureIndex {
  const byCustomer = new Map<string, Purchase[]>();
  for (const p of purchases) {
    const list = byCustomer.get(p.customer) ?? [];
    list.push(p);
    byCustomer.set(p.customer, list);
  }
  return (customer, after, match) => {
    for (const p of byCustomer.get(customer) ?? []) if (p.at > after && match(p)) return p;
    return null;
  };
}
