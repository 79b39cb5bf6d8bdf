import type { OrderContribution } from '../../model/customer';
import type { ProductsConfig } from './config';
import { recentProducts } from './learn';
import type { StatsLookup } from './replenishment';
import type { Recommendation } from './types';

/** Every product the customer ever bought, kept or returned: none of them is recommended. */
export function ownedProducts(orders: readonly OrderContribution[]): Set<string> {
  const owned = new Set<string>();
  for (const order of orders) for (const item of order.items ?? []) owned.add(item.productId);
  return owned;
}

/**
 * The product ids to recommend, best first: products bought together with the customer's recent kept products
 * (summed co-purchase counts), then, when `fillWithCategoryBestSellers`, the best sellers of their top category.
 * Nothing they own or returned. Pure; titles come from `titleOf` (the caller reads those products' statistics).
 */
export function recommendationIds(orders: readonly OrderContribution[], stats: StatsLookup, topCategory: string | null, config: ProductsConfig): string[] {
  const { recommend, minPairCount, historyProducts, fillWithCategoryBestSellers } = config.coPurchase;
  const owned = ownedProducts(orders);
  const score = new Map<string, number>();
  for (const productId of recentProducts(orders, historyProducts)) {
    for (const [other, count] of stats.product(productId)?.co ?? []) {
      if (count < minPairCount || owned.has(other)) continue;
      score.set(other, (score.get(other) ?? 0) + count);
    }
  }
  const chosen = topScored(score, recommend);
  if (fillWithCategoryBestSellers && topCategory !== null) {
    for (const [id] of stats.category(topCategory)?.best ?? []) {
      if (chosen.length >= recommend) break;
      if (!owned.has(id) && !chosen.includes(id)) chosen.push(id);
    }
  }
  return chosen;
}

/** Ranks before: the higher score, then the lower id (stable whatever the map's order). */
const ranksBefore = (a: string, x: number, b: string, y: number): boolean => x > y || (x === y && a < b);

/**
 * The `k` best ids of a score map, best first: the same as sorting every entry and taking `k`, without making an
 * array per entry (a re-assessment ranks hundreds of candidates for each of its customers and keeps five).
 */
export function topScored(score: ReadonlyMap<string, number>, k: number): string[] {
  const ids: string[] = [];
  const scores: number[] = [];
  for (const [id, value] of score) {
    if (ids.length === k && !ranksBefore(id, value, ids[k - 1], scores[k - 1])) continue;
    let at = ids.length === k ? k - 1 : ids.length;
    while (at > 0 && ranksBefore(id, value, ids[at - 1], scores[at - 1])) {
      ids[at] = ids[at - 1];
      scores[at] = scores[at - 1];
      at -= 1;
    }
    ids[at] = id;
    scores[at] = value;
  }
  return ids;
}

export function withTitles(ids: readonly string[], titleOf: (productId: string) => string | undefined): Recommendation[] {
  return ids.map((productId) => ({ productId, title: titleOf(productId) ?? productId }));
}
