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
  // One mutable tally per category (this runs for every assessed customer and every shipment event's TopCategory).
  const spend = new Map<string, { minor: number; last: number }>();
  let total = 0;
  for (let index = 0; index < orders.length; index++) {
    const items = orders[index].items;
    if (items === undefined) continue;
    for (const item of items) {
      if (item.category === null || item.netMinor <= 0) continue;
      const seen = spend.get(item.category);
      if (seen) {
        seen.minor += item.netMinor;
        seen.last = index;
      } else spend.set(item.category, { minor: item.netMinor, last: index });
      total += item.netMinor;
    }
  }
  if (total <= 0) return [];
  const ranked = [...spend];
  if (ranked.length > 1) ranked.sort(([a, x], [b, y]) => y.minor - x.minor || y.last - x.last || (a < b ? -1 : a > b ? 1 : 0));
  const shares: CategoryShare[] = [];
  for (let i = 0; i < ranked.length && i < top; i++) shares.push({ category: ranked[i][0], share: Number((ranked[i][1].minor / total).toFixed(3)) });
  return shares;
}

/** `ss_category_affinity` as Klaviyo can segment on it (a list of text): "category 62%". */
export function affinityLabels(shares: readonly CategoryShare[]): string[] {
  return shares.map((s) => `${s.category} ${Math.round(s.share * 100)}%`);
}
