import type { CustomerAggregate } from '../../model/customer';
import { categoryAffinity } from './affinity';
import type { ProductsConfig } from './config';
import { recentProducts } from './learn';
import { recommendationIds, withTitles } from './recommend';
import { nextReplenishment, type StatsLookup } from './replenishment';
import type { ProductSignals } from './types';

/** The products and categories whose statistics `productSignals` reads for this customer (before titles). */
export function statsNeeded(customer: CustomerAggregate, config: ProductsConfig): { products: string[]; categories: string[] } {
  const limit = Math.max(config.coPurchase.historyProducts, config.replenishment.candidateProducts);
  const products = recentProducts(customer.orders, limit);
  const categories = new Set<string>();
  for (const order of customer.orders) for (const item of order.items ?? []) if (item.category !== null) categories.add(item.category);
  return { products, categories: [...categories] };
}

/**
 * Everything the products layer says about one customer, from their history and the store's statistics. Two steps,
 * so a caller can read the recommended products' titles in one batch: `recommendedIds` first, then `productSignals`.
 */
export function recommendedIds(customer: CustomerAggregate, stats: StatsLookup, config: ProductsConfig): string[] {
  const top = categoryAffinity(customer.orders, 1)[0]?.category ?? null;
  return recommendationIds(customer.orders, stats, top, config);
}

export function productSignals(customer: CustomerAggregate, stats: StatsLookup, titleOf: (productId: string) => string | undefined, now: Date, config: ProductsConfig): ProductSignals {
  const affinity = categoryAffinity(customer.orders, config.affinity.top);
  const candidates = new Set(recentProducts(customer.orders, config.replenishment.candidateProducts));
  const lookup: StatsLookup = { product: (id) => (candidates.has(id) ? stats.product(id) : undefined), category: stats.category };
  return {
    topCategory: affinity[0]?.category ?? null,
    affinity,
    recommendations: withTitles(recommendedIds(customer, stats, config), titleOf),
    replenishment: nextReplenishment(customer.orders, lookup, now, config),
  };
}
