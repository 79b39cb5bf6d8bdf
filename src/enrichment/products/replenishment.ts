import type { OrderContribution } from '../../model/customer';
import type { ProductsConfig } from './config';
import { ownInterval, productInterval, purchasesByProduct } from './intervals';
import type { CategoryStats, ProductStats, ReplenishmentDue } from './types';

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
  let best: ReplenishmentDue | null = null;
  for (const [productId, purchases] of purchasesByProduct(orders)) {
    const purchase = purchases[purchases.length - 1];
    const product = stats.product(productId);
    const category = product?.category ?? purchase.category;
    const store = productInterval(product, category === null ? undefined : stats.category(category), rules);
    if (store === null) continue;
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
