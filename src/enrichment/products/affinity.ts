import type { OrderContribution } from '../../model/customer';

export interface CategoryShare {
  readonly category: string;
  /** Share of the customer's net spend on categorised products, 0-1. */
  readonly share: number;
}

/**
 * The customer's categories by share of net spend: refunds and cancellations already took their lines' value to
 * zero, so a returned purchase does not make a category the customer's favourite. Spend on products without a
 * category is left out of the denominator (a store that categorises half its catalogue still ranks the half it
 * does). Ties go to the category bought most recently, then by name, so the order is stable. Pure.
 */
export function categoryAffinity(orders: readonly OrderContribution[], top: number): CategoryShare[] {
  const spend = new Map<string, { minor: number; last: number }>();
  orders.forEach((order, index) => {
    for (const item of order.items ?? []) {
      if (item.category === null || item.netMinor <= 0) continue;
      const seen = spend.get(item.category);
      spend.set(item.category, { minor: (seen?.minor ?? 0) + item.netMinor, last: index });
    }
  });
  const total = [...spend.values()].reduce((sum, s) => sum + s.minor, 0);
  if (total <= 0) return [];
  return [...spend]
    .sort(([a, x], [b, y]) => y.minor - x.minor || y.last - x.last || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, top)
    .map(([category, s]) => ({ category, share: Number((s.minor / total).toFixed(3)) }));
}

/** `ss_category_affinity` as Klaviyo can segment on it (a list of text): "category 62%". */
export function affinityLabels(shares: readonly CategoryShare[]): string[] {
  return shares.map((s) => `${s.category} ${Math.round(s.share * 100)}%`);
}
