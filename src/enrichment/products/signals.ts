import type { CustomerAggregate } from '../../model/customer';
import { categoryAffinity, type CategoryShare } from './affinity';
import type { ProductsConfig } from './config';
import { recentProducts } from './learn';
import { recommendationIds, withTitles } from './recommend';
import { nextReplenishment, type StatsLookup } from './replenishment';
import type { ProductSignals } from './types';

/**
 * Adds the products and categories whose statistics `productSignals` reads for this customer (before titles) to
 * the caller's sets: a page gathers them for all its customers at once, with no list per customer.
 */
export function addStatsNeeded(customer: CustomerAggregate, config: ProductsConfig, products: Set<string>, categories: Set<string>): void {
  const limit = Math.max(config.coPurchase.historyProducts, config.replenishment.candidateProducts);
  for (const id of recentProducts(customer.orders, limit)) products.add(id);
  for (const order of customer.orders) {
    const items = order.items;
    if (items !== undefined) for (const item of items) if (item.category !== null) categories.add(item.category);
  }
}

/**
 * The products to recommend to a customer (ids, best first) given their top category. A caller that needs the
 * titles reads these products' statistics, then calls `productSignals` with the ids, so nothing is computed twice.
 */
export function recommendedIds(customer: CustomerAggregate, stats: StatsLookup, config: ProductsConfig, topCategory = categoryAffinity(customer.orders, 1)[0]?.category ?? null): string[] {
  return recommendationIds(customer.orders, stats, topCategory, config);
}

/**
 * Everything the products layer says about one customer, from their history and the store's statistics. Pure.
 * A caller that already ranked the customer's categories (to pick the recommendations) passes them in `affinity`.
 */
export function productSignals(
  customer: CustomerAggregate,
  stats: StatsLookup,
  titleOf: (productId: string) => string | undefined,
  now: Date,
  config: ProductsConfig,
  ids?: readonly string[],
  affinity: readonly CategoryShare[] = categoryAffinity(customer.orders, config.affinity.top),
): ProductSignals {
  const topCategory = affinity[0]?.category ?? null;
  const candidates = new Set(recentProducts(customer.orders, config.replenishment.candidateProducts));
  const lookup: StatsLookup = { product: (id) => (candidates.has(id) ? stats.product(id) : undefined), category: stats.category };
  return {
    topCategory,
    affinity,
    recommendations: withTitles(ids ?? recommendedIds(customer, stats, config, topCategory), titleOf),
    replenishment: nextReplenishment(customer.orders, lookup, now, config),
  };
}
