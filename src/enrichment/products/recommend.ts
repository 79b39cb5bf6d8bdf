import type { OrderContribution } from '../../model/customer';
import type { ProductsConfig } from './config';
import { recentProducts } from './learn';
import type { StatsLookup } from './replenishment';
import { EMPTY_COUNTS, ranksBefore } from './top-counts';
import { memoByValue } from '../../util/memo';
import type { TopCounts } from './types';

/** Every product the customer ever bought, kept or returned: none of them is recommended. */
export function ownedProducts(orders: readonly OrderContribution[]): Set<string> {
  const owned = new Set<string>();
  for (const order of orders) for (const item of order.items ?? []) owned.add(item.productId);
  return owned;
}

/**
 * The one product a customer ever bought, when they bought only that one and kept some of it; else null. Such a
 * customer (most of a store's: one order of one product) owns nothing else, so their recommendations are those of
 * everyone else who bought only that product: a step makes them once (pipeline/product-signals.ts).
 */
export function soleProduct(orders: readonly OrderContribution[]): string | null {
  let sole: string | null = null;
  let kept = false;
  for (const order of orders) {
    for (const item of order.items ?? []) {
      if (sole !== null && item.productId !== sole) return null;
      sole = item.productId;
      kept ||= !item.returned;
    }
  }
  return kept ? sole : null;
}

/**
 * The product ids to recommend, best first: products bought together with the customer's recent kept products
 * (summed co-purchase counts), then, when `fillWithCategoryBestSellers`, the best sellers of their top category.
 * Nothing they own or returned. Pure; titles come from those products' statistics (the caller reads them: pipeline/product-signals.ts).
 */
export function recommendationIds(orders: readonly OrderContribution[], stats: StatsLookup, topCategory: string | null, config: ProductsConfig): string[] {
  const { recommend, minPairCount, historyProducts, fillWithCategoryBestSellers } = config.coPurchase;
  const owned = ownedProducts(orders);
  const recent = recentProducts(orders, historyProducts);
  // Most customers have one recent product: its table, kept highest first and ties by id, is already the ranking.
  const only = recent.length === 1 ? stats.product(recent[0])?.co ?? EMPTY_COUNTS : null;
  const chosen = only !== null && ranked(only) ? firstUnowned(only, owned, minPairCount, recommend) : topScored(scores(recent, stats, owned, minPairCount), recommend);
  if (fillWithCategoryBestSellers && topCategory !== null) {
    for (const id of stats.category(topCategory)?.best.keys ?? []) {
      if (chosen.length >= recommend) break;
      if (!owned.has(id) && !chosen.includes(id)) chosen.push(id);
    }
  }
  return chosen;
}

/** Summed co-purchase counts of the recent products' partners, owned ones and thin pairs left out. */
function scores(recent: readonly string[], stats: StatsLookup, owned: ReadonlySet<string>, minPairCount: number): Map<string, number> {
  const score = new Map<string, number>();
  for (const productId of recent) {
    const table = stats.product(productId)?.co;
    if (table === undefined) continue;
    for (let i = 0; i < table.keys.length; i++) {
      const other = table.keys[i];
      const count = table.counts[i];
      if (count < minPairCount || owned.has(other)) continue;
      score.set(other, (score.get(other) ?? 0) + count);
    }
  }
  return score;
}

/**
 * Whether a count table is in ranking order, as bumpInPlace keeps it (a row written otherwise is ranked anew).
 * Known per table: every buyer of a product reads its table, and ties are compared by id. A table found ranked stays
 * ranked under bumpInPlace, the only change made to a table in place; one found unranked is only ever scored.
 */
const rankedTable = memoByValue(({ keys, counts }: TopCounts): boolean => {
  for (let i = 1; i < keys.length; i++) if (ranksBefore(keys[i], counts[i], keys[i - 1], counts[i - 1])) return false;
  return true;
});
// A table of none or one is ranked and worth no entry.
const ranked = (table: TopCounts): boolean => table.keys.length < 2 || rankedTable(table);

/** The first `k` partners of a ranked table that are not owned and were paired often enough. */
function firstUnowned(table: TopCounts, owned: ReadonlySet<string>, minPairCount: number, k: number): string[] {
  const chosen: string[] = [];
  for (let i = 0; i < table.keys.length && chosen.length < k; i++) {
    if (table.counts[i] >= minPairCount && !owned.has(table.keys[i])) chosen.push(table.keys[i]);
  }
  return chosen;
}

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
