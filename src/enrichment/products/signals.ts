import type { CustomerAggregate } from '../../model/customer';
import { categoryAffinity, type CategoryShare } from './affinity';
import type { ProductsConfig } from './config';
import { recentProducts } from './learn';
import { recommendationIds } from './recommend';
import { nextReplenishment, type StatsLookup } from './replenishment';
import type { ProductSignals, Recommendation } from './types';

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
 * The caller ranked the customer's categories (to pick the recommendations) and made the recommendations: ids from
 * `recommendedIds`, titles read from state once per step for all its customers (pipeline/product-signals.ts).
 */
export function productSignals(
  customer: CustomerAggregate,
  stats: StatsLookup,
  now: Date,
  config: ProductsConfig,
  recommendations: readonly Recommendation[],
  affinity: readonly CategoryShare[] = categoryAffinity(customer.orders, config.affinity.top),
): ProductSignals {
  // A list, not a Set: most customers have one or two products, and the list is at most `candidateProducts` long.
  const candidates = recentProducts(customer.orders, config.replenishment.candidateProducts);
  const lookup: StatsLookup = { product: (id) => (candidates.includes(id) ? stats.product(id) : undefined), category: stats.category };
  return {
    topCategory: affinity[0]?.category ?? null,
    affinity,
    recommendations,
    replenishment: nextReplenishment(customer.orders, lookup, now, config),
  };
}
