import type { OrderContribution } from '../../model/customer';
import type { ProductsConfig } from './config';
import { ownInterval, productInterval } from './intervals';
import type { CategoryStats, ProductStats, ReplenishmentDue } from './types';

type StoreInterval = NonNullable<ReturnType<typeof productInterval>>;
type Purchase = { readonly placedAt: string; readonly quantity: number; readonly orderId: string };

const DAY_MS = 86_400_000;

export interface StatsLookup {
  readonly product: (productId: string) => ProductStats | undefined;
  readonly category: (category: string) => CategoryStats | undefined;
}

/**
 * The product this customer will most likely need next, and when. For each product they kept whose product (or
 * product type) the store re-buys regularly, the cycle starts at its last purchase: the interval is the customer's
 * own median per-unit gap when they have one, else the store's, times the units last bought. A cycle is due at the
 * interval (less `leadDays`) and dropped once late (`lateMultiple` × the interval: they bought elsewhere or stopped).
 * Of the live cycles the earliest due wins. Pure; null when there is none.
 */
export function nextReplenishment(orders: readonly OrderContribution[], stats: StatsLookup, now: Date, config: ProductsConfig): ReplenishmentDue | null {
  const rules = config.replenishment;
  // Two walks over the kept lines: each product's category as last bought, then the purchases of only the products
  // the store re-buys regularly. Most products are not, and this runs for every customer of every assessment.
  const lastCategory = new Map<string, string | null>();
  for (const order of orders) {
    for (const item of order.items ?? []) if (!item.returned) lastCategory.set(item.productId, item.category);
  }
  const cycles = new Map<string, { readonly product: ProductStats | undefined; readonly store: StoreInterval; readonly purchases: Purchase[] }>();
  for (const [productId, boughtIn] of lastCategory) {
    const product = stats.product(productId);
    const category = product?.category ?? boughtIn;
    const store = productInterval(product, category === null ? undefined : stats.category(category), rules);
    if (store !== null) cycles.set(productId, { product, store, purchases: [] });
  }
  if (cycles.size === 0) return null;
  for (const order of orders) {
    for (const item of order.items ?? []) {
      if (!item.returned) cycles.get(item.productId)?.purchases.push({ placedAt: order.placedAt, quantity: item.quantity, orderId: order.orderId });
    }
  }
  let best: ReplenishmentDue | null = null;
  for (const [productId, { product, store, purchases }] of cycles) {
    const purchase = purchases[purchases.length - 1];
    const own = ownInterval(purchases, rules);
    const perUnit = own ?? store.perUnitDays;
    const intervalDays = perUnit * Math.max(1, purchase.quantity);
    const start = Date.parse(purchase.placedAt);
    const dueAt = new Date(start + Math.max(0, intervalDays - rules.leadDays) * DAY_MS);
    const lateAt = new Date(start + rules.lateMultiple * intervalDays * DAY_MS);
    if (lateAt <= now) continue;
    if (best === null || dueAt < best.dueAt || (dueAt.getTime() === best.dueAt.getTime() && productId < best.productId)) {
      best = {
        productId,
        title: product?.title ?? productId,
        dueAt,
        lateAt,
        intervalDays: Number(intervalDays.toFixed(1)),
        learnedFrom: own !== null ? 'customer' : store.from,
        cycleOrderId: purchase.orderId,
      };
    }
  }
  return best;
}
